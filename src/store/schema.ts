/**
 * Opening hotpot's database: the schema as an append-only list of migrations,
 * the pragmas every connection sets, and converting a Rust hotpot database on
 * first open.
 */
import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { HotpotError } from "../errors.ts";
import { convertRustStore, inspectFile } from "./rust.ts";

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
  // 4: the count pyramid (src/store/counts.ts): the busiest unfiltered tiles' counts, before
  // the masks, so such a tile is a lookup rather than 20-50 ms of drawing. Counts depend on the
  // stored levels and their extent, so a change of either empties it; activity writes remove
  // the tiles they touch themselves (activities.ts), in their own transaction.
  `
  CREATE TABLE count_tiles (
    z INTEGER NOT NULL,
    x INTEGER NOT NULL,
    y INTEGER NOT NULL,
    size INTEGER NOT NULL,             -- pixels across (256 or 512)
    counts BLOB NOT NULL,              -- raw deflate of size x size Uint8 counts, row-major
    PRIMARY KEY (z, x, y, size)
  );
  CREATE TRIGGER count_tiles_config_insert AFTER INSERT ON config WHEN new.key IN ('zoom_levels', 'tile_extent') BEGIN DELETE FROM count_tiles; END;
  CREATE TRIGGER count_tiles_config_update AFTER UPDATE ON config WHEN new.key IN ('zoom_levels', 'tile_extent') BEGIN DELETE FROM count_tiles; END;
  CREATE TRIGGER count_tiles_config_delete AFTER DELETE ON config WHEN old.key IN ('zoom_levels', 'tile_extent') BEGIN DELETE FROM count_tiles; END;
  `,
  // 5: new databases also store zoom 12 (DEFAULT_CONFIG). A database whose tiles were clipped at
  // the earlier default levels, which it never wrote down, keeps them: written down here.
  `
  INSERT INTO config (key, value)
    SELECT 'zoom_levels', '[2,6,10,14,16]'
    WHERE NOT EXISTS (SELECT 1 FROM config WHERE key = 'zoom_levels') AND EXISTS (SELECT 1 FROM activity_tiles);
  `,
];

export interface OpenOptions {
  /** Refuse to create a database that does not exist yet (commands that only read). */
  mustExist?: boolean;
  readonly?: boolean;
  /** Where to say what opening does to the file (converting a Rust hotpot database); default stderr. */
  notice?: (message: string) => void;
}

/** Opens (creating, converting or migrating as allowed) the database at `path`, or ":memory:". */
export function openDatabase(path: string, options: OpenOptions): Database {
  const memory = path === ":memory:";
  if (!memory && options.mustExist && !existsSync(path)) {
    throw new HotpotError("not_found", `database ${path} does not exist (create it with \`hotpot import\`)`);
  }
  let db: Database;
  try {
    db = new Database(path, options.readonly ? { readonly: true } : { create: true, readwrite: true });
  } catch (e) {
    throw new HotpotError("bad_file", `database ${path} cannot be opened: ${(e as Error).message}`);
  }
  // Before any pragma: a file that is not ours must be left exactly as it was.
  const kind = memory ? "empty" : inspectFile(db, path);
  if (kind === "rust" && options.readonly) {
    throw new HotpotError("config", `database ${path} is a Rust hotpot database; open it once with a command that writes (import, serve) to convert it`);
  }
  if (!options.readonly) {
    // Only takes effect before the first table exists. Larger pages keep most tile geometry out of
    // overflow pages and the clustered tile table shallower: measured, the file is about 10% smaller
    // than with 4 KiB pages, and bulk inserts cost a little less CPU than with 8 KiB.
    db.exec("PRAGMA page_size = 16384");
    db.exec("PRAGMA journal_mode = WAL");
    // WAL with synchronous=NORMAL cannot corrupt on a crash; at worst the last commit is lost.
    db.exec("PRAGMA synchronous = NORMAL");
  }
  // Readers and the single writer wait for each other instead of failing with SQLITE_BUSY.
  db.exec("PRAGMA busy_timeout = 10000");
  if (kind === "rust" && !options.readonly) {
    convertRustStore(db, path, () => migrate(db, path), options.notice ?? ((m) => console.error(`hotpot: ${m}`)));
  }
  if (!options.readonly) migrate(db, path);
  return db;
}

function migrate(db: Database, path: string): void {
  const { user_version } = db.query<{ user_version: number }, []>("PRAGMA user_version").get()!;
  if (user_version > MIGRATIONS.length) {
    throw new HotpotError(
      "config",
      `database ${path} has schema version ${user_version}, newer than this hotpot knows (${MIGRATIONS.length}); upgrade hotpot`,
    );
  }
  for (let v = user_version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.exec(`PRAGMA user_version = ${v + 1}`);
    })();
  }
}

/** Rises on every change that can alter a rendered tile (the triggers of migration 1). */
export function dataVersion(db: Database): number {
  return db.query<{ version: number }, []>("SELECT version FROM data_version").get()!.version;
}

/** Sets a connection's page cache (MiB) and returns what it was. */
export function pageCache(db: Database, mib: number): number {
  // Negative sizes are KiB (positive ones would be pages); hotpot and SQLite's default use KiB.
  const { cache_size } = db.query<{ cache_size: number }, []>("PRAGMA cache_size").get()!;
  db.exec(`PRAGMA cache_size = ${-Math.round(mib * 1024)}`);
  return -cache_size / 1024;
}
