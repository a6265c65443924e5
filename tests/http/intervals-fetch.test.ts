/**
 * `hotpot fetch intervals-icu` against a fake intervals.icu on 127.0.0.1 and a
 * real SQLite file: paging, dedupe (own key, Strava key, same bytes), gzipped
 * files, Strava-sourced stubs, the cut-off date, re-runs and the CLI.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { gzipSync, strToU8 } from "fflate";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ingestFiles } from "../../src/import/ingest.ts";
import { dispositionName, fetchIntervals, intervalsEnv, type FetchSummary } from "../../src/sources/intervals.ts";
import { openStore, type Store } from "../../src/store.ts";
import { exampleActivity, writeFit, writeGpx, writeTcx } from "../../src/synth/formats.ts";
import { startFakeIntervals, type FakeIcuActivity, type FakeIntervals } from "../fakes/intervals.ts";
import { sqlOf } from "../helpers/sql.ts";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 4, 20, 12, 0, 0);
const day = (daysAgo: number, hour = 8) => new Date(NOW - daysAgo * DAY + (hour - 12) * 3600_000).toISOString().slice(0, 19);

let fake: FakeIntervals;
let dir: string;
let store: Store;

beforeEach(() => {
  fake = startFakeIntervals();
  dir = mkdtempSync(join(tmpdir(), "hotpot-icu-"));
  store = openStore(join(dir, "hotpot.sqlite3"));
});

afterEach(() => {
  fake.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A distinct ride per seed (its own start time and place), written as the format asks. */
function rideFile(seed: number, format: "fit" | "gpx" | "tcx"): Uint8Array {
  const a = exampleActivity({ points: 200, startTime: Date.UTC(2026, 3, 1) + seed * 3600_000, title: `Ride ${seed}` });
  for (const s of a.segments) for (let i = 0; i < s.lat.length; i++) s.lat[i] += seed * 0.01;
  return format === "fit" ? writeFit(a) : strToU8(format === "gpx" ? writeGpx(a) : writeTcx(a));
}

function icu(id: number, daysAgo: number, over: Partial<FakeIcuActivity> = {}): FakeIcuActivity {
  return {
    id: `i${id}`,
    name: `Ride ${id}`,
    type: "Ride",
    start_date_local: day(daysAgo),
    source: "GARMIN_CONNECT",
    gear: { id: "b1", name: "Steel bike" },
    file: { name: `${id}.fit`, bytes: rideFile(id, "fit") },
    ...over,
  };
}

function run(options: { lookbackDays?: number; pageSize?: number } = {}): Promise<FetchSummary> {
  return fetchIntervals(store, intervalsEnv(fake.env()), { lookbackDays: options.lookbackDays ?? 30, now: NOW, pageSize: options.pageSize });
}

const downloads = () => fake.requests.filter((r) => r.endsWith("/file"));
const lists = () => fake.requests.filter((r) => r.includes("/athlete/0/activities"));

