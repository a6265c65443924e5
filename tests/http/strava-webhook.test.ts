/**
 * The Strava webhook end to end: routes → durable queue in a real SQLite file
 * → StravaEventProcessor → fake Strava on 127.0.0.1 → stored activity and
 * tiles. The processor's clock is injected, so back-offs and rate-limit waits
 * are crossed by moving the clock, not by waiting.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { Elysia, type AnyElysia } from "elysia";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runImport } from "../../src/import/run.ts";
import { renderTileCounts } from "../../src/render.ts";
import { listen, type HttpServer } from "../../src/server/listen.ts";
import { stravaWebhookRoutes } from "../../src/server/strava-routes.ts";
import { enqueueEvent, MAX_QUEUED_PER_ATHLETE, parseEvent, StravaEventProcessor } from "../../src/sources/strava-events.ts";
import { exchangeCode, stravaEnv, type StravaEnv } from "../../src/sources/strava.ts";
import { openStore, type Store } from "../../src/store.ts";
import { latToY, lngToX } from "../../src/tile.ts";
import { FAKE_CLIENT_ID, FAKE_CLIENT_SECRET, FAKE_CODE, fakeRide, startFakeStrava, type FakeStrava } from "../fakes/strava.ts";
import { sqlOf } from "../helpers/sql.ts";
import { waitUntil } from "../helpers/wait.ts";
import { compileQuery } from "../../src/query.ts";

const ATHLETE = 4242;
const RIDE_AT = { lat: 52.52, lng: 13.4 };

let fake: FakeStrava;
let dir: string;
let dbPath: string;
let store: Store;
let env: StravaEnv;
let clock: { t: number };
let logs: string[];
let processor: StravaEventProcessor;
let app: AnyElysia;

function startProcessor(): StravaEventProcessor {
  const p = new StravaEventProcessor(env, store, { log: (line) => logs.push(line), now: () => clock.t });
  app = new Elysia().use(stravaWebhookRoutes(env, (e) => p.receive(e)));
  return p;
}

beforeEach(async () => {
  fake = startFakeStrava(ATHLETE);
  dir = mkdtempSync(join(tmpdir(), "hotpot-webhook-"));
  dbPath = join(dir, "hotpot.sqlite3");
  store = openStore(dbPath);
  env = stravaEnv("webhook", fake.env());
  clock = { t: Date.now() };
  logs = [];
  await exchangeCode(env, store, FAKE_CODE);
  processor = startProcessor();
});

afterEach(() => {
  processor.stop();
  fake.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function event(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    object_type: "activity",
    object_id: 1001,
    aspect_type: "create",
    owner_id: ATHLETE,
    subscription_id: 120475,
    event_time: 1_777_000_000,
    updates: {},
    ...over,
  };
}

function post(body: unknown): Promise<Response> {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return app.handle(new Request("http://hotpot.test/strava/webhook", { method: "POST", body: text, headers: { "content-type": "application/json" } }));
}

/** Posts an event and waits for the processor to finish with the queue. */
async function deliver(body: Record<string, unknown>): Promise<string> {
  const res = await post(body);
  expect(res.status).toBe(200);
  const { status } = (await res.json()) as { status: string };
  await processor.idle();
  return status;
}

/**
 * The rendered z14 tile under the ride's start, as lit pixels: 0 when nothing
 * matching the filter is drawn there. A create lights it, an update changes
 * what a filter on the changed property shows, a delete clears it.
 */
function tilePixels(filter?: string): number {
  const z = 14;
  const x = Math.floor(lngToX(RIDE_AT.lng) * 2 ** z);
  const y = Math.floor(latToY(RIDE_AT.lat) * 2 ** z);
  const counts = renderTileCounts(store, z, x, y, { size: 256, query: compileQuery({ filter }) });
  return counts ? counts.reduce((n, c) => n + (c > 0 ? 1 : 0), 0) : 0;
}

