/**
 * The one home of bun:sqlite: schema, migrations, writes, tile queries and the
 * data version. The main thread is the only writer; workers never open it.
 */
import { Database, type Statement } from "bun:sqlite";
import { existsSync } from "node:fs";
import { isConfigKey, readStoredValue } from "./config.ts";
import { HotpotError } from "./errors.ts";
import { convertRustStore, inspectFile } from "./store-rust.ts";
import type { ActivityRecord, Mask, Properties, StoreConfig, TileGeometry } from "./types.ts";

/**
 * Append-only: the database's `user_version` is how many of these have run.
 * Never edit one that has shipped; add another with a comment saying why.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the initial schema.
  `
  CREATE TABLE config (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  CREATE TABLE activities (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,          -- strava:<id>, or file:<hash of the file's bytes>
    file_hash TEXT UNIQUE,             -- a renamed byte-identical copy is the same activity
    title TEXT,
    start_time INTEGER,                -- Unix ms
    created_at INTEGER NOT NULL,       -- Unix ms
    properties BLOB NOT NULL           -- JSONB: filters read it without re-parsing text
  );
  CREATE INDEX activities_start_time ON activities (start_time);

  -- Clustered on (z, x, y): a tile's rows are one contiguous range of the b-tree,
  -- so "zoom z, x in [x0,x1), y in [y0,y1)" is answered from this index alone.
  CREATE TABLE activity_tiles (
    z INTEGER NOT NULL,
    x INTEGER NOT NULL,
    y INTEGER NOT NULL,
    activity_id INTEGER NOT NULL,
    geometry BLOB NOT NULL,
    PRIMARY KEY (z, x, y, activity_id)
  ) WITHOUT ROWID;
  CREATE INDEX activity_tiles_activity ON activity_tiles (activity_id);

  CREATE TABLE strava_tokens (
    athlete_id INTEGER PRIMARY KEY,
    access_token TEXT NOT NULL,
    refresh_token TEXT NOT NULL,
    expires_at INTEGER NOT NULL        -- Unix seconds, as Strava sends it
  );

  -- Rises on every write that can change a rendered tile; ETags are built from it.
  -- Triggers keep it honest whatever code path writes.
  CREATE TABLE data_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
  INSERT INTO data_version VALUES (1, 1);
  CREATE TRIGGER dv_activity_insert AFTER INSERT ON activities BEGIN UPDATE data_version SET version = version + 1; END;
  CREATE TRIGGER dv_activity_update AFTER UPDATE ON activities BEGIN UPDATE data_version SET version = version + 1; END;
  CREATE TRIGGER dv_activity_delete AFTER DELETE ON activities BEGIN UPDATE data_version SET version = version + 1; END;
  CREATE TRIGGER dv_config_insert AFTER INSERT ON config BEGIN UPDATE data_version SET version = version + 1; END;
  CREATE TRIGGER dv_config_update AFTER UPDATE ON config BEGIN UPDATE data_version SET version = version + 1; END;
  CREATE TRIGGER dv_config_delete AFTER DELETE ON config BEGIN UPDATE data_version SET version = version + 1; END;
  `,
  // 2: Strava webhook events wait here until processed, so a restart, a crash or
  // Strava's rate limit loses none. The unique key drops Strava's duplicate deliveries.
  `
  CREATE TABLE strava_events (
    id INTEGER PRIMARY KEY,
    object_type TEXT NOT NULL,
    object_id INTEGER NOT NULL,
    aspect_type TEXT NOT NULL,
    owner_id INTEGER NOT NULL,
    event_time INTEGER NOT NULL,
    updates TEXT NOT NULL,             -- JSON object as Strava sent it
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER NOT NULL,       -- Unix ms: retry no earlier (rate limit, back-off)
    last_error TEXT,
    UNIQUE (object_type, object_id, aspect_type, event_time)
  );
  `,
  // 3: which file an activity came from (relative to the import root, or the uploaded
  // name), as the Rust hotpot's `activities` listing shows it; the key is a hash.
  `ALTER TABLE activities ADD COLUMN file_name TEXT;`,
];

/**
 * Page cache while an import writes (MiB): it inserts all over the clustered tile
 * table, and with a small cache every batch rereads the pages it touches
 * (measured 25-40% slower with SQLite's default of 2 MiB). Readers keep that
 * default: the operating system caches the file anyway, the benchmark's tile
 * session rendered within 2% of its time with 64 MiB, and every server process
 * holds a connection (64 MiB each put two processes over 200 MB).
 */
