/**
 * A prepared activity's tiles packed into one ArrayBuffer, so a worker hands
 * them to the main thread with a transfer list instead of cloning hundreds of
 * small arrays:
 *
 *   u32 count | count x (u32 z, u32 x, u32 y, u32 byteLength) | geometry bytes, back to back
 */
import type { TileGeometry } from "../types.ts";

export function packTiles(tiles: readonly TileGeometry[]): ArrayBuffer {
  const headerBytes = 4 * (1 + 4 * tiles.length);
  let total = headerBytes;
  for (const t of tiles) total += t.geometry.byteLength;
  const buffer = new ArrayBuffer(total);
  const header = new Uint32Array(buffer, 0, 1 + 4 * tiles.length);
  const bytes = new Uint8Array(buffer);
  header[0] = tiles.length;
  let at = headerBytes;
  for (let i = 0, h = 1; i < tiles.length; i++, h += 4) {
    const t = tiles[i];
    header[h] = t.z;
    header[h + 1] = t.x;
    header[h + 2] = t.y;
    header[h + 3] = t.geometry.byteLength;
    bytes.set(t.geometry, at);
    at += t.geometry.byteLength;
  }
  return buffer;
}

/** The tiles of a packed buffer; each geometry is a view into it, not a copy. */
export function unpackTiles(buffer: ArrayBuffer): TileGeometry[] {
  const count = new Uint32Array(buffer, 0, 1)[0];
  const header = new Uint32Array(buffer, 4, 4 * count);
  const tiles: TileGeometry[] = new Array(count);
  let at = 4 * (1 + 4 * count);
  for (let i = 0; i < count; i++) {
    const length = header[4 * i + 3];
    tiles[i] = { z: header[4 * i], x: header[4 * i + 1], y: header[4 * i + 2], geometry: new Uint8Array(buffer, at, length) };
    at += length;
  }
  return tiles;
}
