/** Reads of `activity_tiles`, the clustered (z, x, y, activity) table the renderer draws from. */
import type { Database } from "bun:sqlite";

/** Columns up to which tileRows queries column by column (a tile drawn from 4 levels deeper spans 16). */
const TILE_COLUMNS_APART = 64;

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

type Cell = Omit<TileRow, "geometry">;
type Range = [z: number, x0: number, x1: number, y0: number, y1: number];

/** The stored tile rows at zoom z, x in [x0, x1), y in [y0, y1), as (x, y, activity) without geometry: where activities are. */
export function tileCells(db: Database, ...range: Range): Cell[] {
  return db.query<Cell, Range>("SELECT x, y, activity_id FROM activity_tiles WHERE z = ? AND x >= ? AND x < ? AND y >= ? AND y < ?").all(...range);
}

/**
 * Stored tile rows of zoom z with x in [x0, x1) and y in [y0, y1), column by
 * column: the primary key orders rows by x, then y, so one range over x would
 * walk every row of those columns and drop those outside [y0, y1). Measured
 * on the benchmark's tile session: half the time (1.0 s against 2.1 s). Wide
 * ranges (scans of a whole level) take the one range.
 */
export function tileRows(db: Database, z: number, x0: number, x1: number, y0: number, y1: number, share: Share): TileRow[] {
  // On the key, so SQLite skips the other share's geometry (its decoding and any overflow
  // pages), though the leaf pages holding it are still walked. (A bare ? numbers itself
  // after the highest ?N before it.)
  const shared = share.of > 1 ? " AND activity_id % ? = ?" : "";
  const params = share.of > 1 ? [share.of, share.index] : [];
  if (x1 - x0 > TILE_COLUMNS_APART) {
    return db
      .query<TileRow, number[]>(`SELECT activity_id, x, y, geometry FROM activity_tiles WHERE z = ?1 AND x >= ?2 AND x < ?3 AND y >= ?4 AND y < ?5${shared}`)
      .all(z, x0, x1, y0, y1, ...params);
  }
  const column = db.query<TileRow, number[]>(`SELECT activity_id, x, y, geometry FROM activity_tiles WHERE z = ?1 AND x = ?2 AND y >= ?3 AND y < ?4${shared}`);
  const rows: TileRow[] = [];
  for (let x = x0; x < x1; x++) for (const row of column.all(z, x, y0, y1, ...params)) rows.push(row);
  return rows;
}

/**
 * The stored rows of level z of activities with ids in (afterId, upToId], in key order
 * (x, y, activity), one at a time: a whole level does not fit in memory twice.
 */
export function levelRows(db: Database, z: number, afterId: number, upToId: number): IterableIterator<TileRow> {
  return db
    .query<TileRow, [number, number, number]>(
      "SELECT activity_id, x, y, geometry FROM activity_tiles WHERE z = ? AND activity_id > ? AND activity_id <= ? ORDER BY x, y, activity_id",
    )
    .iterate(z, afterId, upToId);
}

/** One activity's rows of level z, in x, y order. */
export function rowsOfActivity(db: Database, activityId: number, z: number): Omit<TileRow, "activity_id">[] {
  return db
    .query<Omit<TileRow, "activity_id">, [number, number]>("SELECT x, y, geometry FROM activity_tiles WHERE activity_id = ? AND z = ? ORDER BY x, y")
    .all(activityId, z);
}

/**
 * Addresses of the stored tiles of level z, as x, y pairs in key order
 * (`hotpot export` derives the tiles worth rendering from them). Walks the
 * level's range of the clustered primary key.
 */
export function storedTileAddresses(db: Database, z: number): Uint32Array {
  const rows = db.query<{ x: number; y: number }, [number]>("SELECT DISTINCT x, y FROM activity_tiles WHERE z = ?").all(z);
  const out = new Uint32Array(rows.length * 2);
  rows.forEach(({ x, y }, i) => {
    out[2 * i] = x;
    out[2 * i + 1] = y;
  });
  return out;
}

/**
 * Each stored tile of level z as (x, y, bytes of its rows' geometry) triples:
 * what drawing from it costs, as stored points do (the pyramid's choice).
 */
export function levelWeights(db: Database, z: number): Float64Array {
  const rows = db.query<{ x: number; y: number; bytes: number }, [number]>("SELECT x, y, sum(length(geometry)) AS bytes FROM activity_tiles WHERE z = ? GROUP BY x, y").all(z);
  const out = new Float64Array(rows.length * 3);
  rows.forEach(({ x, y, bytes }, i) => {
    out[3 * i] = x;
    out[3 * i + 1] = y;
    out[3 * i + 2] = bytes;
  });
  return out;
}