export const WRITE_CACHE_MIB = 64;

/** Columns up to which tileRows queries column by column (a tile drawn from 4 levels deeper spans 16). */
const TILE_COLUMNS_APART = 64;

export const DEFAULT_CONFIG: StoreConfig = {
  zoom_levels: [2, 6, 10, 14, 16],
  tile_extent: 2048,
  trim_dist: 0,
  activity_masks: [],
  fetch_cutoff: null,
};

export interface OpenOptions {
  /** Refuse to create a database that does not exist yet (commands that only read). */
  mustExist?: boolean;
  readonly?: boolean;
  /** Where to say what opening does to the file (converting a Rust hotpot database); default stderr. */
  notice?: (message: string) => void;
}

/** Activities whose id % of === index: disjoint shares of a tile, drawn on separate threads. */
export interface Share {
  index: number;
  of: number;
}

export const WHOLE: Share = { index: 0, of: 1 };

/** A stored tile row as the renderer reads it. */
export interface TileRow {
  activity_id: number;
  x: number;
  y: number;
  geometry: Uint8Array;
}

export interface ActivityRow {
  id: number;
  key: string;
  title: string | null;
  start_time: number | null;
  created_at: number;
  properties: string;
}

export type InsertOutcome = "added" | "duplicate";

export interface ActivitySpan {
  maxId: number;
  count: number;
  /** created_at (Unix ms) of the most recently stored one. */
  newest: number;
}

export class Store {
  readonly db: Database;
  readonly path: string;
  private configCache: StoreConfig | null = null;
  private configCacheVersion = -1;

  constructor(path: string, options: OpenOptions = {}) {
    const memory = path === ":memory:";
    if (!memory && options.mustExist && !existsSync(path)) {
      throw new HotpotError("not_found", `database ${path} does not exist (create it with \`hotpot import\`)`);
    }
    this.path = path;
    try {
      this.db = new Database(path, options.readonly ? { readonly: true } : { create: true, readwrite: true });
    } catch (e) {
      throw new HotpotError("bad_file", `database ${path} cannot be opened: ${(e as Error).message}`);
    }
    // Before any pragma: a file that is not ours must be left exactly as it was.
    const kind = memory ? "empty" : inspectFile(this.db, path);
    if (kind === "rust" && options.readonly) {
      throw new HotpotError("config", `database ${path} is a Rust hotpot database; open it once with a command that writes (import, serve) to convert it`);
    }
    if (!options.readonly) {
      // Only takes effect before the first table exists. Larger pages keep most tile geometry out of
      // overflow pages and the clustered tile table shallower: measured, the file is about 10% smaller
      // than with 4 KiB pages, and bulk inserts cost a little less CPU than with 8 KiB.
      this.db.exec("PRAGMA page_size = 16384");
      this.db.exec("PRAGMA journal_mode = WAL");
      // WAL with synchronous=NORMAL cannot corrupt on a crash; at worst the last commit is lost.
      this.db.exec("PRAGMA synchronous = NORMAL");
    }
    // Readers and the single writer wait for each other instead of failing with SQLITE_BUSY.
    this.db.exec("PRAGMA busy_timeout = 10000");
    if (kind === "rust" && !options.readonly) {
      convertRustStore(this.db, path, () => this.migrate(), options.notice ?? ((m) => console.error(`hotpot: ${m}`)));
    }
    if (!options.readonly) this.migrate();
  }

