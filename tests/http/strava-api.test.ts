/** src/sources/strava.ts: rate-limit timing, activity + streams → ParsedActivity, token handling against the fake. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { accessToken, exchangeCode, getActivity, parsedFromStrava, RateLimited, rateLimitRetryAt, stravaEnv, stravaProperties, type StravaEnv } from "../../src/sources/strava.ts";
import { openStore, type Store } from "../../src/store.ts";
import { FAKE_CODE, fakeRide, startFakeStrava, type FakeStrava } from "../fakes/strava.ts";
import { sqlOf } from "../helpers/sql.ts";

describe("rateLimitRetryAt", () => {
  const at = Date.UTC(2026, 4, 1, 10, 7, 30);
  const cases: [string, Record<string, string>, number][] = [
    ["no headers: the next quarter hour", {}, Date.UTC(2026, 4, 1, 10, 15)],
    ["15-minute read limit spent", { "X-ReadRateLimit-Limit": "100,1000", "X-ReadRateLimit-Usage": "100,400" }, Date.UTC(2026, 4, 1, 10, 15)],
    ["daily read limit spent", { "X-ReadRateLimit-Limit": "100,1000", "X-ReadRateLimit-Usage": "12,1000" }, Date.UTC(2026, 4, 2)],
    ["daily overall limit spent", { "X-RateLimit-Limit": "200,2000", "X-RateLimit-Usage": "3,2001" }, Date.UTC(2026, 4, 2)],
    ["malformed headers: the next quarter hour", { "X-RateLimit-Limit": "lots", "X-RateLimit-Usage": "1" }, Date.UTC(2026, 4, 1, 10, 15)],
  ];
  for (const [name, headers, expected] of cases) test(name, () => expect(rateLimitRetryAt(new Headers(headers), at)).toBe(expected));

  test("on a quarter boundary waits for the next one", () => {
    expect(rateLimitRetryAt(new Headers(), Date.UTC(2026, 4, 1, 10, 15))).toBe(Date.UTC(2026, 4, 1, 10, 30));
  });
});

describe("activity → properties and track", () => {
  test("keeps export-like names and a short list of fields, drops counters and tokens", () => {
    const { activity } = fakeRide(77, { name: "Commute", type: "Ride" });
    expect(stravaProperties({ ...activity, description: "rain", commute: true, map: { polyline: "abc" } })).toEqual({
      activity_id: 77,
      activity_name: "Commute",
      activity_type: "Ride",
      activity_gear: "Blue bike",
      sport_type: "Ride",
      description: "rain",
      commute: true,
      private: false,
      gear_id: "b123",
      start_date_local: "2026-05-01T09:00:00Z",
    });
  });

  test("streams become one segment with absolute times and elevation", () => {
    const ride = fakeRide(5, { n: 3 });
    const parsed = parsedFromStrava(ride.activity, { latlng: { data: ride.latlng }, time: { data: [0, 2, 4] }, altitude: { data: [40, 41, 42] } });
    if ("skip" in parsed) throw new Error("expected an activity");
    const start = Date.parse("2026-05-01T07:00:00Z");
    expect(parsed.startTime).toBe(start);
    expect(parsed.title).toBe("Ride 5");
    expect(parsed.segments).toEqual([{ lat: ride.latlng.map((p) => p[0]), lon: ride.latlng.map((p) => p[1]), ele: [40, 41, 42], time: [start, start + 2000, start + 4000] }]);
  });

  test("missing time and altitude streams leave NaN, not zeros", () => {
    const ride = fakeRide(5, { n: 2 });
    const parsed = parsedFromStrava(ride.activity, { latlng: { data: ride.latlng } });
    if ("skip" in parsed) throw new Error("expected an activity");
    expect(parsed.segments[0].ele).toEqual([NaN, NaN]);
    expect(parsed.segments[0].time).toEqual([NaN, NaN]);
  });

  const skips: [string, Parameters<typeof fakeRide>[1], boolean, "virtual" | "no_track_data"][] = [
    ["trainer", { trainer: true }, true, "virtual"],
    ["VirtualRun", { type: "VirtualRun" }, true, "virtual"],
    ["manual", { manual: true }, true, "no_track_data"],
    ["no GPS stream", {}, false, "no_track_data"],
  ];
  for (const [name, options, withStreams, reason] of skips) {
    test(`${name} → skip ${reason}`, () => {
      const ride = fakeRide(9, options);
      const parsed = parsedFromStrava(ride.activity, withStreams ? { latlng: { data: ride.latlng } } : {});
      expect("skip" in parsed && parsed.skip).toBe(reason);
    });
  }
});

describe("tokens and reads against the fake", () => {
  let fake: FakeStrava;
  let store: Store;
  let env: StravaEnv;
  beforeEach(async () => {
    fake = startFakeStrava(4242);
    store = openStore(":memory:");
    env = stravaEnv("auth", fake.env());
    await exchangeCode(env, store, FAKE_CODE);
  });
  afterEach(() => {
    fake.stop();
    store.close();
  });

  test("a token far from expiry is used as is; one within five minutes of it is refreshed", async () => {
    expect(await accessToken(env, store, 4242)).toBe("access-1");
    expect(fake.tokenRequests.length).toBe(1);
    const expiresAt = (sqlOf(store).query("SELECT expires_at FROM strava_tokens").get() as { expires_at: number }).expires_at;
    expect(await accessToken(env, store, 4242, (expiresAt - 299) * 1000)).toBe("access-2");
    expect(fake.tokenRequests.at(-1)!.get("refresh_token")).toBe("refresh-1");
  });

  test("no tokens for the athlete: a config error naming strava-auth", async () => {
    await expect(accessToken(env, store, 1)).rejects.toThrow(/no Strava tokens for athlete 1: run `hotpot strava-auth`/);
  });

  test("reads: 429 is RateLimited, 404 not_found, a bad token unauthorized", async () => {
    fake.rateLimitNext = 1;
    await expect(getActivity(env, "access-1", 1)).rejects.toBeInstanceOf(RateLimited);
    await expect(getActivity(env, "access-1", 1)).rejects.toMatchObject({ code: "not_found" });
    await expect(getActivity(env, "forged", 1)).rejects.toMatchObject({ code: "unauthorized" });
  });
});