const stored = (id: number) =>
  sqlOf(store).query("SELECT title, properties ->> '$.activity_type' AS type, properties ->> '$.private' AS private FROM activities WHERE key = ?").get(`strava:${id}`) as {
    title: string;
    type: string;
    private: number | null;
  } | null;

const apiReads = () => fake.requests.filter((r) => r.startsWith("GET /api/v3/activities/")).length;

describe("GET /strava/webhook: subscription validation", () => {
  const cases: [string, Record<string, string>, number][] = [
    ["right token", { "hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "15f7d1a91c1f40f8a748fd134752feb3" }, 200],
    ["wrong token", { "hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "x" }, 403],
    ["empty token", { "hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "x" }, 403],
    ["missing challenge", { "hub.mode": "subscribe", "hub.verify_token": "verify-me" }, 400],
    ["missing token", { "hub.mode": "subscribe", "hub.challenge": "x" }, 400],
    ["missing mode", { "hub.verify_token": "verify-me", "hub.challenge": "x" }, 400],
    ["no parameters", {}, 400],
    ["other mode", { "hub.mode": "unsubscribe", "hub.verify_token": "verify-me", "hub.challenge": "x" }, 400],
  ];
  for (const [name, query, status] of cases) {
    test(`${name} → ${status}`, async () => {
      const res = await app.handle(new Request(`http://hotpot.test/strava/webhook?${new URLSearchParams(query)}`));
      expect(res.status).toBe(status);
      if (status === 200) expect(await res.json()).toEqual({ "hub.challenge": query["hub.challenge"] });
      else expect(await res.text()).toContain("webhook validation");
    });
  }

  test("registering the subscription: Strava's callback check passes over a real socket, and fails with a wrong verify token", async () => {
    const server = listen(app, { hostname: "127.0.0.1", port: 0, reusePort: false, log: null, maxRequestBodySize: 1 << 20 });
    try {
      const register = (verifyToken: string) => {
        const form = new FormData();
        form.set("client_id", FAKE_CLIENT_ID);
        form.set("client_secret", FAKE_CLIENT_SECRET);
        form.set("callback_url", `http://127.0.0.1:${server.port}/strava/webhook`);
        form.set("verify_token", verifyToken);
        return fetch(`${fake.apiUrl}/push_subscriptions`, { method: "POST", body: form });
      };
      const ok = await register("verify-me");
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ id: 120475 });
      expect((await register("wrong")).status).toBe(400);
    } finally {
      server.stop(true);
    }
  });
});

describe("POST /strava/webhook: events", () => {
  test("create, update and delete end to end, the tile changing after each", async () => {
    fake.activities.set(1001, fakeRide(1001, { ...RIDE_AT, name: "Morning ride" }));
    expect(tilePixels()).toBe(0);

    expect(await deliver(event())).toBe("received");
    expect(stored(1001)).toEqual({ title: "Morning ride", type: "Ride", private: 0 });
    const lit = tilePixels();
    expect(lit).toBeGreaterThan(50);
    expect(tilePixels("activity_type = Run")).toBe(0);
    // The streams' timestamps and elevation survive: the track has a start, and only chosen fields become properties.
    const row = sqlOf(store).query("SELECT start_time, properties ->> '$.activity_id' AS sid, properties ->> '$.embed_token' AS embed FROM activities WHERE key = 'strava:1001'").get();
    expect(row).toEqual({ start_time: Date.parse("2026-05-01T07:00:00Z"), sid: 1001, embed: null });
    expect(fake.requests).toContain("GET /api/v3/activities/1001/streams?keys=latlng,time,altitude&key_by_type=true");

    const versionBefore = store.dataVersion();
    // The update applies what Strava says now, whatever the event claims.
    Object.assign(fake.activities.get(1001)!.activity, { name: "Evening run", type: "Run", private: true });
    await deliver(event({ aspect_type: "update", event_time: 1_777_000_100, updates: { title: "Claimed", type: "Walk" } }));
    expect(stored(1001)).toEqual({ title: "Evening run", type: "Run", private: 1 });
    expect(tilePixels("activity_type = Run")).toBe(lit);
    expect(tilePixels("activity_type = Ride")).toBe(0);
    expect(tilePixels("private = true")).toBe(lit);
    expect(store.dataVersion()).toBeGreaterThan(versionBefore);

    fake.activities.delete(1001);
    await deliver(event({ aspect_type: "delete", event_time: 1_777_000_200 }));
    expect(stored(1001)).toBeNull();
    expect(tilePixels()).toBe(0);
    expect(sqlOf(store).query("SELECT count(*) AS n FROM activity_tiles").get()).toEqual({ n: 0 });
    expect(processor.pending()).toBe(0);
  });

  test("a delete Strava does not confirm (the activity is still there) deletes nothing", async () => {
    fake.activities.set(1001, fakeRide(1001, RIDE_AT));
    await deliver(event());
    await deliver(event({ aspect_type: "delete", event_time: 1_777_000_200 }));
    expect(stored(1001)).not.toBeNull();
    expect(logs.join("\n")).toContain("Strava still has the activity");
  });

  test("an update or delete of an activity hotpot does not hold is a no-op", async () => {
    const version = store.dataVersion();
    await deliver(event({ object_id: 5, aspect_type: "update", updates: { title: "x" } }));
    await deliver(event({ object_id: 5, aspect_type: "delete" }));
    expect(store.dataVersion()).toBe(version);
    expect(processor.pending()).toBe(0);
    expect(apiReads()).toBe(0);
  });

  test("a duplicate delivery is queued once, and a late one costs no API call", async () => {
    fake.activities.set(1001, fakeRide(1001, RIDE_AT));
    // Slow Strava: the first event is still being applied when Strava delivers it again.
    fake.delayMs = 200;
    expect(await (await post(event())).json()).toEqual({ status: "received" });
    expect(processor.pending()).toBe(1);
    expect(await (await post(event())).json()).toEqual({ status: "received" });
    expect(processor.pending()).toBe(1);
    await processor.idle();
    expect(store.activityCount()).toBe(1);
    const reads = apiReads();
    expect(reads).toBe(2); // the activity and its streams, once
    fake.delayMs = 0;
    expect(await deliver(event())).toBe("received");
    expect(apiReads()).toBe(reads);
    expect(store.activityCount()).toBe(1);
  });

  test("a create for an activity imported from the bulk export adds no duplicate", async () => {
    const exportDir = join(dir, "export");
    mkdirSync(join(exportDir, "activities"), { recursive: true });
    writeFileSync(join(exportDir, "activities.csv"), readFileSync(join(import.meta.dir, "../fixtures/strava_export.csv")));
    writeFileSync(join(exportDir, "activities/sample.gpx"), readFileSync(join(import.meta.dir, "../fixtures/activities/sample.gpx")));
    const summary = await runImport(store, { path: exportDir, jobs: 1 });
    expect(summary.imported).toBe(1);
    expect(store.findExisting("strava:19387121985", null)).not.toBeNull();

    fake.activities.set(19387121985, fakeRide(19387121985, RIDE_AT));
    await deliver(event({ object_id: 19387121985 }));
    expect(store.activityCount()).toBe(1);
    expect(apiReads()).toBe(0);
    expect(logs.join("\n")).toContain("strava:19387121985 already stored");
  });

  const skips: [string, Parameters<typeof fakeRide>[1], string][] = [
    ["trainer ride", { trainer: true }, "virtual"],
    ["virtual ride", { type: "VirtualRide" }, "virtual"],
    ["manual entry", { manual: true }, "no_track_data"],
  ];
  for (const [name, options, reason] of skips) {
    test(`a ${name} is skipped without fetching streams`, async () => {
      fake.activities.set(1001, fakeRide(1001, options));
      await deliver(event());
      expect(store.activityCount()).toBe(0);
      expect(processor.pending()).toBe(0);
      expect(fake.requests.some((r) => r.includes("/streams"))).toBe(false);
      expect(logs.join("\n")).toContain(`skipped (${reason})`);
    });
  }

  test("an activity of another athlete named in a forged create is not imported", async () => {
    fake.activities.set(1001, fakeRide(1001, { athleteId: 999 }));
    await deliver(event());
    expect(store.activityCount()).toBe(0);
    expect(logs.join("\n")).toContain("belongs to athlete 999");
  });

  test("an activity Strava no longer has is dropped at once, not retried", async () => {
    await deliver(event({ object_id: 404 }));
    expect(processor.pending()).toBe(0);
    expect(logs.join("\n")).toMatch(/create of activity 404: .*404.*dropped after 1 attempt/);
  });

  test("an expired token is refreshed first; the new refresh token is stored and the old one no longer works", async () => {
    const before = store.strava.tokens(ATHLETE)!;
    // Expiring within the refresh margin counts as expired.
    sqlOf(store).query("UPDATE strava_tokens SET expires_at = ?").run(Math.floor(clock.t / 1000) + 60);
    fake.activities.set(1001, fakeRide(1001, RIDE_AT));
    await deliver(event());
    expect(store.activityCount()).toBe(1);
    const refreshes = fake.tokenRequests.filter((f) => f.get("grant_type") === "refresh_token");
    expect(refreshes.map((f) => f.get("refresh_token"))).toEqual([before.refresh_token]);
    const after = store.strava.tokens(ATHLETE)!;
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect(after.access_token).not.toBe(before.access_token);
    const reuse = await fetch(`${fake.oauthUrl}/token`, {
      method: "POST",
      body: new URLSearchParams({ client_id: FAKE_CLIENT_ID, client_secret: FAKE_CLIENT_SECRET, grant_type: "refresh_token", refresh_token: before.refresh_token }),
    });
    expect(reuse.status).toBe(400);
  });

  test("429: every queued event waits for the window to reopen, then succeeds", async () => {
    fake.activities.set(1001, fakeRide(1001, RIDE_AT));
    fake.activities.set(1002, fakeRide(1002, { lat: 48.1, lng: 11.5 }));
    fake.rateLimitNext = 1;
    clock.t = Date.UTC(2026, 4, 1, 10, 7, 0);
    await deliver(event());
    await deliver(event({ object_id: 1002 }));
    expect(store.activityCount()).toBe(0);
    expect(processor.pending()).toBe(2);
    const waits = sqlOf(store).query("SELECT not_before, last_error FROM strava_events ORDER BY id").all() as { not_before: number; last_error: string | null }[];
    const reopen = Date.UTC(2026, 4, 1, 10, 15, 0);
    expect(waits.map((w) => w.not_before)).toEqual([reopen, reopen]);
    expect(waits[0].last_error).toContain("rate limit");

    // Not yet: a kick before the window reopens changes nothing and asks Strava nothing.
    const reads = apiReads();
    clock.t = reopen - 1000;
    processor.kick();
    await processor.idle();
    expect(apiReads()).toBe(reads);
    expect(processor.pending()).toBe(2);

    clock.t = reopen + 1000;
    processor.kick();
    await processor.idle();
    expect(processor.pending()).toBe(0);
    expect(store.activityCount()).toBe(2);
  });

  test("429 with the daily read limit spent waits until midnight UTC", async () => {
    fake.activities.set(1001, fakeRide(1001, RIDE_AT));
    fake.rateLimitNext = 1;
    fake.dailyLimitSpent = true;
    clock.t = Date.UTC(2026, 4, 1, 10, 7, 0);
    await deliver(event());
    const { not_before } = sqlOf(store).query("SELECT not_before FROM strava_events").get() as { not_before: number };
    expect(not_before).toBe(Date.UTC(2026, 4, 2));
  });

  test("a failure backs off and is retried; the events of other activities do not wait for it", async () => {
    fake.activities.set(1002, fakeRide(1002, RIDE_AT));
    // A failure worth retrying: the athlete's tokens are missing while the event is applied
    // (queued directly, as the webhook would refuse it), and come back later.
    const tokens = store.strava.tokens(ATHLETE)!;
    sqlOf(store).query("DELETE FROM strava_tokens").run();
    const queue = sqlOf(store).query(
      "INSERT INTO strava_events (object_type, object_id, aspect_type, owner_id, event_time, updates, not_before) VALUES ('activity', ?, 'create', ?, 1, '{}', ?)",
    );
    queue.run(1002, ATHLETE, clock.t);
    processor.kick();
    await processor.idle();
    const failed = sqlOf(store).query("SELECT attempts, not_before, last_error FROM strava_events").get() as { attempts: number; not_before: number; last_error: string };
    expect(failed.attempts).toBe(1);
    expect(failed.not_before).toBe(clock.t + 30_000);
    expect(failed.last_error).toContain("no Strava tokens for athlete 4242");

    sqlOf(store).query("INSERT INTO strava_tokens VALUES (?, ?, ?, ?)").run(ATHLETE, tokens.access_token, tokens.refresh_token, tokens.expires_at);
    // An event of another activity goes ahead of the deferred one...
    fake.activities.set(1003, fakeRide(1003, { lat: 48.1, lng: 11.5 }));
    await deliver(event({ object_id: 1003 }));
    expect(stored(1003)).not.toBeNull();
    expect(stored(1002)).toBeNull();
    // ...while a later event of the same activity waits behind it, keeping their order.
    fake.activities.get(1002)!.activity.name = "Renamed";
    await deliver(event({ object_id: 1002, aspect_type: "update", event_time: 2, updates: { title: "Renamed" } }));
    expect(processor.pending()).toBe(2);
    clock.t += 30_000;
    processor.kick();
    await processor.idle();
    expect(processor.pending()).toBe(0);
    expect(stored(1002)?.title).toBe("Renamed");
  });

  test("events queued by another server process are found by the processor's poll, without a kick", async () => {
    processor.stop();
    processor = new StravaEventProcessor(env, store, { log: (line) => logs.push(line), now: () => clock.t, pollMs: 20 });
    processor.kick();
    await processor.idle();
    fake.activities.set(1001, fakeRide(1001, RIDE_AT));
    // What a peer process does with a webhook POST: queue it, nothing more.
    expect(enqueueEvent(store, parseEvent(event()), { notBefore: clock.t, log: () => {} })).toBe("queued");
    await waitUntil(() => store.activityCount() > 0, { what: "the queued event applied by the processor's poll" });
    await processor.idle();
    expect(store.activityCount()).toBe(1);
    expect(processor.pending()).toBe(0);
  });

  test("a restart with events still queued: a new processor on the same file applies them", async () => {
    processor.stop();
    fake.activities.set(1001, fakeRide(1001, RIDE_AT));
    fake.activities.set(1002, fakeRide(1002, { lat: 48.1, lng: 11.5 }));
    expect((await post(event())).status).toBe(200);
    expect((await post(event({ object_id: 1002 }))).status).toBe(200);
    expect(processor.pending()).toBe(2);
    expect(store.activityCount()).toBe(0);
    store.close();

    store = openStore(dbPath);
    processor = startProcessor();
    processor.kick();
    await processor.idle();
    expect(processor.pending()).toBe(0);
    expect(store.activityCount()).toBe(2);
  });

  const malformed: [string, string, number][] = [
    ["not JSON", "{object_type:", 400],
    ["an array", "[]", 400],
    ["a string", '"create"', 400],
    ["empty object", "{}", 400],
    ["unknown object type", JSON.stringify(event({ object_type: "club" })), 400],
    ["unknown aspect", JSON.stringify(event({ aspect_type: "explode" })), 400],
    ["object_id as text", JSON.stringify(event({ object_id: "1001" })), 400],
    ["negative object_id", JSON.stringify(event({ object_id: -1 })), 400],
    ["fractional owner_id", JSON.stringify(event({ owner_id: 1.5 })), 400],
    ["missing event_time", JSON.stringify({ ...event(), event_time: undefined }), 400],
    ["updates as array", JSON.stringify(event({ updates: ["title"] })), 400],
    ["nested updates", JSON.stringify(event({ updates: { title: { x: 1 } } })), 400],
    ["huge body", JSON.stringify(event({ updates: { title: "x".repeat(20_000) } })), 413],
  ];
  for (const [name, body, status] of malformed) {
    test(`malformed event (${name}) → ${status}, nothing queued`, async () => {
      const version = store.dataVersion();
      const res = await post(body);
      expect(res.status).toBe(status);
      expect(await res.text()).toContain("webhook event");
      expect(processor.pending()).toBe(0);
      expect(store.dataVersion()).toBe(version);
    });
  }

  test("events of an athlete without tokens are acknowledged and ignored", async () => {
    const before = fake.requests.length; // the token exchange of beforeEach
    expect(await deliver(event({ owner_id: 7 }))).toBe("received");
    expect(fake.requests.length).toBe(before);
    expect(processor.pending()).toBe(0);
    expect(logs.join("\n")).toContain("no tokens for athlete 7");
  });

  test("deauthorization deletes the athlete's tokens once Strava confirms it", async () => {
    const deauth = event({ object_type: "athlete", object_id: ATHLETE, aspect_type: "update", updates: { authorized: "false" } });
    // Forged: Strava still honours the tokens, so they stay.
    await deliver(deauth);
    expect(store.strava.tokens(ATHLETE)).not.toBeNull();
    expect(logs.join("\n")).toContain("Strava still accepts hotpot's tokens");

    fake.deauthorize(ATHLETE);
    await deliver({ ...deauth, event_time: 1_777_000_999 });
    expect(store.strava.tokens(ATHLETE)).toBeNull();
    expect(processor.pending()).toBe(0);
    // Later events of that athlete are not even queued.
    expect(await deliver(event())).toBe("received");
    expect(processor.pending()).toBe(0);
  });

  test("the POST is acknowledged while a slow Strava is still being asked (real socket)", async () => {
    fake.activities.set(1001, fakeRide(1001, RIDE_AT));
    fake.delayMs = 2100;
    const server: HttpServer = listen(app, { hostname: "127.0.0.1", port: 0, reusePort: false, log: null, maxRequestBodySize: 1 << 20 });
    try {
      const started = performance.now();
      const res = await fetch(`http://127.0.0.1:${server.port}/strava/webhook`, { method: "POST", body: JSON.stringify(event()), headers: { "content-type": "application/json" } });
      const ms = performance.now() - started;
      expect(res.status).toBe(200);
      // The answer came before Strava did: the event is queued, not applied.
      expect(processor.pending()).toBe(1);
      expect(store.activityCount()).toBe(0);
      expect(ms).toBeLessThan(2000);
      await processor.idle();
      expect(store.activityCount()).toBe(1);
    } finally {
      server.stop(true);
    }
  }, 15_000);
});

describe("forged events", () => {
  test("a forged update changes nothing: the update applies what Strava says", async () => {
    fake.activities.set(1001, fakeRide(1001, { ...RIDE_AT, name: "Morning ride" }));
    await deliver(event());
    const reads = apiReads();
    await deliver(event({ aspect_type: "update", event_time: 1_777_000_100, updates: { title: "Pwned", type: "Walk", private: "true" } }));
    expect(stored(1001)).toEqual({ title: "Morning ride", type: "Ride", private: 0 });
    expect(apiReads()).toBe(reads + 1);
  });

  test("a flood of forged creates costs at most one read each, coalesces per object, and the owner's event still lands", async () => {
    processor.stop();
    const tokenCalls = fake.tokenRequests.length;
    for (let i = 0; i < 300; i++) expect((await post(event({ object_id: 900_000 + i, event_time: i }))).status).toBe(200);
    // The same object again and again, with new event times: one queued event.
    for (let i = 0; i < 50; i++) await post(event({ object_id: 900_000, event_time: 10_000 + i }));
    fake.activities.set(1001, fakeRide(1001, RIDE_AT));
    await post(event());
    expect(processor.pending()).toBe(301);
    processor = startProcessor();
    processor.kick();
    await processor.idle();
    expect(stored(1001)).not.toBeNull();
    expect(processor.pending()).toBe(0);
    // 300 reads answered 404, then the real activity and its streams; no token refresh.
    expect(apiReads()).toBe(302);
    expect(fake.tokenRequests.length).toBe(tokenCalls);
  });

  test("the queue is bounded per athlete: a flood naming one athlete does not hold up another", async () => {
    processor.stop();
    const OTHER = 77;
    sqlOf(store).query("INSERT INTO strava_tokens VALUES (?, 'a', 'r', ?)").run(OTHER, Math.floor(clock.t / 1000) + 3600);
    const log = () => {};
    for (let i = 0; i < MAX_QUEUED_PER_ATHLETE; i++) {
      expect(enqueueEvent(store, parseEvent(event({ object_id: 2_000_000 + i })), { notBefore: clock.t, log })).toBe("queued");
    }
    const full = await post(event({ object_id: 3_000_000 }));
    expect(full.status).toBe(503);
    expect(full.headers.get("retry-after")).toBe("900");
    expect(await full.text()).toBe("webhook event: the queue is full; try again later\n");
    expect(await (await post(event({ owner_id: OTHER, object_id: 3_000_001 }))).json()).toEqual({ status: "received" });
    expect(processor.pending()).toBe(MAX_QUEUED_PER_ATHLETE + 1);
  });

  test("a full queue answers 503 and queues nothing; Strava's retry once there is room is queued", async () => {
    processor.stop();
    const log = () => {};
    for (let i = 0; i < MAX_QUEUED_PER_ATHLETE; i++) enqueueEvent(store, parseEvent(event({ object_id: 2_000_000 + i })), { notBefore: clock.t, log });
    const refused = event({ object_id: 3_000_000 });
    for (let retry = 0; retry < 2; retry++) {
      const res = await post(refused);
      expect(res.status).toBe(503);
      expect(await res.text()).toBe("webhook event: the queue is full; try again later\n");
    }
    expect(processor.pending()).toBe(MAX_QUEUED_PER_ATHLETE);
    // One event applied (here: removed) makes room for exactly one more.
    sqlOf(store).query("DELETE FROM strava_events WHERE object_id = 2000000").run();
    const retried = await post(refused);
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual({ status: "received" });
    expect(processor.pending()).toBe(MAX_QUEUED_PER_ATHLETE);
    // The retried event is the one queued: a third delivery of it is a duplicate, not refused.
    expect((await post(refused)).status).toBe(200);
    expect((await post(event({ object_id: 3_000_002 }))).status).toBe(503);
  });

  test("with STRAVA_SUBSCRIPTION_ID set, events of another subscription are answered alike and dropped", async () => {
    env = stravaEnv("webhook", fake.env({ STRAVA_SUBSCRIPTION_ID: "120475" }));
    processor.stop();
    processor = startProcessor();
    fake.activities.set(1001, fakeRide(1001, RIDE_AT));
    expect(await deliver(event({ subscription_id: 1 }))).toBe("received");
    expect(processor.pending()).toBe(0);
    expect(apiReads()).toBe(0);
    expect(await deliver(event({ subscription_id: 120475 }))).toBe("received");
    expect(stored(1001)).not.toBeNull();
    expect(() => stravaEnv("webhook", fake.env({ STRAVA_SUBSCRIPTION_ID: "abc" }))).toThrow("STRAVA_SUBSCRIPTION_ID: expected");
  });

  test("nothing an event carries forges a log line", async () => {
    const parsed = parseEvent(event({ aspect_type: "update", updates: { "x\nstrava: strava:1 deleted": "1", title: "a\nstrava: forged" } }));
    expect(Object.keys(parsed.updates)).toEqual(["title"]);
    fake.activities.set(1001, fakeRide(1001, RIDE_AT));
    await deliver(event());
    await deliver(event({ aspect_type: "update", event_time: 5, updates: { "k\nstrava: forged": "1", title: "t\nstrava: forged" } }));
    expect(logs.length).toBeGreaterThan(1);
    for (const line of logs) expect(line).not.toContain("\n");
  });
});
