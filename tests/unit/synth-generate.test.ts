import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCsv } from "../../src/import/csv.ts";
import { parseFile } from "../../src/parse/index.ts";
import { stravaDate } from "../../src/synth/csv.ts";
import { activityFile, generateActivities, generateDataset, type DatasetSummary, type GeneratedActivity } from "../../src/synth/generate.ts";
import { Random } from "../../src/synth/random.ts";
import { record, type Device } from "../../src/synth/record.ts";
import { HOME } from "../../src/synth/regions.ts";
import type { Route } from "../../src/synth/route.ts";

const temp = mkdtempSync(join(tmpdir(), "hotpot-synth-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** Every file under a folder, by relative path. */
function readTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files.set(path.slice(dir.length + 1), readFileSync(path));
    }
  }
  return files;
}

describe("generateDataset", () => {
  const small = { seed: 7, targetKm: 400 };
  let summary: DatasetSummary;
  let tree: Map<string, Buffer>;
  beforeAll(async () => {
    summary = await generateDataset({ ...small, outDir: join(temp, "a") });
    tree = readTree(join(temp, "a"));
  });

  test("the same seed writes byte-identical files", async () => {
    await generateDataset({ ...small, outDir: join(temp, "b") });
    const again = readTree(join(temp, "b"));
    expect([...again.keys()].sort()).toEqual([...tree.keys()].sort());
    for (const [name, bytes] of tree) expect(Buffer.compare(bytes, again.get(name)!)).toBe(0);
  });

  test("another seed writes other activities", async () => {
    await generateDataset({ ...small, seed: 8, outDir: join(temp, "c") });
    const other = readTree(join(temp, "c"));
    expect(other.get("activities.csv")!.equals(tree.get("activities.csv")!)).toBe(false);
    const shared = [...other.keys()].filter((name) => name !== "activities.csv" && tree.get(name)?.equals(other.get(name)!));
    expect(shared).toEqual([]);
  });

  test("activities.csv has Strava's columns, repeated ones included, and a row per activity", () => {
    const [header, ...rows] = parseCsv(tree.get("activities.csv")!.toString("utf8"));
    for (const column of ["Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description", "Commute", "Filename", "Elevation Gain", "Average Temperature", "Moving Time"]) {
      expect(header).toContain(column);
    }
    for (const repeated of ["Elapsed Time", "Distance", "Commute"]) expect(header.filter((h) => h === repeated)).toHaveLength(2);
    expect(rows).toHaveLength(summary.rows);
    const at = (name: string) => header.indexOf(name);
    const filenames = rows.map((r) => r[at("Filename")]);
    const onDisk = filenames.filter((f) => f !== "" && tree.has(f));
    expect(onDisk).toHaveLength(summary.files);
    expect(filenames.filter((f) => f !== "" && !tree.has(f))).toHaveLength(1); // the missing file
    expect(filenames.filter((f) => f === "")).toHaveLength(summary.manual);
    for (const row of rows) {
      expect(row).toHaveLength(header.length);
      expect(row[at("Activity Date")]).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d:\d\d [AP]M$/);
      expect(["Ride", "Run", "Hike", "Walk", "Virtual Ride", "Weight Training"]).toContain(row[at("Activity Type")]);
      expect(["true", "false"]).toContain(row[at("Commute")]);
    }
    expect(new Set(rows.map((r) => r[at("Activity ID")])).size).toBe(rows.length);
  });

  test("files sit under activities/ as <id>.<gpx|tcx|fit>[.gz]", () => {
    for (const name of tree.keys()) {
      if (name !== "activities.csv") expect(name).toMatch(/^activities\/\d+\.(gpx|tcx|fit)(\.gz)?$/);
    }
    expect(summary.files).toBe(tree.size - 1);
  });
});

