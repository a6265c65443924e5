/**
 * hotpot's own schema migrations: a database left at each older schema
 * version opens, is migrated to the current one, and keeps its activities,
 * tiles, settings, Strava tokens and queued Strava events.
 *
 * An older hotpot ran the migrations in order and stopped at its own count, so
 * a file at version v is exactly MIGRATIONS[0..v) plus the rows that version
 * could write (Rust hotpot databases are tested in tests/http/store-rust.test.ts).
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listActivities } from "../../src/query.ts";
import { DEFAULT_CONFIG, openStore, packCounts } from "../../src/store.ts";
import { MIGRATIONS } from "../../src/store/schema.ts";

const GEOMETRY = new Uint8Array([1, 2, 3, 250, 251, 252]);
const MASK = { name: "home", lat: 52.52, lng: 13.4, radius: 500 };

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hotpot-migrate-"));
  path = join(dir, "hotpot.sqlite3");
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A file as a hotpot with `version` migrations left it, with one of everything that version could store. */
function olderDatabase(version: number): void {
  const db = new Database(path, { create: true, readwrite: true });
  for (let v = 0; v < version; v++) db.exec(MIGRATIONS[v]);
  db.exec(`PRAGMA user_version = ${version}`);
  db.query("INSERT INTO activities (key, file_hash, title, start_time, created_at, properties) VALUES ('file:abc', 'abc', 'Old ride', 1700000000000, 1700000001000, jsonb(?))").run(
    JSON.stringify({ activity_type: "ride", total_distance: 4500 }),
  );
  db.query("INSERT INTO activity_tiles (z, x, y, activity_id, geometry) VALUES (14, 8800, 5373, 1, ?)").run(GEOMETRY);
  db.query("INSERT INTO config (key, value) VALUES ('activity_masks', ?), ('trim_dist', '200')").run(JSON.stringify([MASK]));
  db.query("INSERT INTO strava_tokens VALUES (4242, 'access', 'refresh', 1700003600)").run();
  if (version >= 2) {
    db.query("INSERT INTO strava_events (object_type, object_id, aspect_type, owner_id, event_time, updates, not_before) VALUES ('activity', 1001, 'create', 4242, 1, '{}', 0)").run();
  }
  db.close();
}

const userVersion = () => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
  } finally {
    db.close();
  }
};

describe("opening a database of an older hotpot schema", () => {
  test("there is an older version to migrate from", () => {
    expect(MIGRATIONS.length).toBeGreaterThan(1);
  });

  test.each(Array.from({ length: MIGRATIONS.length - 1 }, (_, i) => i + 1))("version %i migrates to the current one and keeps its data", (version) => {
    olderDatabase(version);
    expect(userVersion()).toBe(version);

    const store = openStore(path);
    try {
      expect(store.activityCount()).toBe(1);
      const [activity] = listActivities(store, null);
      expect(activity).toMatchObject({ key: "file:abc", title: "Old ride", start_time: "2023-11-14T22:13:20.000Z", file_name: null });
      expect(activity.properties).toEqual({ activity_type: "ride", total_distance: 4500 });
      const rows = store.tileRows(14, 8800, 8801, 5373, 5374);
      expect(rows.map((r) => [r.activity_id, [...r.geometry]])).toEqual([[1, [...GEOMETRY]]]);
      expect(store.config().activity_masks).toEqual([MASK]);
      expect(store.config().trim_dist).toBe(200);
      // Its tiles were clipped at the levels that were the default then (migration 5 writes them down).
      expect(store.config().zoom_levels).toEqual([2, 6, 10, 14, 16]);
      // What the newest migration added works on the migrated file: an activity with its file name.
      store.insertActivities([{ key: "file:def", fileHash: "def", title: "New ride", startTime: 1700100000000, properties: {}, tiles: [], fileName: "rides/new.gpx" }]);
      expect(listActivities(store, null).map((a) => [a.key, a.file_name])).toEqual([
        ["file:abc", null],
        ["file:def", "rides/new.gpx"],
      ]);
      // And the count pyramid (migration 4): a tile stored at this data version reads back.
      const counts = new Uint8Array(256 * 256).map((_, i) => i % 7);
      expect(store.putCountTiles(store.dataVersion(), [{ z: 14, x: 8800, y: 5373, size: 256, packed: packCounts(counts, 256) }])).toBe(true);
      expect(store.countTile(14, 8800, 5373, 256)).toEqual(counts);
    } finally {
      store.close();
    }

    expect(userVersion()).toBe(MIGRATIONS.length);
    const db = new Database(path, { readonly: true });
    try {
      expect(db.query("SELECT athlete_id, refresh_token FROM strava_tokens").all()).toEqual([{ athlete_id: 4242, refresh_token: "refresh" }]);
      const events = db.query("SELECT object_id, aspect_type FROM strava_events").all();
      expect(events).toEqual(version >= 2 ? [{ object_id: 1001, aspect_type: "create" }] : []);
    } finally {
      db.close();
    }
  });

  test("levels an older database wrote down stay; one without tiles, and a new one, take today's default", () => {
    olderDatabase(4);
    const db = new Database(path);
    db.exec("INSERT INTO config (key, value) VALUES ('zoom_levels', '[3,9,15]')");
    db.close();
    const kept = openStore(path);
    expect(kept.config().zoom_levels).toEqual([3, 9, 15]);
    kept.close();
    rmSync(path);

    const empty = new Database(path, { create: true, readwrite: true });
    for (let v = 0; v < 4; v++) empty.exec(MIGRATIONS[v]);
    empty.exec("PRAGMA user_version = 4");
    empty.close();
    for (const fresh of [path, join(dir, "new.sqlite3")]) {
      const store = openStore(fresh);
      expect(store.config().zoom_levels).toEqual(DEFAULT_CONFIG.zoom_levels);
      expect(store.config().zoom_levels).toContain(12);
      store.close();
    }
  });

  test("opening again changes nothing: the migrations ran once", () => {
    olderDatabase(1);
    openStore(path).close();
    const store = openStore(path);
    try {
      expect(store.activityCount()).toBe(1);
    } finally {
      store.close();
    }
    expect(userVersion()).toBe(MIGRATIONS.length);
  });

  test("a newer schema than this hotpot knows is refused, and the file is left as it was", () => {
    olderDatabase(1);
    const db = new Database(path);
    db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openStore(path)).toThrow(`has schema version ${MIGRATIONS.length + 1}, newer than this hotpot knows (${MIGRATIONS.length}); upgrade hotpot`);
    expect(userVersion()).toBe(MIGRATIONS.length + 1);
  });
});