  private migrate(): void {
    const { user_version } = this.db.query("PRAGMA user_version").get() as { user_version: number };
    if (user_version > MIGRATIONS.length) {
      throw new HotpotError(
        "config",
        `database ${this.path} has schema version ${user_version}, newer than this hotpot knows (${MIGRATIONS.length}); upgrade hotpot`,
      );
    }
    for (let v = user_version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]);
        this.db.exec(`PRAGMA user_version = ${v + 1}`);
      })();
    }
  }

  close(): void {
    this.db.close();
  }

  /** Sets this connection's page cache (MiB) and returns what it was. */
  pageCache(mib: number): number {
    // Negative sizes are KiB (positive ones would be pages); hotpot and SQLite's default use KiB.
    const { cache_size } = this.db.query("PRAGMA cache_size").get() as { cache_size: number };
    this.db.exec(`PRAGMA cache_size = ${-Math.round(mib * 1024)}`);
    return -cache_size / 1024;
  }

  /** Rises on every change that can alter a rendered tile. */
  dataVersion(): number {
    return (this.db.query("SELECT version FROM data_version").get() as { version: number }).version;
  }

  config(): StoreConfig {
    const version = this.dataVersion();
    if (this.configCache && this.configCacheVersion === version) return this.configCache;
    const rows = this.db.query("SELECT key, value FROM config").all() as { key: string; value: string }[];
    const config: StoreConfig = structuredClone(DEFAULT_CONFIG);
    for (const { key, value } of rows) {
      if (isConfigKey(key)) (config as unknown as Record<string, unknown>)[key] = readStoredValue(key, value);
    }
    this.configCache = config;
    this.configCacheVersion = version;
    return config;
  }

  setConfig<K extends keyof StoreConfig>(key: K, value: StoreConfig[K]): void {
    if (value === null) this.db.query("DELETE FROM config WHERE key = ?").run(key);
    else this.db.query("INSERT INTO config (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(key, JSON.stringify(value));
  }

  /** Removes a stored setting, so it reads as its default again. */
  unsetConfig(key: keyof StoreConfig): void {
    this.db.query("DELETE FROM config WHERE key = ?").run(key);
  }

  masks(): Mask[] {
    return this.config().activity_masks;
  }

  /** Looks an activity up by key or by the hash of its file: either means "already stored". */
  findExisting(key: string, fileHash: string | null): { id: number; key: string } | null {
    const byKey = this.db.query("SELECT id, key FROM activities WHERE key = ?").get(key) as { id: number; key: string } | null;
    if (byKey || !fileHash) return byKey;
    return this.db.query("SELECT id, key FROM activities WHERE file_hash = ?").get(fileHash) as { id: number; key: string } | null;
  }

  /**
   * Write transactions read first and write after, so they start IMMEDIATE:
   * a deferred one that read a snapshot another process has since written past
   * cannot upgrade to a write lock and fails with SQLITE_BUSY at once, busy_timeout
   * or not. IMMEDIATE takes the write lock up front and waits its turn instead.
   *
   * Stores a batch in one transaction. An activity already stored (same key or
   * same file bytes) is a duplicate and left as it is, except that a file first
   * imported without its Strava CSV takes on the `strava:` key and the CSV's
   * properties, so the webhook and the export name it alike.
   */
  insertActivities(records: ActivityRecord[], options: { replace?: boolean } = {}): InsertOutcome[] {
    const insertActivity = this.db.query(
      "INSERT INTO activities (key, file_hash, title, start_time, created_at, properties, file_name) VALUES (?, ?, ?, ?, ?, jsonb(?), ?) RETURNING id",
    );
    const insertTile = this.db.query("INSERT OR REPLACE INTO activity_tiles (z, x, y, activity_id, geometry) VALUES (?, ?, ?, ?, ?)");
    const rekey = this.db.query("UPDATE activities SET key = ?, title = coalesce(?, title), properties = jsonb(?) WHERE id = ?");
    const now = Date.now();
    return this.db.transaction(() => {
      let tiles: { id: number; t: TileGeometry }[] = [];
      const outcomes = records.map((r): InsertOutcome => {
        const existing = this.findExisting(r.key, r.fileHash);
        if (existing && options.replace) {
          // Added earlier in this batch, its tiles are still waiting below.
          tiles = tiles.filter((p) => p.id !== existing.id);
          this.deleteById(existing.id);
        } else if (existing) {
          if (existing.key !== r.key && r.key.startsWith("strava:") && !existing.key.startsWith("strava:")) {
            rekey.run(r.key, r.title, JSON.stringify(r.properties), existing.id);
          }
          return "duplicate";
        }
        const { id } = insertActivity.get(r.key, r.fileHash, r.title, r.startTime, now, JSON.stringify(r.properties), r.fileName ?? null) as { id: number };
        for (const t of r.tiles) tiles.push({ id, t });
        return "added";
      });
      // In key order, neighbouring rows of the batch share b-tree pages: a bulk import's
      // batches cost about a fifth less CPU than inserting activity by activity.
      tiles.sort((a, b) => a.t.z - b.t.z || a.t.x - b.t.x || a.t.y - b.t.y || a.id - b.id);
      for (const { id, t } of tiles) insertTile.run(t.z, t.x, t.y, id, t.geometry);
      return outcomes;
    }).immediate();
  }

  private deleteById(id: number): void {
    this.db.query("DELETE FROM activity_tiles WHERE activity_id = ?").run(id);
    this.db.query("DELETE FROM activities WHERE id = ?").run(id);
  }

  /** Removes one activity and its geometry; false when no such key. */
  deleteActivity(key: string): boolean {
    return this.db.transaction(() => {
      const row = this.db.query("SELECT id FROM activities WHERE key = ?").get(key) as { id: number } | null;
      if (!row) return false;
      this.deleteById(row.id);
      return true;
    }).immediate();
  }

  /** The stored tile rows at zoom z, x in [x0, x1), y in [y0, y1), as (x, y, activity) without geometry: where activities are. */
  tileCells(z: number, x0: number, x1: number, y0: number, y1: number): { x: number; y: number; activity_id: number }[] {
    return this.db
      .query("SELECT x, y, activity_id FROM activity_tiles WHERE z = ? AND x >= ? AND x < ? AND y >= ? AND y < ?")
      .all(z, x0, x1, y0, y1) as { x: number; y: number; activity_id: number }[];
  }

  /** How many activities have each `activity_type` value (as written, most common first; none without one). */
  activityTypeCounts(): { value: string; count: number }[] {
    return this.db
      .query("SELECT properties ->> '$.activity_type' AS value, count(*) AS count FROM activities WHERE value IS NOT NULL GROUP BY value ORDER BY count DESC, value")
      .all() as { value: string; count: number }[];
  }

  /** How many activities started in each year (UTC), oldest first; activities without a start time are left out. */
  yearCounts(): { year: number; count: number }[] {
    return this.db
      .query("SELECT CAST(strftime('%Y', start_time / 1000, 'unixepoch') AS INTEGER) AS year, count(*) AS count FROM activities WHERE start_time IS NOT NULL GROUP BY year ORDER BY year")
      .all() as { year: number; count: number }[];
  }

  /** Removes the activities with these keys, all or none: the keys that are not stored (nothing removed then). */
  deleteActivities(keys: string[]): string[] {
    return this.db.transaction(() => {
      const find = this.db.query("SELECT id FROM activities WHERE key = ?");
      const ids = keys.map((key) => (find.get(key) as { id: number } | null)?.id);
      const missing = keys.filter((_, i) => ids[i] === undefined);
      if (missing.length === 0) for (const id of ids) this.deleteById(id!);
      return missing;
    }).immediate();
  }

  /** Changes stored properties (and title) of an activity in place; false when no such key. */
  updateProperties(key: string, changes: Properties, title?: string): boolean {
    const result = this.db
      .query("UPDATE activities SET properties = jsonb_patch(properties, ?), title = coalesce(?, title) WHERE key = ?")
      .run(JSON.stringify(changes), title ?? null, key);
    return result.changes > 0;
  }

  /** Removes every activity (import --reset). */
  reset(): void {
    this.db.transaction(() => {
      this.db.exec("DELETE FROM activity_tiles");
      this.db.exec("DELETE FROM activities");
    })();
  }

  /**
   * Stored tile rows of zoom z with x in [x0, x1) and y in [y0, y1), column by
   * column: the primary key orders rows by x, then y, so one range over x would
   * walk every row of those columns and drop those outside [y0, y1). Measured
   * on the benchmark's tile session: half the time (1.0 s against 2.1 s). Wide
   * ranges (scans of a whole level) take the one range.
   */
  tileRows(z: number, x0: number, x1: number, y0: number, y1: number, share: Share = WHOLE): TileRow[] {
    // On the key, so SQLite skips the other share's geometry (its decoding and any overflow
    // pages), though the leaf pages holding it are still walked. (A bare ? numbers itself
    // after the highest ?N before it.)
    const shared = share.of > 1 ? " AND activity_id % ? = ?" : "";
    const params = share.of > 1 ? [share.of, share.index] : [];
    if (x1 - x0 > TILE_COLUMNS_APART) {
      return this.db
        .query(`SELECT activity_id, x, y, geometry FROM activity_tiles WHERE z = ?1 AND x >= ?2 AND x < ?3 AND y >= ?4 AND y < ?5${shared}`)
        .all(z, x0, x1, y0, y1, ...params) as TileRow[];
    }
    const column = this.db.query(`SELECT activity_id, x, y, geometry FROM activity_tiles WHERE z = ?1 AND x = ?2 AND y >= ?3 AND y < ?4${shared}`);
    const rows: TileRow[] = [];
    for (let x = x0; x < x1; x++) for (const row of column.all(z, x, y0, y1, ...params) as TileRow[]) rows.push(row);
    return rows;
  }

  // Explorer tiles (src/explorer-query.ts).

  /**
   * The stored rows of level z of activities with ids in (afterId, upToId], in key order
   * (x, y, activity), one at a time: a whole level does not fit in memory twice.
   */
  levelRows(z: number, afterId: number, upToId: number): IterableIterator<TileRow> {
    return this.db
      .query("SELECT activity_id, x, y, geometry FROM activity_tiles WHERE z = ? AND activity_id > ? AND activity_id <= ? ORDER BY x, y, activity_id")
      .iterate(z, afterId, upToId) as IterableIterator<TileRow>;
  }

  /** Of the activities with ids up to `upToId`: the highest id, how many there are and when the newest was stored. */
  activitySpan(upToId = Number.MAX_SAFE_INTEGER): ActivitySpan {
    return this.db
      .query("SELECT coalesce(max(id), 0) AS maxId, count(*) AS count, coalesce(max(created_at), 0) AS newest FROM activities WHERE id <= ?")
      .get(upToId) as ActivitySpan;
  }

  /** Start times (Unix ms) indexed by activity id; NaN for no start time or no such id. */
  activityStartTimes(): Float64Array {
    const rows = this.db.query("SELECT id, start_time FROM activities").values() as [number, number | null][];
    let top = 0;
    for (const [id] of rows) if (id > top) top = id;
    const times = new Float64Array(top + 1).fill(NaN);
    for (const [id, time] of rows) if (time !== null) times[id] = time;
    return times;
  }

  /**
   * Addresses of the stored tiles of level z, as x, y pairs in key order
   * (`hotpot export` derives the tiles worth rendering from them). Walks the
   * level's range of the clustered primary key.
   */
  storedTileAddresses(z: number): Uint32Array {
    const rows = this.db.query("SELECT DISTINCT x, y FROM activity_tiles WHERE z = ?").values(z) as [number, number][];
    const out = new Uint32Array(rows.length * 2);
    rows.forEach(([x, y], i) => {
      out[2 * i] = x;
      out[2 * i + 1] = y;
    });
    return out;
  }

  /** Hashes of every stored file, so an import can skip known files before parsing them. */
  fileHashes(): string[] {
    return this.db.query("SELECT file_hash FROM activities WHERE file_hash IS NOT NULL").values().flat() as string[];
  }

  activityCount(): number {
    return (this.db.query("SELECT count(*) AS n FROM activities").get() as { n: number }).n;
  }
}

/** Opens a store, or a throwaway one in memory. */
export function openStore(path: string, options: OpenOptions & { inMemory?: boolean } = {}): Store {
  return new Store(options.inMemory ? ":memory:" : path, options);
}

export type { Statement };
