/**
 * The `activities` table and the tile rows that belong to each activity:
 * writes (an activity and its tiles come and go together, and the count
 * pyramid's tiles drawn from those tiles go with them) and every read of
 * activity rows. Reads take a `Condition`, the SQL a query compiles to
 * (src/query.ts), so the SQL text of a user's filter is built there and run here.
 */
import type { Database } from "bun:sqlite";
import type { ActivityRecord, Properties, TileGeometry } from "../types.ts";
import { clearCountTiles, dropCountTilesOver, type TileAddress } from "./counts.ts";

/** A condition over `activities`, with its parameters in order. */
export interface Condition {
  where: string;
  params: (string | number)[];
}

export type InsertOutcome = "added" | "duplicate";

export interface ActivitySpan {
  maxId: number;
  count: number;
  /** created_at (Unix ms) of the most recently stored one. */
  newest: number;
}

/** An activity row as the list API shows it; `properties` is JSON text. */
export interface SummaryRow {
  key: string;
  file_name: string | null;
  title: string | null;
  start_time: number | null;
  created_at: number;
  properties: string;
  /** Its stored tile rows, when asked for. */
  tiles?: number;
}

export type NearRow = Pick<SummaryRow, "key" | "title" | "start_time" | "properties"> & { id: number };
export type FeatureRow = Pick<SummaryRow, "title" | "start_time" | "file_name" | "properties"> & { id: number };

/** Looks an activity up by key or by the hash of its file: either means "already stored". */
export function findExisting(db: Database, key: string, fileHash: string | null): { id: number; key: string } | null {
  const byKey = db.query<{ id: number; key: string }, [string]>("SELECT id, key FROM activities WHERE key = ?").get(key);
  if (byKey || !fileHash) return byKey;
  return db.query<{ id: number; key: string }, [string]>("SELECT id, key FROM activities WHERE file_hash = ?").get(fileHash);
}

/*
 * Write transactions read first and write after, so they start IMMEDIATE:
 * a deferred one that read a snapshot another process has since written past
 * cannot upgrade to a write lock and fails with SQLITE_BUSY at once, busy_timeout
 * or not. IMMEDIATE takes the write lock up front and waits its turn instead.
 */

/**
 * Stores a batch in one transaction. An activity already stored (same key or
 * same file bytes) is a duplicate and left as it is, except that a file first
 * imported without its Strava CSV takes on the `strava:` key and the CSV's
 * properties, so the webhook and the export name it alike.
 */
export function insertActivities(db: Database, records: ActivityRecord[], options: { replace?: boolean }, levels: readonly number[]): InsertOutcome[] {
  const insertActivity = db.query<{ id: number }, [string, string | null, string | null, number | null, number, string, string | null]>(
    "INSERT INTO activities (key, file_hash, title, start_time, created_at, properties, file_name) VALUES (?, ?, ?, ?, ?, jsonb(?), ?) RETURNING id",
  );
  const insertTile = db.query<never, [number, number, number, number, Uint8Array]>(
    "INSERT OR REPLACE INTO activity_tiles (z, x, y, activity_id, geometry) VALUES (?, ?, ?, ?, ?)",
  );
  const rekey = db.query<never, [string, string | null, string, number]>(
    "UPDATE activities SET key = ?, title = coalesce(?, title), properties = jsonb(?) WHERE id = ?",
  );
  const now = Date.now();
  return db.transaction(() => {
    let tiles: { id: number; t: TileGeometry }[] = [];
    const outcomes = records.map((r): InsertOutcome => {
      const existing = findExisting(db, r.key, r.fileHash);
      if (existing && options.replace) {
        // Added earlier in this batch, its tiles are still waiting below.
        tiles = tiles.filter((p) => p.id !== existing.id);
        deleteById(db, existing.id, levels);
      } else if (existing) {
        if (existing.key !== r.key && r.key.startsWith("strava:") && !existing.key.startsWith("strava:")) {
          rekey.run(r.key, r.title, JSON.stringify(r.properties), existing.id);
        }
        return "duplicate";
      }
      const { id } = insertActivity.get(r.key, r.fileHash, r.title, r.startTime, now, JSON.stringify(r.properties), r.fileName ?? null)!;
      for (const t of r.tiles) tiles.push({ id, t });
      return "added";
    });
    // In key order, neighbouring rows of the batch share b-tree pages: a bulk import's
    // batches cost about a fifth less CPU than inserting activity by activity.
    tiles.sort((a, b) => a.t.z - b.t.z || a.t.x - b.t.x || a.t.y - b.t.y || a.id - b.id);
    for (const { id, t } of tiles) insertTile.run(t.z, t.x, t.y, id, t.geometry);
    dropCountTilesOver(db, levels, () => tiles.map((p) => p.t));
    return outcomes;
  }).immediate();
}

