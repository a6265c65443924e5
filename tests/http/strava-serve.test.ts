/**
 * `hotpot serve --strava-webhook` / `--fetch` / `--upload` as real processes:
 * start-up checks of the environment, events queued before a start applied
 * at once, events posted to any of several server processes applied by the
 * primary, and no token in the request log on stdout.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { enqueueEvent } from "../../src/sources/strava-events.ts";
import { exchangeCode, stravaEnv } from "../../src/sources/strava.ts";
import { openStore } from "../../src/store.ts";
import { FAKE_CODE, fakeRide, startFakeStrava, type FakeStrava } from "../fakes/strava.ts";
import { listeners } from "../helpers/sockets.ts";
import { waitUntil } from "../helpers/wait.ts";

const CLI = join(import.meta.dir, "../../src/cli.ts");
const ATHLETE = 4242;

let fake: FakeStrava;
let dir: string;
let db: string;
const running: ReturnType<typeof Bun.spawn>[] = [];

beforeEach(() => {
  fake = startFakeStrava(ATHLETE);
  dir = mkdtempSync(join(tmpdir(), "hotpot-serve-sources-"));
  db = join(dir, "hotpot.sqlite3");
});

afterEach(async () => {
  for (const p of running.splice(0)) {
    p.kill("SIGTERM");
    await p.exited;
  }
  fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

const baseEnv = () => ({ PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" });

/** Starts `hotpot serve ...` and resolves with its base URL once it listens, and the stdout read so far. */
async function serve(args: string[], env: Record<string, string>): Promise<{ url: string; output: () => string }> {
  const proc = Bun.spawn(["bun", CLI, "serve", "--db", db, "-p", "0", ...args], { env: { ...baseEnv(), ...env }, stdout: "pipe", stderr: "pipe" });
  running.push(proc);
  let out = "";
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      out += decoder.decode(value);
    }
  })();
  await waitUntil(() => / at (http:\/\/\S+?)\/ /.test(out) || proc.exitCode !== null, { what: "hotpot serve's start-up line" });
  const url = out.match(/ at (http:\/\/\S+?)\/ /)?.[1];
  if (!url) throw new Error(`serve did not start: ${out}${await new Response(proc.stderr as ReadableStream).text()}`);
  return { url, output: () => out };
}

async function authorizedStore() {
  const store = openStore(db);
  await exchangeCode(stravaEnv("webhook", fake.env()), store, FAKE_CODE);
  return store;
}

/** Reads the database from this process until it holds `n` activities (the server writes it from another). */
function stored(n: number, timeoutMs = 20_000): Promise<void> {
  const count = () => {
    const store = openStore(db, { readonly: true });
    const found = store.activityCount();
    store.close();
    return found;
  };
  return waitUntil(() => count() === n, { what: `${n} activities in ${db}`, timeoutMs, everyMs: 100 });
}

const event = (id: number) => ({ object_type: "activity", object_id: id, aspect_type: "create", owner_id: ATHLETE, subscription_id: 1, event_time: 1_777_000_000 + id, updates: {} });

describe("start-up checks", () => {
  const cases: [string, string[], Record<string, string>, string][] = [
    [
      "--strava-webhook without any Strava variable",
      ["--strava-webhook"],
      {},
      "hotpot: hotpot serve --strava-webhook needs the environment variables STRAVA_CLIENT_ID, STRAVA_CLIENT_SECRET, STRAVA_WEBHOOK_SECRET",
    ],
    ["--strava-webhook without the verify token", ["--strava-webhook"], { STRAVA_CLIENT_ID: "1", STRAVA_CLIENT_SECRET: "s" }, "needs the environment variable STRAVA_WEBHOOK_SECRET "],
    ["--fetch without the API key", ["--fetch"], {}, "hotpot: fetching from intervals.icu needs the environment variable INTERVALS_ICU_API_KEY"],
  ];
  for (const [name, args, env, message] of cases) {
    test(`${name}: exit 1, one line naming them`, async () => {
      const p = Bun.spawn(["bun", CLI, "serve", "--db", db, "-p", "0", ...args], { env: { ...baseEnv(), ...env }, stdout: "pipe", stderr: "pipe" });
      const [err, code] = await Promise.all([new Response(p.stderr).text(), p.exited]);
      expect(code).toBe(1);
      expect(err).toContain(message);
      expect(err.trim().split("\n")).toHaveLength(1);
    });
  }
});

describe("serve --strava-webhook", () => {
  test("applies events queued before the start, then takes new ones over HTTP", async () => {
    const store = await authorizedStore();
    fake.activities.set(1, fakeRide(1));
    fake.activities.set(2, fakeRide(2, { lat: 48.1, lng: 11.5 }));
    enqueueEvent(store, event(1) as never, { notBefore: Date.now(), log: () => {} });
    store.close();

    const { url } = await serve(["--strava-webhook", "--workers", "1"], fake.env());
    await stored(1);

    const check = await fetch(`${url}/strava/webhook?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=abc`);
    expect(await check.json()).toEqual({ "hub.challenge": "abc" });
    const res = await fetch(`${url}/strava/webhook`, { method: "POST", body: JSON.stringify(event(2)), headers: { "content-type": "application/json" } });
    expect(await res.json()).toEqual({ status: "received" });
    await stored(2);
  }, 30_000);

  test("with several processes, events received by any of them are applied", async () => {
    (await authorizedStore()).close();
    const ids = [11, 12, 13, 14, 15, 16];
    ids.forEach((id, i) => fake.activities.set(id, fakeRide(id, { lat: 45 + i, lng: 7 + i })));
    const { url } = await serve(["--strava-webhook", "--workers", "2"], fake.env());
    // The primary prints its URL once it listens; the peer it starts then may take a while, and until it listens every connection goes to the primary.
    await waitUntil(() => listeners(Number(new URL(url).port)) === 2, { what: `both server processes listening at ${url}`, timeoutMs: 20_000 });
    for (const id of ids) {
      // A new connection each time, so the kernel can hand it to either process.
      const res = await fetch(`${url}/strava/webhook`, { method: "POST", body: JSON.stringify(event(id)), headers: { "content-type": "application/json", connection: "close" } });
      expect(res.status).toBe(200);
    }
    await stored(ids.length, 30_000);
  }, 45_000);
});

describe("serve --upload", () => {
  test("the token sent as a query parameter or Basic password never reaches the log", async () => {
    const token = "phone-Secret-123";
    const { url, output } = await serve(["--upload", "--workers", "1"], { HOTPOT_UPLOAD_TOKEN: token });
    const body = () => {
      const form = new FormData();
      form.append("file", new File([readFileSync(join(import.meta.dir, "../fixtures/activities/sample.gpx"))], "sample.gpx"));
      return form;
    };
    expect((await fetch(`${url}/upload?token=${token}`, { method: "POST", body: body() })).status).toBe(200);
    expect((await fetch(`${url}/upload`, { method: "POST", body: body(), headers: { Authorization: `Basic ${btoa(`me:${token}`)}` } })).status).toBe(200);
    expect((await fetch(`${url}/upload?token=wrong-${token}`, { method: "POST", body: body() })).status).toBe(401);
    // Request lines reach stdout in batches, so one may come after the client has its answer.
    await waitUntil(() => (output().match(/POST \/upload/g) ?? []).length >= 3, { what: "three request lines for POST /upload" });
    const lines = output().split("\n").filter((l) => l.includes("POST /upload"));
    expect(lines).toHaveLength(3);
    expect(output()).not.toContain(token);
    expect(output()).not.toContain(btoa(`me:${token}`));
  }, 30_000);
});
