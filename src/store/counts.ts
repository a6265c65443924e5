/**
 * The `count_tiles` table, the count pyramid: the counts of the busiest
 * unfiltered frequency tiles (exactly as render.ts draws them, before the
 * privacy masks), so such a tile is a lookup and an inflate instead of
 * 20-50 ms of drawing. Which tiles are stored, and their building, is
 * src/count-pyramid.ts; here are their rows and keeping them exact: every write
 * of activities removes, in its own transaction, the stored tiles drawn from
 * any source tile it touches, so no reader ever sees a stale one.
 *
 *   stored level Z (the tile's sourceZoom), source tile (Z, x, y):
 *     a tile at z <= Z covers it when (x, y) >> (Z - z) is the tile's address
 *     a tile at z >  Z lies in it when its address >> (z - Z) is (x, y)
 */
import type { Database } from "bun:sqlite";
import { deflateRaw, inflateRaw } from "../decompress.ts";
import { sourceZoom } from "../tile.ts";
import { dataVersion } from "./schema.ts";

export interface TileAddress {
  z: number;
  x: number;
  y: number;
}

/** A tile's counts as stored: `packed` is packCounts' output or NOT_STORED. */
export interface CountTile extends TileAddress {
  size: number;
  packed: Uint8Array;
}

/** Stored for a tile judged cheap to draw (src/count-pyramid.ts): it is drawn, and not judged again until a write touches it. */
export const NOT_STORED = new Uint8Array(0);

/**
 * size x size counts as stored (packed by the drawing workers, not the
 * writer): each row as its difference from the row above, deflated. Lines
 * wider than a pixel repeat the row above, so the differences are mostly
 * zeros and deflate smaller than the counts themselves (README, Performance).
 */
export function packCounts(counts: Uint8Array, size: number): Uint8Array {
  const deltas = new Uint8Array(counts.length);
  deltas.set(counts.subarray(0, size));
  for (let i = size; i < counts.length; i++) deltas[i] = counts[i] - counts[i - size]; // modulo 256, undone by the same wrap
  return deflateRaw(deltas);
}

/** The stored counts of tile z/x/y at `size` px, copied into `into` (zeroed, size x size) when given; null when not stored or NOT_STORED. */
export function countTile(db: Database, z: number, x: number, y: number, size: number, into?: Uint8Array): Uint8Array | null {
  const row = db
    .query<{ counts: Uint8Array }, [number, number, number, number]>("SELECT counts FROM count_tiles WHERE z = ? AND x = ? AND y = ? AND size = ?")
    .get(z, x, y, size);
  if (!row || row.counts.length === 0) return null;
  const deltas = inflateRaw(row.counts, size * size, size * size, `count tile ${z}/${x}/${y} at ${size} px`);
  const counts = into ?? deltas;
  counts.set(deltas.subarray(0, size));
  addRowAbove(deltas, counts, size);
  return counts;
}

/**
 * counts[i] = deltas[i] + counts[i - size], mod 256, from the second row on.
 * Four bytes at a time where both arrays are word-aligned (sizes are multiples
 * of 4): the low seven bits of each byte add without carrying into the next,
 * and the top bit is the xor of both top bits and that carry. Every pyramid
 * lookup makes this pass over the whole tile.
 */
function addRowAbove(deltas: Uint8Array, counts: Uint8Array, size: number): void {
  const n = size * size;
  if (deltas.byteOffset % 4 === 0 && counts.byteOffset % 4 === 0 && size % 4 === 0) {
    const d = new Uint32Array(deltas.buffer, deltas.byteOffset, n / 4);
    const c = new Uint32Array(counts.buffer, counts.byteOffset, n / 4);
    const row = size / 4;
    for (let i = row; i < c.length; i++) {
      const a = d[i];
      const b = c[i - row];
      c[i] = ((a & 0x7f7f7f7f) + (b & 0x7f7f7f7f)) ^ ((a ^ b) & 0x80808080);
    }
    return;
  }
  for (let i = size; i < n; i++) counts[i] = deltas[i] + counts[i - size];
}

/** Every stored tile's address and size, and its stored bytes. */
export function countTileAddresses(db: Database): (TileAddress & { size: number; bytes: number })[] {
  return db.query<TileAddress & { size: number; bytes: number }, []>("SELECT z, x, y, size, length(counts) AS bytes FROM count_tiles").all();
}

/**
 * Stores tiles drawn from the data of `version`, all in one transaction, if
 * the data are still those: false (nothing stored) when a write came in
 * between, since the tiles may then be stale.
 */
export function putCountTiles(db: Database, version: number, tiles: CountTile[]): boolean {
  const insert = db.query<never, [number, number, number, number, Uint8Array]>(
    "INSERT OR REPLACE INTO count_tiles (z, x, y, size, counts) VALUES (?, ?, ?, ?, ?)",
  );
  return db.transaction(() => {
    if (dataVersion(db) !== version) return false;
    for (const t of tiles) insert.run(t.z, t.x, t.y, t.size, t.packed);
    return true;
  }).immediate();
}

/** Tile address as one number: z <= 20 and x, y < 2^20 fit a double's 53 bits exactly. */
const key = (z: number, x: number, y: number) => (z * 2 ** 20 + x) * 2 ** 20 + y;

/**
 * Removes the stored tiles drawn from any of the source tiles `sources`
 * gives (stored rows' addresses, read only when the pyramid holds a tile).
 * Call inside the transaction that writes those rows.
 */
export function dropCountTilesOver(db: Database, levels: readonly number[], sources: () => Iterable<TileAddress>): void {
  const stored = db.query<TileAddress, []>("SELECT DISTINCT z, x, y FROM count_tiles").all();
  if (stored.length === 0) return;
  // Every address at or above its source level that covers a touched source tile.
  const touched = new Set<number>();
  for (const s of sources()) {
    for (let z = s.z; z >= 0 && sourceZoom(z, levels) === s.z; z--) touched.add(key(z, s.x >> (s.z - z), s.y >> (s.z - z)));
  }
  const drop = db.query<never, [number, number, number]>("DELETE FROM count_tiles WHERE z = ? AND x = ? AND y = ?");
  for (const t of stored) {
    const zs = sourceZoom(t.z, levels);
    const d = Math.max(0, t.z - zs);
    if (touched.has(key(t.z - d, t.x >> d, t.y >> d))) drop.run(t.z, t.x, t.y);
  }
}

/** Removes these stored tiles: the pyramid no longer wants them (its limits changed since they were drawn). */
export function dropCountTiles(db: Database, tiles: (TileAddress & { size: number })[]): void {
  const drop = db.query<never, [number, number, number, number]>("DELETE FROM count_tiles WHERE z = ? AND x = ? AND y = ? AND size = ?");
  db.transaction(() => {
    for (const t of tiles) drop.run(t.z, t.x, t.y, t.size);
  }).immediate();
}

/** Empties the pyramid (every activity removed). */
export function clearCountTiles(db: Database): void {
  db.exec("DELETE FROM count_tiles");
}