describe("generateActivities", () => {
  test.each([200, 1000, 5000])("meets a target of %i km within 5 percent", (targetKm) => {
    let km = 0;
    for (const a of generateActivities({ seed: 3, targetKm })) km += a.csv.distance / 1000;
    expect(Math.abs(km / targetKm - 1)).toBeLessThanOrEqual(0.05);
  });

  test("the same seed gives the same activities in memory", () => {
    const first = [...generateActivities({ seed: 11, targetKm: 300 })];
    const again = [...generateActivities({ seed: 11, targetKm: 300 })];
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
  });

  const mix = [...generateActivities({ seed: 5, targetKm: 6000 })];
  const share = (pick: (a: GeneratedActivity) => boolean) => mix.filter(pick).length / mix.length;

  test.each([
    ["gpx", 0.5, 0.1],
    ["tcx", 0.25, 0.08],
    ["fit", 0.25, 0.08],
  ] as const)("%s files make up about %d of the set by default", (format, expected, tolerance) => {
    expect(Math.abs(share((a) => a.format === format) - expected)).toBeLessThanOrEqual(tolerance);
  });

  test("about 20% of the files are gzipped, and variants appear", () => {
    expect(Math.abs(share((a) => a.gz) - 0.2)).toBeLessThanOrEqual(0.07);
    expect(mix.some((a) => a.file.gpx?.version === "1.0")).toBe(true);
    expect(mix.some((a) => a.file.gpx?.bom)).toBe(true);
    expect(mix.some((a) => a.segments.length > 1)).toBe(true);
  });

  test("the format mix is configurable", () => {
    const only = [...generateActivities({ seed: 5, targetKm: 300, formats: { gpx: 0, tcx: 1, fit: 0, gz: 1 } })];
    expect(only.every((a) => a.filename.endsWith(".tcx.gz"))).toBe(true);
  });

  test("types, speeds and pauses are plausible", () => {
    const types = new Set(mix.map((a) => a.csv.type));
    for (const type of ["Ride", "Run", "Hike", "Walk", "Virtual Ride"]) expect(types).toContain(type);
    const speed = (a: GeneratedActivity) => a.csv.distance / 1000 / (a.csv.moving / 3600);
    const median = (values: number[]) => values.sort((x, y) => x - y)[values.length >> 1];
    const bounds: Record<string, [number, number]> = { Ride: [18, 32], Run: [9, 14], Hike: [3, 6] };
    for (const [type, [low, high]] of Object.entries(bounds)) {
      const m = median(mix.filter((a) => a.csv.type === type).map(speed));
      expect(m).toBeGreaterThanOrEqual(low);
      expect(m).toBeLessThanOrEqual(high);
    }
    const outdoor = mix.filter((a) => a.csv.type !== "Virtual Ride");
    expect(outdoor.filter((a) => a.csv.moving < a.csv.elapsed).length / outdoor.length).toBeGreaterThan(0.5);
    const years = new Set(mix.map((a) => new Date(a.startTime).getUTCFullYear()));
    expect(years.size).toBeGreaterThanOrEqual(9);
    expect(new Set(mix.map((a) => a.region)).size).toBeGreaterThanOrEqual(3);
  });

  test("activities follow one another, even on a crowded calendar", () => {
    const crowded = [...generateActivities({ seed: 5, targetKm: 3000, years: 0.5 })];
    for (let i = 1; i < crowded.length; i++) {
      expect(crowded[i].startTime).toBeGreaterThanOrEqual(crowded[i - 1].startTime + crowded[i - 1].csv.elapsed * 1000);
      expect(crowded[i].id).toBeGreaterThan(crowded[i - 1].id);
    }
  });

  test("generated files parse back with the same points and type", () => {
    // One of each format, gzip, GPX variant and a virtual ride.
    const picks = new Map<string, GeneratedActivity>();
    for (const a of mix) {
      const key = `${a.format}-${a.gz}-${a.file.gpx?.version}-${a.file.gpx?.bom}-${a.file.gpx?.prefix}-${a.csv.type === "Virtual Ride"}`;
      if (!picks.has(key)) picks.set(key, a);
    }
    expect(picks.size).toBeGreaterThanOrEqual(8);
    for (const a of picks.values()) {
      const file = activityFile(a);
      const parsed = parseFile(file.name, file.bytes);
      if (a.csv.type === "Virtual Ride") {
        expect(parsed).toMatchObject({ skip: "virtual" });
        continue;
      }
      if ("skip" in parsed) throw new Error(`${file.name} was skipped: ${parsed.skip}`);
      const count = (segments: { lat: number[] }[]) => segments.reduce((n, s) => n + s.lat.length, 0);
      expect(count(parsed.segments)).toBe(a.points);
      if (a.format === "gpx") {
        expect(parsed.segments).toHaveLength(a.segments.length);
        expect(parsed.properties.activity_type).toBe(a.type);
      }
      expect(parsed.segments[0].lat[0]).toBeCloseTo(a.segments[0].lat[0], 6);
      expect(parsed.segments[0].time[0]).toBe(a.segments[0].time[0]);
    }
  });
});