function deleteById(db: Database, id: number, levels: readonly number[]): void {
  dropCountTilesOver(db, levels, () => db.query<TileAddress, [number]>("SELECT z, x, y FROM activity_tiles WHERE activity_id = ?").all(id));
  db.query<never, [number]>("DELETE FROM activity_tiles WHERE activity_id = ?").run(id);
  db.query<never, [number]>("DELETE FROM activities WHERE id = ?").run(id);
}

function idOfKey(db: Database, key: string): number | undefined {
  return db.query<{ id: number }, [string]>("SELECT id FROM activities WHERE key = ?").get(key)?.id;
}

/** Removes one activity and its geometry; false when no such key. */
export function deleteActivity(db: Database, key: string, levels: readonly number[]): boolean {
  return db.transaction(() => {
    const id = idOfKey(db, key);
    if (id === undefined) return false;
    deleteById(db, id, levels);
    return true;
  }).immediate();
}

/** Removes the activities with these keys, all or none: the keys that are not stored (nothing removed then). */
export function deleteActivities(db: Database, keys: string[], levels: readonly number[]): string[] {
  return db.transaction(() => {
    const ids = keys.map((key) => idOfKey(db, key));
    const missing = keys.filter((_, i) => ids[i] === undefined);
    if (missing.length === 0) for (const id of ids) deleteById(db, id!, levels);
    return missing;
  }).immediate();
}

/** Changes stored properties (and title) of an activity in place; false when no such key. */
export function updateProperties(db: Database, key: string, changes: Properties, title: string | null): boolean {
  return (
    db
      .query<never, [string, string | null, string]>("UPDATE activities SET properties = jsonb_patch(properties, ?), title = coalesce(?, title) WHERE key = ?")
      .run(JSON.stringify(changes), title, key).changes > 0
  );
}

/** Removes every activity (import --reset). */
export function reset(db: Database): void {
  db.transaction(() => {
    db.exec("DELETE FROM activity_tiles");
    db.exec("DELETE FROM activities");
    clearCountTiles(db);
  })();
}

export function activityCount(db: Database): number {
  return db.query<{ n: number }, []>("SELECT count(*) AS n FROM activities").get()!.n;
}

/** How many activities have each `activity_type` value (as written, most common first; none without one). */
export function activityTypeCounts(db: Database): { value: string; count: number }[] {
  return db
    .query<{ value: string; count: number }, []>(
      "SELECT properties ->> '$.activity_type' AS value, count(*) AS count FROM activities WHERE value IS NOT NULL GROUP BY value ORDER BY count DESC, value",
    )
    .all();
}

/** How many activities started in each year (UTC), oldest first; activities without a start time are left out. */
export function yearCounts(db: Database): { year: number; count: number }[] {
  return db
    .query<{ year: number; count: number }, []>(
      "SELECT CAST(strftime('%Y', start_time / 1000, 'unixepoch') AS INTEGER) AS year, count(*) AS count FROM activities WHERE start_time IS NOT NULL GROUP BY year ORDER BY year",
    )
    .all();
}

