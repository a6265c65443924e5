/**
 * MBTiles 1.3 writer: a SQLite file of its own. Its SQL stays here, not in
 * the store (src/store/), which owns hotpot's database only: this file is
 * an output format nothing else reads or writes, so its schema and its
 * statements are one concern, kept together. Repeated tiles are stored once:
 * the images/map layout with a `tiles` view, which GDAL, QGIS and tile
 * servers read like the plain table. Rows are TMS (y counted from the south).
 *
 * Written as OUT.part, one transaction per batch: a killed export leaves a
 * consistent part file, and the next export with the same settings and data
 * continues it, skipping the tiles it has.
 */
import { Database } from "bun:sqlite";
import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import { centre, contentKey, type ArchiveInfo, type ArchiveSummary, type ArchiveWriter } from "./archive.ts";

const SCHEMA = `
  CREATE TABLE metadata (name TEXT PRIMARY KEY, value TEXT);
  CREATE TABLE images (tile_id TEXT PRIMARY KEY, tile_data BLOB NOT NULL);
  CREATE TABLE map (
    zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL, tile_row INTEGER NOT NULL, tile_id TEXT NOT NULL,
    PRIMARY KEY (zoom_level, tile_column, tile_row)
  ) WITHOUT ROWID;
  CREATE VIEW tiles AS
    SELECT map.zoom_level AS zoom_level, map.tile_column AS tile_column, map.tile_row AS tile_row, images.tile_data AS tile_data
    FROM map JOIN images ON images.tile_id = map.tile_id;
`;

/** Metadata name of the fingerprint a part file was started with. */
const FINGERPRINT = "hotpot_fingerprint";

export function removeSqlite(path: string): void {
  for (const p of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) rmSync(p, { force: true });
}

/**
 * Opens OUT.part, continuing it when `continues` says it was started with
 * the same settings, else starting afresh with `schema`.
 */
export function openPart(out: string, schema: string, continues: (db: Database) => boolean): { db: Database; part: string } {
  const part = `${out}.part`;
  if (existsSync(part)) {
    try {
      const db = new Database(part, { readwrite: true });
      if (continues(db)) return { db, part };
      db.close();
    } catch {
      // Not a part file of ours (or not one with our tables): start again.
    }
  }
  removeSqlite(part);
  const db = new Database(part, { create: true, readwrite: true });
  db.exec(schema);
  return { db, part };
}

/** Moves a finished SQLite part file into place as one file (no -wal beside it); returns its size. */
export function finishPart(db: Database, part: string, out: string): number {
  db.exec("PRAGMA journal_mode = DELETE");
  db.close();
  removeSqlite(out);
  renameSync(part, out);
  return statSync(out).size;
}

/** Fast and still crash-safe: WAL with synchronous=NORMAL loses at most the last batch. */
export function tuneForWriting(db: Database): void {
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
}

export class MbtilesWriter implements ArchiveWriter {
  readonly resumed: number;
  private readonly db: Database;
  private readonly part: string;

  constructor(
    private readonly out: string,
    private readonly info: ArchiveInfo,
  ) {
    const opened = openPart(out, SCHEMA, (db) => {
      const row = db.query("SELECT value FROM metadata WHERE name = ?").get(FINGERPRINT) as { value: string } | null;
      return row?.value === info.fingerprint;
    });
    this.db = opened.db;
    this.part = opened.part;
    tuneForWriting(this.db);
    this.db.query("INSERT OR REPLACE INTO metadata (name, value) VALUES (?, ?)").run(FINGERPRINT, info.fingerprint);
    this.resumed = (this.db.query("SELECT count(*) AS n FROM map").get() as { n: number }).n;
  }

  has(z: number, x: number, y: number): boolean {
    return this.db.query("SELECT 1 FROM map WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?").get(z, x, 2 ** z - 1 - y) !== null;
  }

  write(z: number, xy: Uint32Array, tiles: (Uint8Array | null)[]): void {
    const image = this.db.query("INSERT OR IGNORE INTO images (tile_id, tile_data) VALUES (?, ?)");
    const map = this.db.query("INSERT OR REPLACE INTO map (zoom_level, tile_column, tile_row, tile_id) VALUES (?, ?, ?, ?)");
    this.db.transaction(() => {
      tiles.forEach((bytes, i) => {
        if (!bytes) return;
        const key = contentKey(bytes);
        image.run(key, bytes);
        map.run(z, xy[2 * i], 2 ** z - 1 - xy[2 * i + 1], key);
      });
    })();
  }

  finish(summary: ArchiveSummary): number {
    const { info } = this;
    const metadata: Record<string, string> = {
      name: info.name,
      format: info.format,
      type: "overlay",
      version: "1.3",
      description: `hotpot heatmap, ${info.tileSize} px tiles`,
      minzoom: String(info.minZoom),
      maxzoom: String(info.maxZoom),
      attribution: info.attribution,
    };
    if (summary.bounds) {
      const b = summary.bounds;
      const [lng, lat] = centre(b);
      metadata.bounds = [b.west, b.south, b.east, b.north].map((v) => v.toFixed(6)).join(",");
      metadata.center = `${lng.toFixed(6)},${lat.toFixed(6)},${info.minZoom}`;
    }
    const put = this.db.query("INSERT OR REPLACE INTO metadata (name, value) VALUES (?, ?)");
    this.db.transaction(() => {
      for (const [name, value] of Object.entries(metadata)) put.run(name, value);
    })();
    return finishPart(this.db, this.part, this.out);
  }

  close(): void {
    this.db.close();
  }
}
