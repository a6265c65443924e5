/**
 * Rust hotpot databases of every schema version it shipped, built here the way
 * the Rust hotpot builds them, then opened (and so converted) by our store.
 *
 * Follows erik/hotpot's src/db.rs and src/activity.rs at v0.3.0 (commit bf9342e),
 * with the schema of each earlier version from its tag: v0.1.0-v0.1.3 (user_version 0),
 * v0.1.4/v0.2.0 (1: created_at), v0.2.1/v0.2.2 (2: JSONB properties), v0.3.0 (3: covering index).
 * Geometry: `activity::upsert` stores each clipped line as u16 LE x,y pairs with y flipped
 * (tile_extent - y); timestamps are rusqlite 0.29's `time` text.
 */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clipTrack } from "../../src/clip.ts";
import { decodeLines } from "../../src/codec.ts";
import { iterateActivities } from "../../src/query.ts";
import { renderTileCounts } from "../../src/render.ts";
import { DEFAULT_CONFIG, openStore, Store } from "../../src/store.ts";
import { rustTime } from "../../src/store/rust.ts";
import { latToY, lngToX, xToLng, yToLat } from "../../src/tile.ts";
import type { TileGeometry } from "../../src/types.ts";
import { errorOf } from "../helpers/errors.ts";
import { sqlOf } from "../helpers/sql.ts";