describe("record", () => {
  // A straight 20 km road east along the home latitude, flat.
  const n = 801;
  const route: Route = {
    x: Float64Array.from({ length: n }, (_, i) => i * 25),
    y: new Float64Array(n),
    z: new Float64Array(n).fill(200),
    cum: Float64Array.from({ length: n }, (_, i) => i * 25),
    length: (n - 1) * 25,
    lights: [],
  };
  const device: Device = { sampling: "every", autoPause: false, splitOnPause: false, gpsError: 3, elevation: "barometer", spike: false };
  const northError = (lat: number[]) => lat.map((v) => (v - HOME.lat) * 111_320);

  test("GPS error drifts slowly with a few metres of deviation (not white noise)", () => {
    const rec = record(route, HOME, "ride", 7, [], device, 0, new Random(1));
    const e = northError(rec.segments[0].lat);
    const mean = e.reduce((s, v) => s + v, 0) / e.length;
    const variance = e.reduce((s, v) => s + (v - mean) ** 2, 0) / e.length;
    let lagged = 0;
    for (let i = 1; i < e.length; i++) lagged += (e[i] - mean) * (e[i - 1] - mean);
    expect(Math.sqrt(variance)).toBeGreaterThan(1);
    expect(Math.sqrt(variance)).toBeLessThan(6);
    expect(lagged / (e.length - 1) / variance).toBeGreaterThan(0.9);
  });

  test("a spike is one point hundreds of metres off", () => {
    const rec = record(route, HOME, "ride", 7, [], { ...device, spike: true }, 0, new Random(2));
    const far = northError(rec.segments[0].lat).filter((v, i) => {
      const east = (rec.segments[0].lon[i] - HOME.lon) * 111_320 * Math.cos((HOME.lat * Math.PI) / 180);
      const along = Math.min(route.length, Math.max(0, east));
      return Math.hypot(v, east - along) > 50;
    });
    expect(far).toHaveLength(1);
  });

  test.each([
    ["auto-pause leaves a time gap", true],
    ["without auto-pause the device logs in place", false],
  ] as const)("a stop: %s", (_, autoPause) => {
    const rec = record(route, HOME, "ride", 7, [{ at: 10_000, seconds: 300 }], { ...device, autoPause }, 0, new Random(3));
    const time = rec.segments.flatMap((s) => s.time);
    const longest = Math.max(...time.slice(1).map((t, i) => t - time[i]));
    expect(longest >= 300_000).toBe(autoPause);
    expect(rec.elapsed - rec.moving).toBe(300);
  });

  test("smart recording logs every 3 to 10 s", () => {
    const rec = record(route, HOME, "ride", 7, [], { ...device, sampling: "smart" }, 0, new Random(4));
    const time = rec.segments[0].time;
    const gaps = new Set(time.slice(1).map((t, i) => (t - time[i]) / 1000));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(10);
    expect(gaps.size).toBeGreaterThanOrEqual(5);
  });
});

test.each([
  [Date.UTC(2021, 0, 2, 7, 3, 11), "Jan 2, 2021, 7:03:11 AM"],
  [Date.UTC(2019, 11, 31, 0, 5, 0), "Dec 31, 2019, 12:05:00 AM"],
  [Date.UTC(2024, 6, 14, 12, 0, 9), "Jul 14, 2024, 12:00:09 PM"],
  [Date.UTC(2016, 2, 5, 23, 59, 59), "Mar 5, 2016, 11:59:59 PM"],
])("stravaDate(%i) is %s", (ms, text) => {
  expect(stravaDate(ms)).toBe(text);
});

describe("Random", () => {
  test("is reproducible from its seed and forks independent streams", () => {
    const a = new Random(42);
    const b = new Random(42);
    const first = Array.from({ length: 5 }, () => a.uint32());
    expect(Array.from({ length: 5 }, () => b.uint32())).toEqual(first);
    expect(new Random(43).uint32()).not.toBe(first[0]);
    const parent = new Random(9);
    expect(parent.fork("x").uint32()).toBe(parent.fork("x").uint32());
    expect(parent.fork("x").uint32()).not.toBe(parent.fork("y").uint32());
  });

  test("normal() has mean 0 and deviation 1", () => {
    const rng = new Random(1);
    const values = Array.from({ length: 20000 }, () => rng.normal());
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
  });
});