describe("fetchIntervals", () => {
  test("imports each listed activity with its name, type and gear, asking with Basic auth and the look-back dates", async () => {
    fake.activities.push(icu(1, 2), icu(2, 5, { type: "GravelRide", name: "Gravel" }));
    const s = await run();
    expect(s).toEqual({ listed: 2, added: 2, alreadyStored: 0, fromStrava: 0, skipped: [], failed: [] });
    const row = sqlOf(store)
      .query("SELECT title, properties ->> '$.activity_type' AS type, properties ->> '$.activity_gear' AS gear, properties ->> '$.intervals_icu_id' AS icu FROM activities WHERE key = 'intervals_icu:i2'")
      .get();
    expect(row).toEqual({ title: "Gravel", type: "GravelRide", gear: "Steel bike", icu: "i2" });
    expect(lists()[0]).toBe("GET /api/v1/athlete/0/activities?oldest=2026-04-20&newest=2026-05-21&limit=200");
  });

  test("pages through more activities than one page holds, several per day", async () => {
    for (let i = 0; i < 11; i++) fake.activities.push(icu(100 + i, Math.floor(i / 2), { start_date_local: day(Math.floor(i / 2), 6 + (i % 2)) }));
    const s = await run({ pageSize: 3 });
    expect(s.listed).toBe(11);
    expect(s.added).toBe(11);
    expect(lists().length).toBeGreaterThan(3);
    expect(store.activityCount()).toBe(11);
  });

  test("skips what is stored: its own key, the Strava id as strava:<id>, and the same file bytes under another key", async () => {
    fake.activities.push(icu(1, 1), icu(2, 2, { strava_id: "555" }), icu(3, 3), icu(4, 4));
    // Stored before: i1 by an earlier fetch, Strava activity 555 by the export or webhook, i3's file by an upload.
    ingestFiles(store, [
      { name: "x.gpx", bytes: rideFile(50, "gpx"), key: "intervals_icu:i1" },
      { name: "y.gpx", bytes: rideFile(51, "gpx"), key: "strava:555" },
      { name: "3.fit", bytes: fake.activities[2].file!.bytes },
    ]);
    const s = await run();
    expect(s).toMatchObject({ listed: 4, added: 1, alreadyStored: 3, failed: [] });
    // Known keys cost no download; known bytes are only found out after one.
    expect(downloads()).toEqual(["GET /api/v1/activity/i3/file", "GET /api/v1/activity/i4/file"]);
    expect(store.activityCount()).toBe(4);
  });

  const gzipped: [string, string, (b: Uint8Array) => Uint8Array, "fit" | "gpx" | "tcx"][] = [
    ["named .fit.gz", "7.fit.gz", gzipSync, "fit"],
    ["named .gpx.gz", "7.gpx.gz", gzipSync, "gpx"],
    ["gzip bytes under a plain .fit name", "7.fit", gzipSync, "fit"],
    ["gzip bytes under a plain .tcx name", "7.tcx", gzipSync, "tcx"],
    ["plain .gpx", "7.gpx", (b) => b, "gpx"],
  ];
  for (const [name, fileName, pack, format] of gzipped) {
    test(`downloads ${name}`, async () => {
      fake.activities.push(icu(7, 1, { file: { name: fileName, bytes: pack(rideFile(7, format)) } }));
      const s = await run();
      expect(s).toMatchObject({ added: 1, failed: [], skipped: [] });
    });
  }

  test("Strava-sourced activities are counted and reported, not failed, and not downloaded", async () => {
    fake.activities.push(icu(1, 1), icu(2, 2, { source: "STRAVA", file: undefined }), icu(3, 3, { source: "STRAVA", file: undefined }));
    const s = await run();
    expect(s).toMatchObject({ listed: 3, added: 1, fromStrava: 2, failed: [] });
    expect(downloads()).toEqual(["GET /api/v1/activity/i1/file"]);
  });

  test("virtual rides are skipped without a download; broken files fail alone", async () => {
    fake.activities.push(
      icu(1, 1, { type: "VirtualRide" }),
      icu(2, 2, { trainer: true }),
      icu(3, 3, { file: { name: "3.gpx", bytes: strToU8("<gpx><trk><trkseg><trkpt lat=") } }),
      icu(4, 4),
    );
    const s = await run();
    expect(s.added).toBe(1);
    expect(s.skipped.map((x) => x.id)).toEqual(["i1", "i2"]);
    expect(s.failed.map((x) => x.id)).toEqual(["i3"]);
    expect(downloads()).toEqual(["GET /api/v1/activity/i3/file", "GET /api/v1/activity/i4/file"]);
  });

  const cutoffs: [string, string | null, number, string][] = [
    ["no cut-off: the look-back decides", null, 3, "2026-04-20"],
    ["a cut-off later than the look-back wins", "2026-05-10", 2, "2026-05-10"],
    ["a cut-off earlier than the look-back is ignored", "2026-01-01", 3, "2026-04-20"],
  ];
  for (const [name, cutoff, added, oldest] of cutoffs) {
    test(name, async () => {
      fake.activities.push(icu(1, 2), icu(2, 9), icu(3, 20), icu(4, 45));
      store.setConfig("fetch_cutoff", cutoff);
      const s = await run();
      expect(s.added).toBe(added);
      expect(lists()[0]).toContain(`oldest=${oldest}&`);
    });
  }

  test("a re-run adds nothing and downloads nothing", async () => {
    fake.activities.push(icu(1, 1), icu(2, 2, { file: { name: "2.fit.gz", bytes: gzipSync(rideFile(2, "fit")) } }), icu(3, 3, { source: "STRAVA", file: undefined }));
    const first = await run();
    expect(first.added).toBe(2);
    const version = store.dataVersion();
    const before = downloads().length;
    const second = await run();
    expect(second).toEqual({ listed: 3, added: 0, alreadyStored: 2, fromStrava: 1, skipped: [], failed: [] });
    expect(downloads().length).toBe(before);
    expect(store.dataVersion()).toBe(version);
  });

  test("a wrong API key names the variable to check", async () => {
    const env = { ...intervalsEnv(fake.env()), apiKey: "wrong" };
    await expect(fetchIntervals(store, env, { lookbackDays: 30, now: NOW })).rejects.toThrow(/refused the API key \(401\); check INTERVALS_ICU_API_KEY/);
  });

  test("missing INTERVALS_ICU_API_KEY is a config error naming it", () => {
    expect(() => intervalsEnv({})).toThrow(/INTERVALS_ICU_API_KEY/);
  });
});

