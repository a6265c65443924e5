/**
 * What the sources add to the server, over a real socket with the real
 * request log: the upload token as HTTP Basic password and as a `token` query
 * parameter (for phone apps that cannot set headers), POST /fetch/intervals.icu
 * guarded by the same token, and no token ever in the log.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../src/server/app.ts";
import { fetchRoutes } from "../../src/server/fetch-routes.ts";
import { listen, type HttpServer } from "../../src/server/listen.ts";
import { DEFAULT_UPLOAD } from "../../src/server/upload.ts";
import { intervalsEnv } from "../../src/sources/intervals.ts";
import { openStore, type Store } from "../../src/store.ts";
import { exampleActivity, writeFit } from "../../src/synth/formats.ts";
import { startFakeIntervals, type FakeIntervals } from "../fakes/intervals.ts";
import { waitUntil } from "../helpers/wait.ts";

/** Characters that URL- and base64-encode differently, so an encoded copy in the log would be caught too. */
const TOKEN = "s3cr+t/Tok=en&x";
const ENCODED = [TOKEN, encodeURIComponent(TOKEN), new URLSearchParams({ t: TOKEN }).toString().slice(2), btoa(`phone:${TOKEN}`)];

let dir: string;
let store: Store;
let icu: FakeIntervals;
let server: HttpServer;
let log: string[];
let base: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hotpot-sources-server-"));
  store = openStore(join(dir, "hotpot.sqlite3"));
  icu = startFakeIntervals();
  log = [];
  const app = createApp({
    store,
    upload: { ...DEFAULT_UPLOAD, token: TOKEN },
    plugins: [fetchRoutes(store, intervalsEnv(icu.env()), TOKEN)],
  });
  server = listen(app, { hostname: "127.0.0.1", port: 0, reusePort: false, log: (line) => log.push(line), maxRequestBodySize: 16 << 20 });
  base = `http://127.0.0.1:${server.port}`;
});

afterEach(() => {
  server.stop(true);
  icu.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const gpx = () => new File([readFileSync(join(import.meta.dir, "../fixtures/activities/sample.gpx"))], "sample.gpx");
const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;

function upload(query: string, headers: Record<string, string> = {}): Promise<Response> {
  const body = new FormData();
  body.append("file", gpx());
  return fetch(`${base}/upload${query}`, { method: "POST", body, headers });
}

/** The log is written after the answer is sent: wait for the request's line. */
async function logged(n: number): Promise<string[]> {
  await waitUntil(() => log.length >= n, { what: `${n} request lines` });
  return log;
}

function expectNoToken(lines: string[]): void {
  for (const line of lines) for (const secret of ENCODED) expect(line).not.toContain(secret);
}

describe("POST /upload: where the token may be", () => {
  const cases: [string, string, Record<string, string>, number][] = [
    ["no token", "", {}, 401],
    ["Bearer, right", "", { Authorization: `Bearer ${TOKEN}` }, 200],
    ["Bearer, wrong", "", { Authorization: "Bearer nope" }, 401],
    ["Basic password, right (any user name)", "", { Authorization: basic("phone", TOKEN) }, 200],
    ["Basic password, right (empty user name)", "", { Authorization: basic("", TOKEN) }, 200],
    ["Basic password, wrong", "", { Authorization: basic("phone", "nope") }, 401],
    ["Basic with the token as user name, not password", "", { Authorization: basic(TOKEN, "") }, 401],
    ["query parameter, right", `?token=${encodeURIComponent(TOKEN)}`, {}, 200],
    ["query parameter, wrong", "?token=nope", {}, 401],
    ["query parameter, empty", "?token=", {}, 401],
    ["query parameter under another name", `?key=${encodeURIComponent(TOKEN)}`, {}, 401],
  ];
  for (const [name, query, headers, status] of cases) {
    test(`${name} → ${status}`, async () => {
      const res = await upload(query, headers);
      expect(res.status).toBe(status);
      expect(store.activityCount()).toBe(status === 200 ? 1 : 0);
      const lines = await logged(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(` POST /upload\\S* ${status} `));
      expectNoToken(lines);
    });
  }

  test("the log shows that a token was sent, not which", async () => {
    await upload(`?token=${encodeURIComponent(TOKEN)}&source=phone`);
    const [line] = await logged(1);
    expect(line).toContain(" POST /upload?token=***&source=phone 200 ");
  });
});

describe("POST /fetch/intervals.icu", () => {
  const ride = (id: number) => ({
    id: `i${id}`,
    name: `Ride ${id}`,
    type: "Ride",
    start_date_local: new Date(Date.now() - id * 86_400_000).toISOString().slice(0, 19),
    source: "GARMIN_CONNECT",
    file: { name: `${id}.fit`, bytes: writeFit(exampleActivity({ points: 100, startTime: Date.UTC(2026, 0, id) })) },
  });

  test("with the token: imports and answers the counts; again: nothing new", async () => {
    icu.activities.push(ride(1), ride(2), { ...ride(3), source: "STRAVA", file: undefined }, ride(40));
    const post = () => fetch(`${base}/fetch/intervals.icu?lookback=30&token=${encodeURIComponent(TOKEN)}`, { method: "POST" });
    const first = await post();
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ listed: 3, added: 2, alreadyStored: 0, fromStrava: 1, skipped: [], failed: [] });
    const second = await post();
    expect(await second.json()).toMatchObject({ listed: 3, added: 0, alreadyStored: 2 });
    expectNoToken(await logged(2));
  });

  const refusals: [string, string, Record<string, string>, number, string][] = [
    ["no token", "?lookback=7", {}, 401, "missing or wrong token"],
    ["wrong Basic password", "?lookback=7", { Authorization: basic("x", "nope") }, 401, "missing or wrong token"],
    ["a bad look-back", "?lookback=-3", { Authorization: `Bearer ${TOKEN}` }, 400, "lookback: expected a whole number of days"],
  ];
  for (const [name, query, headers, status, message] of refusals) {
    test(`${name} → ${status}, nothing asked of intervals.icu`, async () => {
      const res = await fetch(`${base}/fetch/intervals.icu${query}`, { method: "POST", headers });
      expect(res.status).toBe(status);
      expect(await res.text()).toContain(message);
      expect(icu.requests).toEqual([]);
    });
  }

  test("intervals.icu refusing the API key is a 502 naming the variable", async () => {
    server.stop(true);
    const app = createApp({ store, plugins: [fetchRoutes(store, { ...intervalsEnv(icu.env()), apiKey: "wrong" }, null)] });
    server = listen(app, { hostname: "127.0.0.1", port: 0, reusePort: false, log: null, maxRequestBodySize: 1 << 20 });
    const res = await fetch(`http://127.0.0.1:${server.port}/fetch/intervals.icu`, { method: "POST" });
    expect(res.status).toBe(502);
    expect(await res.text()).toContain("INTERVALS_ICU_API_KEY");
  });

  test("absent without --fetch: 404", async () => {
    server.stop(true);
    server = listen(createApp({ store }), { hostname: "127.0.0.1", port: 0, reusePort: false, log: null, maxRequestBodySize: 1 << 20 });
    expect((await fetch(`http://127.0.0.1:${server.port}/fetch/intervals.icu`, { method: "POST" })).status).toBe(404);
  });
});