const dir = mkdtempSync(join(tmpdir(), "hotpot-rust-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const schema = (version: number) => `
CREATE TABLE IF NOT EXISTS config (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS activities (
  id INTEGER PRIMARY KEY, file TEXT NOT NULL, title TEXT,
  start_time ${version === 0 ? "INTEGER" : "TEXT"},
  properties ${version >= 2 ? "BLOB" : "TEXT"} NOT NULL DEFAULT '{}'
  ${version >= 1 ? ", created_at TEXT" : ""}
);
CREATE UNIQUE INDEX IF NOT EXISTS activities_file ON activities (file);
CREATE TABLE IF NOT EXISTS activity_tiles (
  id INTEGER PRIMARY KEY, activity_id INTEGER NOT NULL, z INTEGER NOT NULL, x INTEGER NOT NULL, y INTEGER NOT NULL, coords BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS activity_tiles_activity_id ON activity_tiles (activity_id);
${version >= 3 ? "CREATE INDEX IF NOT EXISTS activity_tiles_zxy_coords ON activity_tiles (z, x, y, coords);" : "CREATE INDEX IF NOT EXISTS activity_tiles_zxy ON activity_tiles (z, x, y);"}
CREATE TABLE IF NOT EXISTS strava_tokens (athlete_id INTEGER PRIMARY KEY, access_token TEXT NOT NULL, refresh_token TEXT NOT NULL, expires_at INTEGER NOT NULL);
PRAGMA user_version = ${version};
`;

const EXTENT = 2048;
/** Over the start of the first loop, so masking shows in the drawn tile. */
const MASK = { name: "home", lat: yToLat(335.5 / 1024), lng: xToLng(549.5 / 1024) + 0.05, radius: 1500 };
const LEVELS = [10];

/**
 * A loop well inside zoom-10 tile 549/335 (near Berlin), in world space: the Rust
 * hotpot clips lines at the tile's edges, so its u16 coordinates never leave it.
 */
function track(offset: number) {
  const lng = xToLng(549.5 / 1024);
  const lat = yToLat(335.5 / 1024);
  const pts: number[] = [];
  for (let i = 0; i <= 40; i++) {
    const a = (i / 40) * Math.PI * 1.5;
    pts.push(lngToX(lng + offset + 0.05 * Math.cos(a)), latToY(lat + 0.03 * Math.sin(a)));
  }
  return { lines: [Float64Array.from(pts)] };
}

/** Our clipped tiles written as the Rust hotpot's rows: one row per line, u16 pairs, y flipped. */
function rustRows(tiles: TileGeometry[]) {
  return tiles.flatMap((t) => {
    const { coords, ends } = decodeLines(t.geometry);
    const rows: Uint8Array[] = [];
    let start = 0;
    for (const end of ends) {
      const bytes = new Uint8Array((end - start) * 4);
      const view = new DataView(bytes.buffer);
      for (let p = start; p < end; p++) {
        view.setUint16((p - start) * 4, coords[2 * p], true);
        view.setUint16((p - start) * 4 + 2, EXTENT - coords[2 * p + 1], true);
      }
      rows.push(bytes);
      start = end;
    }
    return rows.map((coords) => ({ z: t.z, x: t.x, y: t.y, coords }));
  });
}

const activities = [
  { id: 3, file: "activities/123.gpx", title: "Morning Ride", start: "2023-07-01 08:12:33.0+00:00", props: { activity_type: "ride", distance: 12.5 }, offset: 0 },
  { id: 7, file: "strava:987", title: "Webhook Run", start: "2024-02-03 17:00:00.5+01:00", props: { activity_type: "run" }, offset: 0.02 },
  { id: 9, file: "upload:evening.fit", title: null, start: null, props: {}, offset: 0.04 },
];

function buildRust(path: string, version: number): void {
  const db = new Database(path, { create: true });
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(schema(version));
  const config = db.query("INSERT INTO config (key, value) VALUES (?, ?)");
  config.run("zoom_levels", JSON.stringify(LEVELS));
  config.run("tile_extent", EXTENT);
  config.run("trim_dist", 150.0);
  config.run("activity_masks", JSON.stringify([MASK]));
  config.run("fetch_cutoff", "2024-01-01");
  for (const a of activities) {
    const props = version >= 2 ? "jsonb(?)" : "?";
    const cols = version >= 1 ? "id, file, title, start_time, properties, created_at" : "id, file, title, start_time, properties";
    const vals = version >= 1 ? `?, ?, ?, ?, ${props}, ?` : `?, ?, ?, ?, ${props}`;
    const params: (string | number | null)[] = [a.id, a.file, a.title, a.start, JSON.stringify(a.props)];
    if (version >= 1) params.push("2024-03-01 10:00:00.0+00:00");
    db.query(`INSERT INTO activities (${cols}) VALUES (${vals})`).run(...params);
    for (const r of rustRows(clipTrack(track(a.offset), LEVELS, EXTENT))) {
      db.query("INSERT INTO activity_tiles (activity_id, z, x, y, coords) VALUES (?, ?, ?, ?, ?)").run(a.id, r.z, r.x, r.y, r.coords);
    }
  }
  // Leftovers the conversion drops: tiles of a deleted activity, and a row of one point (no line).
  db.query("INSERT INTO activity_tiles (activity_id, z, x, y, coords) VALUES (?, ?, ?, ?, ?)").run(99, 10, 549, 335, new Uint8Array(8));
  db.query("INSERT INTO activity_tiles (activity_id, z, x, y, coords) VALUES (?, ?, ?, ?, ?)").run(3, 10, 550, 335, new Uint8Array(4));
  db.query("INSERT INTO strava_tokens VALUES (?, ?, ?, ?)").run(42, "access", "refresh", 1_700_000_000);
  db.close();
}

/** The same activities imported into a database of ours, to draw what the converted one must draw. */
function reference(): Store {
  const store = openStore(":memory:");
  store.setConfig("zoom_levels", LEVELS);
  store.insertActivities(
    activities.map((a) => ({ key: a.file, fileHash: null, title: a.title, startTime: null, properties: {}, tiles: clipTrack(track(a.offset), LEVELS, EXTENT) })),
  );
  return store;
}

describe("converting a Rust hotpot database", () => {
  const ref = reference();
  const [tile] = clipTrack(track(0), LEVELS, EXTENT);

  test.each([0, 1, 2, 3])("schema version %i: activities, tiles, settings and tokens convert; the original is kept", (version) => {
    const path = join(dir, `v${version}.sqlite3`);
    buildRust(path, version);
    const notices: string[] = [];
    const store = openStore(path, { notice: (m) => notices.push(m) });
    try {
      expect(notices.join("\n")).toContain(`Rust hotpot database (schema ${version})`);
      expect(existsSync(`${path}.rust-backup`)).toBe(true);
      const backup = new Database(`${path}.rust-backup`, { readonly: true });
      expect((backup.query("SELECT count(*) AS n FROM activities").get() as { n: number }).n).toBe(3);
      backup.close();

      const listed = [...iterateActivities(store, null, { tiles: true })];
      expect(listed.map((a) => [a.key, a.title, a.start_time])).toEqual([
        ["rust-file:activities/123.gpx", "Morning Ride", "2023-07-01T08:12:33.000Z"],
        ["strava:987", "Webhook Run", "2024-02-03T16:00:00.500Z"],
        ["upload:evening.fit", null, null],
      ]);
      expect(listed[0].properties).toEqual({ activity_type: "ride", distance: 12.5 });
      expect(listed.map((a) => a.tiles)).toEqual([1, 1, 1]);
      expect((sqlOf(store).query("SELECT count(*) AS n FROM activity_tiles").get() as { n: number }).n).toBe(3);
      expect((sqlOf(store).query("SELECT id FROM activities ORDER BY id").values() as number[][]).flat()).toEqual([3, 7, 9]);
      expect((sqlOf(store).query("SELECT file_name FROM activities ORDER BY id").values() as (string | null)[][]).flat()).toEqual(["activities/123.gpx", null, "evening.fit"]);

      const config = store.config();
      expect(config).toEqual({
        zoom_levels: LEVELS,
        tile_extent: EXTENT,
        trim_dist: 150,
        activity_masks: [MASK],
        fetch_cutoff: "2024-01-01",
      });
      expect(sqlOf(store).query("SELECT * FROM strava_tokens").all()).toEqual([{ athlete_id: 42, access_token: "access", refresh_token: "refresh", expires_at: 1_700_000_000 }]);

      // Masks apply to both; the lines drawn must be the same pixels.
      ref.setConfig("activity_masks", config.activity_masks);
      const mine = renderTileCounts(store, tile.z, tile.x, tile.y, { size: 512 });
      const theirs = renderTileCounts(ref, tile.z, tile.x, tile.y, { size: 512 });
      expect(theirs).not.toBeNull();
      expect(theirs).not.toEqual(renderTileCounts(reference(), tile.z, tile.x, tile.y, { size: 512 }));
      expect(mine).toEqual(theirs);
    } finally {
      store.close();
    }
    // Converted once: opening again neither converts nor complains.
    const again = openStore(path, { notice: () => expect.unreachable("converted twice") });
    expect(again.activityCount()).toBe(3);
    again.close();
  });

  test("a Rust database without its levels written down is read at the Rust hotpot's default levels, not ours", () => {
    const path = join(dir, "no-levels.sqlite3");
    buildRust(path, 3);
    const raw = new Database(path);
    raw.exec("DELETE FROM config WHERE key = 'zoom_levels'");
    raw.close();
    const store = openStore(path, { notice: () => {} });
    try {
      expect(store.config().zoom_levels).toEqual([2, 6, 10, 14, 16]);
      expect(store.config().zoom_levels).not.toEqual(DEFAULT_CONFIG.zoom_levels);
    } finally {
      store.close();
    }
  });

  test("a conversion that fails leaves the database as it was and no backup", () => {
    const path = join(dir, "bad-config.sqlite3");
    buildRust(path, 3);
    const raw = new Database(path);
    raw.exec("UPDATE config SET value = 'soon' WHERE key = 'fetch_cutoff'");
    raw.close();
    expect(errorOf(() => openStore(path, { notice: () => {} }))).toMatchObject({ code: "bad_argument", message: expect.stringContaining("fetch_cutoff") });
    expect(existsSync(`${path}.rust-backup`)).toBe(false);
    const db = new Database(path, { readonly: true });
    expect((db.query("SELECT count(*) AS n FROM activity_tiles").get() as { n: number }).n).toBeGreaterThan(0);
    db.close();
  });
});

test("hotpot activities on a Rust database: says what it does, converts, and lists", async () => {
  const path = join(dir, "cli.sqlite3");
  buildRust(path, 2);
  const proc = Bun.spawn(["bun", join(import.meta.dir, "../..", "src/cli.ts"), "activities", "-c", "-D", path], { stdout: "pipe", stderr: "pipe" });
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  expect({ code, stdout }).toEqual({ code: 0, stdout: "3\n" });
  expect(stderr).toBe(`hotpot: ${path} is a Rust hotpot database (schema 2): converting it in place; the original is kept as ${path}.rust-backup\n`);
}, 30_000);

describe("importing the Rust hotpot's files again after converting", () => {
  // The Rust hotpot knew a file by the path its import walked (here `activities/123.gpx`,
  // imported from `dir`), so a script that imports the same folder must not add it twice.
  // (--trim 0: the converted settings hide 150 m at each end, the whole of the short sample.)
  const sample = readFileSync(join(import.meta.dir, "../fixtures/activities/sample.gpx"));

  test.each(["activities", "./activities", "activities/"])("hotpot import %s: the file it had is already stored, a new one is added", async (given) => {
    const work = mkdtempSync(join(dir, "again-"));
    const db = join(work, "hotpot.sqlite3");
    buildRust(db, 3);
    mkdirSync(join(work, "activities"));
    writeFileSync(join(work, "activities/123.gpx"), sample);
    writeFileSync(join(work, "activities/456.gpx"), sample.toString().replace(/<name>[^<]*<\/name>/, "<name>new</name>").replace("</gpx>", "<!-- another file --></gpx>"));
    const proc = Bun.spawn(["bun", join(import.meta.dir, "../..", "src/cli.ts"), "import", given, "-D", db, "--trim", "0"], { cwd: work, stdout: "pipe", stderr: "pipe" });
    const [code, stdout] = await Promise.all([proc.exited, new Response(proc.stdout).text()]);
    expect({ code, imported: /Imported (\d+) activit/.exec(stdout)?.[1], stored: /(\d+) already stored/.exec(stdout)?.[1] }).toEqual({ code: 0, imported: "1", stored: "1" });
    const store = openStore(db);
    expect(store.activityCount()).toBe(4);
    store.close();
  }, 30_000);
});

describe("files that are not hotpot's", () => {
  test("a folder: a clear error", () => {
    expect(errorOf(() => openStore(dir))).toMatchObject({ code: "bad_file", message: expect.stringContaining("cannot be opened") });
  });

  test("a text file: a clear error, the bytes untouched", () => {
    const path = join(dir, "notes.txt");
    writeFileSync(path, "not a database at all\n".repeat(100));
    const before = readFileSync(path);
    expect(errorOf(() => openStore(path))).toMatchObject({ code: "bad_file", message: expect.stringContaining("not a SQLite database") });
    expect(readFileSync(path)).toEqual(before);
  });

  test("another program's SQLite database: a clear error, the bytes untouched", () => {
    const path = join(dir, "other.sqlite3");
    const db = new Database(path, { create: true });
    db.exec("CREATE TABLE recipes (name TEXT)");
    db.close();
    const before = readFileSync(path);
    expect(errorOf(() => openStore(path))).toMatchObject({ code: "bad_file", message: expect.stringContaining("tables: recipes") });
    expect(readFileSync(path)).toEqual(before);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  test("a newer hotpot schema still asks to upgrade hotpot", () => {
    const path = join(dir, "newer.sqlite3");
    openStore(path).close();
    const db = new Database(path);
    db.exec("PRAGMA user_version = 99");
    db.close();
    expect(errorOf(() => openStore(path))).toMatchObject({ message: expect.stringContaining("upgrade hotpot") });
  });
});

describe("rustTime", () => {
  test.each([
    ["2023-07-01 08:12:33.0+00:00", "2023-07-01T08:12:33.000Z"],
    ["2023-07-01 08:12:33.123456789-02:30", "2023-07-01T10:42:33.123Z"],
    ["2023-07-01T08:12:33Z", "2023-07-01T08:12:33.000Z"],
    [1_688_199_153, "2023-07-01T08:12:33.000Z"],
  ])("%p", (value, iso) => {
    expect(new Date(rustTime(value)!).toISOString()).toBe(iso);
  });
  test("unreadable text is no time", () => expect(rustTime("yesterday")).toBeNull());
});
