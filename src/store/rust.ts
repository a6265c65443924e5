/**
 * Recognising the file behind --db, and converting a database of the Rust
 * hotpot (erik/hotpot) into ours in place. It reads the Rust schema, which
 * nothing else may know about.
 *
 * The Rust schema, as read at erik/hotpot v0.3.0 (bf9342e) and its earlier tags:
 *
 *   activities (id, file, title, start_time, properties[, created_at])
 *   activity_tiles (id, activity_id, z, x, y, coords)   -- one row per line piece
 *   config (key, value)                                  -- text: JSON lists, bare numbers, bare date
 *   strava_tokens (athlete_id, access_token, refresh_token, expires_at)
 *
 *   user_version 0 (v0.1.0-v0.1.3): properties JSON text, start_time declared INTEGER
 *   user_version 1 (v0.1.4, v0.2.0): + created_at TEXT
 *   user_version 2 (v0.2.1, v0.2.2): properties JSONB
 *   user_version 3 (v0.3.0): a covering (z, x, y, coords) index
 *
 * `coords` is little-endian u16 x,y pairs in tile units of the `tile_extent`
 * setting, with y counted up from the tile's bottom edge (every version's
 * renderer reads it as extent - y); ours counts y down from the top.
 * Timestamps are rusqlite's text, `2023-07-01 08:12:33.0+00:00`.
 */
import type { Database } from "bun:sqlite";
import { existsSync, rmSync } from "node:fs";
import { encodeLines } from "../codec.ts";
import { isConfigKey, readStoredValue } from "../config.ts";
import { HotpotError } from "../errors.ts";

export type FileKind = "empty" | "hotpot" | "rust";

const RUST_TABLES = ["activities", "activity_tiles", "config", "strava_tokens"];
const RUST_ZOOM_LEVELS = [2, 6, 10, 14, 16];

function columns(db: Database, table: string): string[] {
  return db.query<{ name: string }, [string]>(`SELECT name FROM pragma_table_info(?)`).all(table).map((c) => c.name);
}

/** What kind of database a file is; a file that is neither hotpot's nor the Rust hotpot's is an error, and left untouched. */
export function inspectFile(db: Database, path: string): FileKind {
  let tables: string[];
  try {
    tables = db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all().map((t) => t.name);
  } catch (e) {
    db.close();
    throw new HotpotError("bad_file", `database ${path} is not a SQLite database (${(e as Error).message}); left untouched`);
  }
  if (tables.length === 0) return "empty";
  if (tables.includes("data_version") && columns(db, "activities").includes("key")) return "hotpot";
  if (tables.includes("activity_tiles") && columns(db, "activities").includes("file") && columns(db, "activity_tiles").includes("coords")) return "rust";
  db.close();
  const shown = tables.slice(0, 5).join(", ") + (tables.length > 5 ? ", …" : "");
  throw new HotpotError("bad_file", `database ${path} is not a hotpot database (its tables: ${shown}); left untouched`);
}

