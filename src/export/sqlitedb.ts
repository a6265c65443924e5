/**
 * OsmAnd's tile SQLite format (.sqlitedb, BigPlanet's as OsmAnd extends it):
 * an output format with its own SQLite file, so its SQL lives here, as
 * MBTiles' does (mbtiles.ts says why). Zooms
 * are written as they are (tilenumbering "", not BigPlanet's 17 - z) and y
 * counts from the north. No deduplication: the format has one image per row.
 * Written and resumed like MBTiles (mbtiles.ts: OUT.part, a transaction per batch).
 */
import type { Database } from "bun:sqlite";
import type { ArchiveInfo, ArchiveWriter } from "./archive.ts";
import { finishPart, openPart, tuneForWriting } from "./mbtiles.ts";

const SCHEMA = `
  CREATE TABLE tiles (x INTEGER, y INTEGER, z INTEGER, s INTEGER, image BLOB, PRIMARY KEY (x, y, z, s));
  CREATE TABLE info (
    minzoom INTEGER, maxzoom INTEGER, tilenumbering TEXT, tilesize INTEGER, ellipsoid INTEGER, inverted_y INTEGER,
    hotpot_fingerprint TEXT
  );
`;

export class SqlitedbWriter implements ArchiveWriter {
  readonly resumed: number;
  private readonly db: Database;
  private readonly part: string;

  constructor(
    private readonly out: string,
    info: ArchiveInfo,
  ) {
    const opened = openPart(out, SCHEMA, (db) => {
      const row = db.query("SELECT hotpot_fingerprint FROM info").get() as { hotpot_fingerprint: string } | null;
      return row?.hotpot_fingerprint === info.fingerprint;
    });
    this.db = opened.db;
    this.part = opened.part;
    tuneForWriting(this.db);
    this.db.transaction(() => {
      this.db.exec("DELETE FROM info");
      this.db
        .query("INSERT INTO info (minzoom, maxzoom, tilenumbering, tilesize, ellipsoid, inverted_y, hotpot_fingerprint) VALUES (?, ?, '', ?, 0, 0, ?)")
        .run(info.minZoom, info.maxZoom, info.tileSize, info.fingerprint);
    })();
    this.resumed = (this.db.query("SELECT count(*) AS n FROM tiles").get() as { n: number }).n;
  }

  has(z: number, x: number, y: number): boolean {
    return this.db.query("SELECT 1 FROM tiles WHERE x = ? AND y = ? AND z = ? AND s = 0").get(x, y, z) !== null;
  }

  write(z: number, xy: Uint32Array, tiles: (Uint8Array | null)[]): void {
    const insert = this.db.query("INSERT OR REPLACE INTO tiles (x, y, z, s, image) VALUES (?, ?, ?, 0, ?)");
    this.db.transaction(() => {
      tiles.forEach((bytes, i) => bytes && insert.run(xy[2 * i], xy[2 * i + 1], z, bytes));
    })();
  }

  finish(): number {
    return finishPart(this.db, this.part, this.out);
  }

  close(): void {
    this.db.close();
  }
}
