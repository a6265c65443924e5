import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { strToU8, zipSync, gzipSync } from "fflate";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runImport, type ImportOptions } from "../../src/import/run.ts";
import { openStore, WRITE_CACHE_MIB, type Store } from "../../src/store.ts";
import { writeGpx, writeTcx, writeFit } from "../../src/synth/formats.ts";
import { timelessGpx, walkActivity } from "../fixtures/import/synth.ts";
import { sqlOf } from "../helpers/sql.ts";

const FIXTURES = join(import.meta.dir, "../fixtures");
const tmp = mkdtempSync(join(tmpdir(), "hotpot-import-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = (name: string) => join(tmp, `${name}-${++n}`);

function write(path: string, data: string | Uint8Array): string {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, data);
  return path;
}

/** A folder holding the real fixture files under activities/, plus the given CSV as activities.csv. */
function fixtureFolder(csv?: string): string {
  const dir = fresh("fixtures");
  cpSync(join(FIXTURES, "activities"), join(dir, "activities"), { recursive: true });
  if (csv) cpSync(join(FIXTURES, csv), join(dir, "activities.csv"));
  return dir;
}

/** A folder of generated activities in every format: seeds [from, from + count). */
function generatedFolder(count: number, from = 0): string {
  const dir = fresh("generated");
  for (let i = from; i < from + count; i++) {
    const a = walkActivity(i);
    if (i % 3 === 0) write(join(dir, `g${i}.gpx`), writeGpx(a));
    else if (i % 3 === 1) write(join(dir, `sub/t${i}.tcx`), writeTcx(a));
    else write(join(dir, `sub/deeper/f${i}.fit`), writeFit(a));
  }
  return dir;
}

interface Row {
  key: string;
  title: string | null;
  start_time: number | null;
  properties: Record<string, unknown>;
}

function rows(store: Store): Map<string, Row> {
  const all = sqlOf(store).query("SELECT key, title, start_time, json(properties) AS properties FROM activities ORDER BY key").all() as (Row & { properties: string })[];
  return new Map(all.map((r) => [r.key, { ...r, properties: JSON.parse(r.properties) }]));
}

function byType(store: Store): Record<string, Row> {
  return Object.fromEntries([...rows(store).values()].map((r) => [String(r.properties.activity_type ?? r.properties.sport), r]));
}

let store: Store;
beforeEach(() => {
  store = openStore(":memory:");
});
const run = (options: ImportOptions) => runImport(store, { jobs: 2, ...options });

describe("folders and the auto-joined activities.csv", () => {
  test("fixtures with metadata.csv: imported, no-track skipped, corrupt file failed with path and reason, missing-file row counted", async () => {
    const dir = fixtureFolder("metadata.csv");
    const s = await run({ path: dir });
    expect(s.files).toBe(5);
    expect(s.imported).toBe(3);
    expect(s.skipped).toEqual({ already_stored: 0, no_track_data: 1, virtual: 0, unsupported: 0 });
    expect(s.csv).toEqual({ source: join(dir, "activities.csv"), withoutFile: 1, manual: 0 });
    expect(s.failed).toHaveLength(1);
    expect(s.failed[0].path).toBe(join(dir, "activities/corrupted.gpx"));
    expect(s.failed[0].reason).toMatch(/\S/);
    expect(store.activityCount()).toBe(3);
    const t = byType(store);
    // The CSV says run for the TCX the file calls Biking: the CSV wins.
    expect(Object.keys(t).sort()).toEqual(["ride", "run", "workout"]);
    expect(t.run.properties.duration).toBe(2400);
    // Computed stats overwrite same-named CSV columns (the CSV claims 500 m of climbing for a flat file).
    expect(t.ride.properties.elevation_gain).not.toBe(500);
    for (const r of rows(store).values()) expect(r.key).toMatch(/^file:[0-9a-f]{32}$/);
  });

  test("a Strava export CSV keys activities strava:<Activity ID>", async () => {
    const s = await run({ path: fixtureFolder("strava_export.csv") });
    expect(s.imported).toBe(3);
    expect([...rows(store).keys()]).toEqual(["strava:19387121985", "strava:19387121986", "strava:19387121987"]);
    expect(byType(store).run.key).toBe("strava:19387121986");
  });

  test("--join with an English Strava export: title, date for a file without one, manual and missing rows", async () => {
    const dir = fixtureFolder();
    // sample.gpx replaced by a file without any time: the CSV's Activity Date must be used.
    write(join(dir, "activities/sample.gpx"), timelessGpx(7));
    // Paths in a --join CSV are relative to the CSV's own folder.
    const csv = readFileSync(join(FIXTURES, "import/strava_en.csv"), "utf8").replaceAll("activities/", "../activities/");
    const s = await run({ path: dir, join: write(join(dir, "meta/strava.csv"), csv) });
    expect(s.csv).toMatchObject({ withoutFile: 1, manual: 1 });
    const ride = rows(store).get("strava:19387121985")!;
    expect(ride.title).toBe("Morning Ride");
    expect(ride.start_time).toBe(Date.parse("2021-01-02T07:03:11Z"));
    expect(ride.properties).toMatchObject({ activity_type: "Ride", distance_2: 25310.5, elapsed_time_2: 3600, commute: false });
    expect(typeof ride.properties.total_distance).toBe("number");
    // A file with its own start time keeps it.
    const run2 = rows(store).get("strava:19387121986")!;
    expect(run2.start_time).not.toBe(Date.parse("2021-01-03T12:30:00Z"));
  });

  test("a German Strava export joins by Dateiname", async () => {
    const dir = fixtureFolder("import/strava_de.csv");
    const s = await run({ path: dir });
    expect(s.csv).toMatchObject({ withoutFile: 0, manual: 1 });
    expect(rows(store).get("strava:19387121985")).toMatchObject({ title: "Morgenfahrt", properties: { activity_type: "Radfahrt", distanz: 25.31 } });
  });

  test("a CSV without a file column stops the import before anything changes", async () => {
    await run({ path: generatedFolder(3) });
    const dir = generatedFolder(2, 10);
    write(join(dir, "activities.csv"), "Activity ID,Name\n1,x\n");
    await expect(run({ path: dir, reset: true })).rejects.toThrow("no file column (expected 'filename' or 'Filename'");
    expect(store.activityCount()).toBe(3);
  });
});

describe("zip archives", () => {
  test("a Strava-style export zip with activities.csv at its root", async () => {
    const file = (name: string) => readFileSync(join(FIXTURES, "activities", name));
    const zip = write(
      join(fresh("zip"), "export.zip"),
      zipSync({
        "activities.csv": readFileSync(join(FIXTURES, "strava_export.csv")),
        activities: {
          "sample.gpx": file("sample.gpx"),
          "sample.tcx": [file("sample.tcx"), { level: 0 }],
          "sample.fit": file("sample.fit"),
          "corrupted.gpx": file("corrupted.gpx"),
          "extra.gpx.gz": gzipSync(strToU8(writeGpx(walkActivity(3)))),
        },
        "profile.json": strToU8("{}"),
      }),
    );
    const s = await run({ path: zip });
    expect(s).toMatchObject({ files: 6, imported: 4, skipped: { unsupported: 1 }, csv: { withoutFile: 0, manual: 0 } });
    expect(s.failed.map((f) => f.path)).toEqual([`${zip}:activities/corrupted.gpx`]);
    const keys = [...rows(store).keys()];
    expect(keys.filter((k) => k.startsWith("strava:"))).toHaveLength(3);
    expect(keys.filter((k) => k.startsWith("file:"))).toHaveLength(1);
    expect(byType(store).run.key).toBe("strava:19387121986");
    const again = await run({ path: zip });
    expect(again.imported).toBe(0);
    expect(again.skipped.already_stored).toBe(4);
  });

  test("a damaged entry fails alone, named inside the archive", async () => {
    const good = strToU8(writeGpx(walkActivity(4)));
    const bytes = zipSync({ "a.gpx": good, "b.gpx": good.slice(0, 10).fill(65) });
    // Corrupt the deflate stream of a.gpx (it starts after its 30-byte local header and 5-byte name).
    bytes.fill(0xff, 35, 45);
    const zip = write(join(fresh("zip"), "bad.zip"), bytes);
    const s = await run({ path: zip });
    expect(s.failed.map((f) => f.path).sort()).toEqual([`${zip}:a.gpx`, `${zip}:b.gpx`]);
  });
});

describe("idempotence", () => {
  test("twice, moved, renamed byte-identical copies and a .gz of a stored file add nothing", async () => {
    const dir = generatedFolder(9);
    const first = await run({ path: dir });
    expect(first.imported).toBe(9);
    // file_name is the path relative to the folder imported.
    const names = (sqlOf(store).query("SELECT file_name FROM activities ORDER BY file_name").values() as string[][]).flat();
    expect(names).toEqual(["g0.gpx", "g3.gpx", "g6.gpx", "sub/deeper/f2.fit", "sub/deeper/f5.fit", "sub/deeper/f8.fit", "sub/t1.tcx", "sub/t4.tcx", "sub/t7.tcx"]);
    const second = await run({ path: dir });
    expect(second).toMatchObject({ imported: 0, skipped: { already_stored: 9 } });

    const moved = fresh("moved");
    renameSync(dir, moved);
    cpSync(join(moved, "g0.gpx"), join(moved, "copy of g0.gpx"));
    write(join(moved, "g3.gpx.gz"), gzipSync(readFileSync(join(moved, "g3.gpx"))));
    const third = await run({ path: moved });
    expect(third).toMatchObject({ files: 11, imported: 0, skipped: { already_stored: 11 } });
    expect(store.activityCount()).toBe(9);
  });

  test("two copies of one file in a single import store one activity", async () => {
    const dir = generatedFolder(1);
    cpSync(join(dir, "g0.gpx"), join(dir, "again.gpx"));
    const s = await run({ path: dir });
    expect(s).toMatchObject({ imported: 1, skipped: { already_stored: 1 } });
  });

  test("a file imported without its Strava CSV takes the strava key when the export comes", async () => {
    await run({ path: fixtureFolder() });
    expect(store.activityCount()).toBe(3);
    const s = await run({ path: fixtureFolder("strava_export.csv") });
    expect(s.imported).toBe(0);
    expect([...rows(store).keys()]).toEqual(["strava:19387121985", "strava:19387121986", "strava:19387121987"]);
  });
});

describe("options", () => {
  test("--reset removes everything first", async () => {
    await run({ path: generatedFolder(4) });
    const s = await run({ path: generatedFolder(2, 100), reset: true });
    expect(s.imported).toBe(2);
    expect(store.activityCount()).toBe(2);
  });

  test("--trim is stored, applies to later imports, and stores less geometry", async () => {
    const geometryBytes = () => (sqlOf(store).query("SELECT sum(length(geometry)) AS n FROM activity_tiles").get() as { n: number }).n;
    const dir = generatedFolder(3);
    await run({ path: dir });
    const full = geometryBytes();
    await run({ path: dir, reset: true, trim: 500 });
    expect(store.config().trim_dist).toBe(500);
    const trimmed = geometryBytes();
    expect(trimmed).toBeLessThan(full * 0.8);
    await run({ path: dir, reset: true });
    expect(geometryBytes()).toBe(trimmed);
  });

  test("unsupported extensions are skipped, virtual activities skipped, not failed", async () => {
    const dir = generatedFolder(2);
    write(join(dir, "notes.txt"), "hello");
    write(join(dir, "photo.jpg"), "jpeg");
    write(join(dir, "zwift.gpx"), writeGpx(walkActivity(50, 100, { type: "VirtualRide" })));
    const s = await run({ path: dir, jobs: 1 });
    expect(s).toMatchObject({ files: 5, imported: 2, skipped: { unsupported: 2, virtual: 1 }, failed: [] });
  });

  test("a single file", async () => {
    const path = join(fixtureFolder(), "activities/sample.fit");
    const s = await run({ path });
    expect(s).toMatchObject({ files: 1, imported: 1, csv: null });
  });

  test("the import writes with a large page cache and leaves the connection's as it found it", async () => {
    const cacheMiB = () => -(sqlOf(store).query("PRAGMA cache_size").get() as { cache_size: number }).cache_size / 1024;
    const before = cacheMiB();
    let during = 0;
    const insert = store.insertActivities.bind(store);
    store.insertActivities = (records, options) => {
      during = cacheMiB();
      return insert(records, options);
    };
    await run({ path: generatedFolder(2) });
    expect(during).toBe(WRITE_CACHE_MIB);
    expect(cacheMiB()).toBe(before);
    expect(before).toBeLessThan(WRITE_CACHE_MIB);
  });

  test("a path that does not exist", async () => {
    await expect(run({ path: join(tmp, "nothing-here") })).rejects.toThrow("does not exist");
  });
});

describe("bounded unpacking (--max-file-mb)", () => {
  test("a nested .gz and a zip entry over the budget fail by name; the rest imports", async () => {
    const dir = fresh("bombs");
    const good = strToU8(writeGpx(walkActivity(7)));
    write(join(dir, "ok.gpx.gz.gz"), gzipSync(gzipSync(good)));
    write(join(dir, "x.gpx.gz.gz"), gzipSync(gzipSync(new Uint8Array(8 * 1024 * 1024))));
    const folder = await run({ path: dir, maxFileBytes: 1024 * 1024 });
    expect(folder).toMatchObject({ files: 2, imported: 1 });
    expect(folder.failed).toEqual([{ path: join(dir, "x.gpx.gz.gz"), reason: "unpacks to more than 1 MB" }]);

    const zip = write(join(fresh("bombs"), "export.zip"), zipSync({ "a.gpx": good, "big.gpx": new Uint8Array(8 * 1024 * 1024) }));
    const archive = await run({ path: zip, maxFileBytes: 1024 * 1024 });
    expect(archive).toMatchObject({ files: 2, imported: 0, skipped: { already_stored: 1 } });
    expect(archive.failed).toEqual([{ path: `${zip}:big.gpx`, reason: "unpacks to more than 1 MB" }]);
  });
});