/** rusqlite's timestamp text (or Unix seconds) → Unix ms; null when it says nothing readable. */
export function rustTime(value: unknown): number | null {
  if (typeof value === "number") return value * 1000;
  if (typeof value !== "string") return null;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?\s*(Z|[+-]\d{2}(?::?\d{2})?(?::\d{2})?)?$/.exec(value.trim());
  if (!m) return null;
  const fraction = (m[3] ?? "").slice(0, 4);
  // A seconds part of an offset (+01:00:00) is always zero for real zones.
  const zone = !m[4] || m[4] === "Z" ? "Z" : m[4].slice(0, 3) + ":" + m[4].replace(":", "").slice(3, 5).padEnd(2, "0");
  const ms = Date.parse(`${m[1]}T${m[2]}${fraction}${zone}`);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Our key and file name for a Rust `file` value: Strava and intervals.icu ids
 * are the same keys here, so fetching again finds them stored; an upload keeps
 * its name; an imported path becomes the file name (we key files by the hash of
 * their bytes, which the Rust database does not hold).
 */
export function rustKey(file: string): { key: string; fileName: string | null } {
  if (file.startsWith("strava:") || file.startsWith("intervals_icu:")) return { key: file, fileName: null };
  if (file.startsWith("upload:")) return { key: file, fileName: file.slice("upload:".length) };
  return { key: `${FILE_KEY}${file}`, fileName: file };
}

const FILE_KEY = "rust-file:";

/**
 * The paths the Rust hotpot imported files from, in a database converted from
 * its (it knew files by path, not by their bytes); empty for any other. One
 * range of the key index: ';' follows ':'.
 */
export function rustImportedPaths(db: Database): Set<string> {
  const rows = db.query<{ key: string }, [string, string]>("SELECT key FROM activities WHERE key >= ? AND key < ?").all(FILE_KEY, "rust-file;");
  return new Set(rows.map((r) => r.key.slice(FILE_KEY.length)));
}

/** The Rust geometry of one tile (several rows of u16 pairs) as one of our blobs. */
export function rustTileGeometry(blobs: Uint8Array[], extent: number): Uint8Array {
  const lines = blobs.map((blob) => {
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    const line = new Int32Array(blob.byteLength >> 2 << 1);
    for (let i = 0; i < line.length; i += 2) {
      line[i] = view.getUint16(2 * i, true);
      line[i + 1] = extent - view.getUint16(2 * i + 2, true);
    }
    return line;
  });
  return encodeLines(lines);
}

/**
 * Converts in place, in one transaction, after a consistent copy to
 * `<path>.rust-backup`: the Rust tables are renamed aside, `migrate` builds our
 * schema, and activities (ids kept), tiles, settings and Strava tokens move over.
 */
export function convertRustStore(db: Database, path: string, migrate: () => void, notice: (message: string) => void): void {
  const backup = `${path}.rust-backup`;
  const { user_version } = db.query<{ user_version: number }, []>("PRAGMA user_version").get()!;
  if (existsSync(backup)) {
    throw new HotpotError("config", `database ${path} is a Rust hotpot database, but ${backup} exists already; move it away to convert`);
  }
  notice(`${path} is a Rust hotpot database (schema ${user_version}): converting it in place; the original is kept as ${backup}`);
  db.query("VACUUM INTO ?").run(backup);
  try {
    copyOver(db, migrate);
  } catch (e) {
    // Rolled back: the database is as it was, and the next attempt needs the backup's name free.
    rmSync(backup, { force: true });
    throw e;
  }
  db.exec("VACUUM");
}

/** A Rust activity row; the times are whatever rusqlite wrote (see rustTime). */
interface RustActivity {
  id: number;
  file: string;
  title: string | null;
  start_time: unknown;
  created_at?: unknown;
  properties: string;
}

function copyOver(db: Database, migrate: () => void): void {
  db.transaction(() => {
    for (const t of RUST_TABLES) {
      if (columns(db, t).length > 0) db.exec(`ALTER TABLE ${t} RENAME TO rust_${t}`);
    }
    db.exec("PRAGMA user_version = 0");
    migrate();

    const setConfig = db.query("INSERT OR REPLACE INTO config (key, value) VALUES (?, ?)");
    // The Rust hotpot's default levels, which its tiles were clipped at unless its config says otherwise
    // (it writes its defaults down on open, but a database from before that may lack them).
    setConfig.run("zoom_levels", JSON.stringify(RUST_ZOOM_LEVELS));
    let extent = 2048;
    for (const { key, value } of db.query<{ key: string; value: unknown }, []>("SELECT key, value FROM rust_config").all()) {
      if (!isConfigKey(key)) continue;
      const parsed = readStoredValue(key, String(value));
      if (key === "tile_extent") extent = parsed as number;
      if (parsed !== null) setConfig.run(key, JSON.stringify(parsed));
    }

    const hasCreatedAt = columns(db, "rust_activities").includes("created_at");
    const insertActivity = db.query(
      "INSERT INTO activities (id, key, file_hash, title, start_time, created_at, properties, file_name) VALUES (?, ?, NULL, ?, ?, ?, jsonb(?), ?)",
    );
    const now = Date.now();
    const activities = db.query<RustActivity, []>(
      `SELECT id, file, title, start_time, json(properties) AS properties${hasCreatedAt ? ", created_at" : ""} FROM rust_activities ORDER BY id`,
    );
    for (const a of activities.iterate()) {
      const { key, fileName } = rustKey(String(a.file));
      insertActivity.run(a.id, key, a.title, rustTime(a.start_time), rustTime(a.created_at) ?? now, a.properties, fileName);
    }

    const insertTile = db.query("INSERT INTO activity_tiles (z, x, y, activity_id, geometry) VALUES (?, ?, ?, ?, ?)");
    let current: { activity_id: number; z: number; x: number; y: number } | null = null;
    let blobs: Uint8Array[] = [];
    const flush = () => {
      // Rows of single points hold no line: a tile left with none is not stored.
      const geometry = current && blobs.length > 0 ? rustTileGeometry(blobs, extent) : null;
      if (current && geometry && geometry.byteLength > 0) insertTile.run(current.z, current.x, current.y, current.activity_id, geometry);
      blobs = [];
    };
    // Tiles of a deleted activity (the Rust hotpot's reset and replace could leave them) are dropped.
    const tiles = db.query<{ activity_id: number; z: number; x: number; y: number; coords: Uint8Array }, []>(
      "SELECT activity_id, z, x, y, coords FROM rust_activity_tiles WHERE activity_id IN (SELECT id FROM rust_activities) ORDER BY activity_id, z, x, y, id",
    );
    for (const row of tiles.iterate()) {
      if (!current || row.activity_id !== current.activity_id || row.z !== current.z || row.x !== current.x || row.y !== current.y) {
        flush();
        current = { activity_id: row.activity_id, z: row.z, x: row.x, y: row.y };
      }
      blobs.push(row.coords);
    }
    flush();

    if (columns(db, "rust_strava_tokens").length > 0) {
      db.exec("INSERT INTO strava_tokens (athlete_id, access_token, refresh_token, expires_at) SELECT athlete_id, access_token, refresh_token, expires_at FROM rust_strava_tokens");
    }
    for (const t of RUST_TABLES) db.exec(`DROP TABLE IF EXISTS rust_${t}`);
  }).immediate();
}