/** Every top-level property key and JSON type, with how many activities have that pair. */
export function propertyTypes(db: Database): { key: string; type: string; n: number }[] {
  return db
    .query<{ key: string; type: string; n: number }, []>(
      "SELECT p.key AS key, p.type AS type, count(*) AS n FROM activities a, json_each(a.properties) p GROUP BY p.key, p.type ORDER BY p.key",
    )
    .all();
}

/** Of the activities with ids up to `upToId`: the highest id, how many there are and when the newest was stored. */
export function activitySpan(db: Database, upToId: number): ActivitySpan {
  return db
    .query<ActivitySpan, [number]>(
      "SELECT coalesce(max(id), 0) AS maxId, count(*) AS count, coalesce(max(created_at), 0) AS newest FROM activities WHERE id <= ?",
    )
    .get(upToId)!;
}

/** Start times (Unix ms) indexed by activity id; NaN for no start time or no such id. */
export function activityStartTimes(db: Database): Float64Array {
  const rows = db.query<{ id: number; start_time: number | null }, []>("SELECT id, start_time FROM activities").all();
  let top = 0;
  for (const { id } of rows) if (id > top) top = id;
  const times = new Float64Array(top + 1).fill(NaN);
  for (const { id, start_time } of rows) if (start_time !== null) times[id] = start_time;
  return times;
}

/** Hashes of every stored file, so an import can skip known files before parsing them. */
export function fileHashes(db: Database): string[] {
  return db.query<{ file_hash: string }, []>("SELECT file_hash FROM activities WHERE file_hash IS NOT NULL").all().map((r) => r.file_hash);
}

/**
 * Rows of a statement prepared and finalized here rather than through
 * db.query(): the SQL varies with user filters, and db.query() would keep
 * every distinct shape for the life of the process.
 */
function* rows<T>(db: Database, sql: string, params: (string | number)[]): Generator<T> {
  const statement = db.prepare<T, (string | number)[]>(sql);
  try {
    yield* statement.iterate(...params);
  } finally {
    statement.finalize();
  }
}

/** Ids of the activities meeting the condition. */
export function idsWhere(db: Database, condition: Condition): Set<number> {
  const ids = new Set<number>();
  for (const { id } of rows<{ id: number }>(db, `SELECT id FROM activities WHERE ${condition.where}`, condition.params)) ids.add(id);
  return ids;
}

/**
 * Activities meeting the condition (all when null) by start time (those without
 * one last), one at a time; `limit` -1 is no limit.
 */
export function summaryRows(db: Database, condition: Condition | null, limit: number, offset: number, withTiles: boolean): Generator<SummaryRow> {
  const tiles = withTiles ? ", (SELECT count(*) FROM activity_tiles t WHERE t.activity_id = activities.id) AS tiles" : "";
  const sql =
    `SELECT key, file_name, title, start_time, created_at, json(properties) AS properties${tiles} FROM activities` +
    (condition ? ` WHERE ${condition.where}` : "") +
    " ORDER BY start_time IS NULL, start_time, id LIMIT ? OFFSET ?";
  return rows<SummaryRow>(db, sql, [...(condition?.params ?? []), limit, offset]);
}

/** The activities with these ids, newest first (those without a start time last), at most `limit`. */
export function rowsByIds(db: Database, ids: Iterable<number>, limit: number): NearRow[] {
  return db
    .query<NearRow, [string, number]>(
      `SELECT id, key, title, start_time, json(properties) AS properties FROM activities
       WHERE id IN (SELECT value FROM json_each(?)) ORDER BY start_time IS NULL, start_time DESC, id DESC LIMIT ?`,
    )
    .all(JSON.stringify([...ids]), limit);
}

export function rowByKey(db: Database, key: string): FeatureRow | null {
  return db
    .query<FeatureRow, [string]>("SELECT id, title, start_time, file_name, json(properties) AS properties FROM activities WHERE key = ?")
    .get(key);
}