describe("dispositionName", () => {
  const cases: [string | null, string | null][] = [
    ['attachment; filename="ride.fit.gz"', "ride.fit.gz"],
    ["attachment; filename=ride.gpx", "ride.gpx"],
    ["attachment; filename*=UTF-8''Morgen%20Runde.fit", "Morgen Runde.fit"],
    ['attachment; filename="../../etc/ride.tcx"', "ride.tcx"],
    ["attachment", null],
    [null, null],
  ];
  for (const [header, name] of cases) test(`${header} → ${name}`, () => expect(dispositionName(header)).toBe(name));
});

describe("hotpot fetch intervals-icu (CLI)", () => {
  // Asynchronous: the fake answers from this process, so it must not be blocked while the CLI runs.
  const cli = async (args: string[], env: Record<string, string>) => {
    const p = Bun.spawn(["bun", join(import.meta.dir, "../../src/cli.ts"), ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    return { code, out, err };
  };

  test("prints the counts; a second run adds nothing", async () => {
    const today = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY).toISOString().slice(0, 19);
    fake.activities.push(icu(1, 0, { start_date_local: today(1) }), icu(2, 0, { start_date_local: today(2), source: "STRAVA", file: undefined }));
    const db = join(dir, "cli.sqlite3");
    const first = await cli(["fetch", "intervals-icu", "--lookback", "7", "--db", db], fake.env());
    expect(first.err).toBe("");
    expect(first.code).toBe(0);
    expect(first.out).toContain("intervals.icu: 2 listed, 1 added, 0 already stored, 1 from Strava");
    const second = await cli(["fetch", "intervals-icu", "--db", db], fake.env());
    expect(second.out).toContain("2 listed, 0 added, 1 already stored, 1 from Strava");
  }, 20_000);

  const errors: [string, string[], Record<string, string>, RegExp][] = [
    ["missing API key", ["fetch", "intervals-icu"], {}, /^hotpot: .*INTERVALS_ICU_API_KEY/],
    ["bad look-back", ["fetch", "intervals-icu", "--lookback", "a week"], { INTERVALS_ICU_API_KEY: "k" }, /^hotpot: --lookback: expected a whole number of days/],
    ["zero look-back", ["fetch", "intervals-icu", "--lookback", "0"], { INTERVALS_ICU_API_KEY: "k" }, /^hotpot: --lookback/],
  ];
  for (const [name, args, env, message] of errors) {
    test(`${name}: exit 1 with one line, no stack trace`, async () => {
      const r = await cli([...args, "--db", join(dir, "err.sqlite3")], env);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split("\n")).toHaveLength(1);
    });
  }
});
