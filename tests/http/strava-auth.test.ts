/**
 * `hotpot strava-auth`: the redirect to Strava's authorize page, the code
 * exchange storing tokens, the page with the subscription command, and the
 * start-up check of the environment. Against the fake Strava on 127.0.0.1.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { AnyElysia } from "elysia";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stravaAuthRoutes } from "../../src/server/strava-routes.ts";
import { stravaEnv } from "../../src/sources/strava.ts";
import { openStore, type Store } from "../../src/store.ts";
import { FAKE_CLIENT_ID, FAKE_CLIENT_SECRET, FAKE_CODE, startFakeStrava, type FakeStrava } from "../fakes/strava.ts";
import { sqlOf } from "../helpers/sql.ts";

let fake: FakeStrava;
let dir: string;
let store: Store;
let app: AnyElysia;

beforeEach(() => {
  fake = startFakeStrava(4242);
  dir = mkdtempSync(join(tmpdir(), "hotpot-auth-"));
  store = openStore(join(dir, "hotpot.sqlite3"));
  app = stravaAuthRoutes(store, stravaEnv("auth", fake.env()));
});

afterEach(() => {
  fake.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}) => app.handle(new Request(`http://127.0.0.1:8080${path}`, { headers }));

describe("GET /strava/auth", () => {
  const cases: [string, Record<string, string>, string][] = [
    ["the request's host", { host: "127.0.0.1:8080" }, "http://127.0.0.1:8080/strava/auth/exchange_token"],
    ["a proxy's scheme and host", { host: "10.0.0.5:8080", "x-forwarded-proto": "https", "x-forwarded-host": "heat.example.org" }, "https://heat.example.org/strava/auth/exchange_token"],
    ["a proxy's scheme only", { host: "heat.fly.dev", "x-forwarded-proto": "https" }, "https://heat.fly.dev/strava/auth/exchange_token"],
  ];
  for (const [name, headers, redirect] of cases) {
    test(`redirects to Strava's authorize page with the redirect URI from ${name}`, async () => {
      const res = await get("/strava/auth", headers);
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get("location")!);
      expect(`${location.origin}${location.pathname}`).toBe(`${fake.oauthUrl}/authorize`);
      expect(Object.fromEntries(location.searchParams)).toEqual({
        client_id: FAKE_CLIENT_ID,
        redirect_uri: redirect,
        response_type: "code",
        approval_prompt: "auto",
        scope: "activity:read_all",
      });
    });
  }
});

describe("GET /strava/auth/exchange_token", () => {
  test("exchanges the code, stores the tokens and shows the subscription command", async () => {
    const res = await get(`/strava/auth/exchange_token?state=&code=${FAKE_CODE}&scope=read,activity:read_all`, { host: "heat.example.org", "x-forwarded-proto": "https" });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    const tokens = store.strava.tokens(4242);
    expect(tokens).toMatchObject({ access_token: "access-1", refresh_token: "refresh-1" });
    expect(tokens!.expires_at).toBeGreaterThan(Date.now() / 1000);
    const form = fake.tokenRequests[0];
    expect([form.get("grant_type"), form.get("code"), form.get("client_id"), form.get("client_secret")]).toEqual(["authorization_code", FAKE_CODE, FAKE_CLIENT_ID, FAKE_CLIENT_SECRET]);
    const command = html.match(/<pre>(curl[^<]*)<\/pre>/)![1].replaceAll("&#39;", "'").replaceAll("&#34;", '"');
    expect(command).toBe(
      [
        `curl -X POST ${fake.apiUrl}/push_subscriptions`,
        `  -F client_id=${FAKE_CLIENT_ID}`,
        `  -F client_secret="$STRAVA_CLIENT_SECRET"`,
        `  -F callback_url=https://heat.example.org/strava/webhook`,
        `  -F verify_token="$STRAVA_WEBHOOK_SECRET"`,
      ].join(" \\\n"),
    );
    // The secret itself never appears on the page.
    expect(html).not.toContain(FAKE_CLIENT_SECRET);
    expect(html).not.toContain("Warning");
  });

  test("warns when private activities were not granted", async () => {
    const html = await (await get(`/strava/auth/exchange_token?code=${FAKE_CODE}&scope=read,activity:read`)).text();
    expect(html).toContain("Warning");
    expect(html).toContain("private activities will not arrive");
  });

  const refusals: [string, string, number, string][] = [
    ["the athlete pressed Cancel", "?error=access_denied", 400, "access_denied"],
    ["no code", "?scope=read", 400, "expects Strava"],
    ["a code Strava rejects", "?code=stale&scope=activity:read_all", 502, "Strava answered 400"],
  ];
  for (const [name, query, status, text] of refusals) {
    test(`${name} → ${status}, no tokens stored`, async () => {
      const res = await get(`/strava/auth/exchange_token${query}`);
      expect(res.status).toBe(status);
      expect(await res.text()).toContain(text);
      expect(sqlOf(store).query("SELECT count(*) AS n FROM strava_tokens").get()).toEqual({ n: 0 });
    });
  }
});

describe("environment", () => {
  const cases: [string, "auth" | "webhook", Record<string, string>, string | null][] = [
    ["auth with nothing set", "auth", {}, "hotpot strava-auth needs the environment variables STRAVA_CLIENT_ID, STRAVA_CLIENT_SECRET"],
    ["auth without the secret", "auth", { STRAVA_CLIENT_ID: "1" }, "needs the environment variable STRAVA_CLIENT_SECRET"],
    ["auth with blanks", "auth", { STRAVA_CLIENT_ID: " ", STRAVA_CLIENT_SECRET: "s" }, "needs the environment variable STRAVA_CLIENT_ID"],
    ["auth complete", "auth", { STRAVA_CLIENT_ID: "1", STRAVA_CLIENT_SECRET: "s" }, null],
    ["webhook without the verify token", "webhook", { STRAVA_CLIENT_ID: "1", STRAVA_CLIENT_SECRET: "s" }, "hotpot serve --strava-webhook needs the environment variable STRAVA_WEBHOOK_SECRET"],
    ["webhook with nothing set", "webhook", {}, "STRAVA_CLIENT_ID, STRAVA_CLIENT_SECRET, STRAVA_WEBHOOK_SECRET"],
  ];
  for (const [name, feature, env, message] of cases) {
    test(name, () => {
      if (message === null) expect(stravaEnv(feature, env)).toMatchObject({ apiUrl: "https://www.strava.com/api/v3", oauthUrl: "https://www.strava.com/oauth" });
      else expect(() => stravaEnv(feature, env)).toThrow(message);
    });
  }
});

describe("hotpot strava-auth (CLI)", () => {
  const CLI = join(import.meta.dir, "../../src/cli.ts");
  const baseEnv = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" };

  test("missing variables: exit 1, one line naming them, no stack trace", async () => {
    const p = Bun.spawn(["bun", CLI, "strava-auth", "--db", join(dir, "x.sqlite3")], { env: baseEnv, stdout: "pipe", stderr: "pipe" });
    const [err, code] = await Promise.all([new Response(p.stderr).text(), p.exited]);
    expect(code).toBe(1);
    expect(err).toBe("hotpot: hotpot strava-auth needs the environment variables STRAVA_CLIENT_ID, STRAVA_CLIENT_SECRET (from your Strava API application at https://www.strava.com/settings/api)\n");
  });

  test("serves the authorization pages until interrupted", async () => {
    const p = Bun.spawn(["bun", CLI, "strava-auth", "-p", "0", "--db", join(dir, "cli.sqlite3")], { env: { ...baseEnv, ...fake.env() }, stdout: "pipe", stderr: "pipe" });
    try {
      const reader = p.stdout.getReader();
      let out = "";
      while (!/\n.*\n/.test(out)) {
        const { value, done } = await reader.read();
        if (done) break;
        out += new TextDecoder().decode(value);
      }
      const url = out.match(/Open (http:\/\/\S+\/strava\/auth)/)![1];
      expect(out).toContain('"Authorization Callback Domain"');
      const res = await fetch(url, { redirect: "manual" });
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toStartWith(`${fake.oauthUrl}/authorize?`);
      const exchange = await fetch(`${new URL(url).origin}/strava/auth/exchange_token?code=${FAKE_CODE}&scope=activity:read_all`);
      expect(exchange.status).toBe(200);
    } finally {
      p.kill("SIGINT");
    }
    expect(await p.exited).toBe(0);
    const reopened = openStore(join(dir, "cli.sqlite3"));
    expect(reopened.strava.tokens(4242)).not.toBeNull();
    reopened.close();
  }, 20_000);
});
