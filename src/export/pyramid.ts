/**
 * Which tiles an export renders: every tile of the asked zooms with stored
 * geometry under it, and no other (a tile with nothing stored under it draws
 * nothing, see render.ts), in PMTiles tile-id order so an archive's data is
 * written clustered as it comes.
 *
 *   export zoom z <= stored level s:  the parents of the stored tiles (x >> (s - z))
 *   export zoom z >  deepest level s: the children of the stored tiles (x << (z - s) + i),
 *                                     some of which turn out empty when drawn
 */
import type { ZoomRange } from "../args.ts";
import type { Store } from "../store.ts";
import { latToY, lngToX, sourceZoom, type Bounds } from "../tile.ts";

export type { ZoomRange };

/** Tiles of one zoom as x, y pairs, sorted by tile id. */
export interface ZoomTiles {
  z: number;
  xy: Uint32Array;
}

/** Hilbert-curve position of a tile within its zoom (PMTiles v3). */
function hilbert(z: number, x: number, y: number): number {
  let d = 0;
  for (let s = 2 ** (z - 1); s >= 1; s /= 2) {
    const rx = x & s ? 1 : 0;
    const ry = y & s ? 1 : 0;
    d += s * s * ((3 * rx) ^ ry);
    // Turn the quadrant so the curve inside it runs the same way as the whole.
    if (ry === 0) {
      if (rx === 1) {
        x = s - 1 - (x & (s - 1));
        y = s - 1 - (y & (s - 1));
      }
      [x, y] = [y, x];
    }
  }
  return d;
}

/** PMTiles v3 tile id: the tiles of all shallower zooms, then the Hilbert position. Exact up to z 26 (2^53). */
export function tileId(z: number, x: number, y: number): number {
  return (4 ** z - 1) / 3 + hilbert(z, x, y);
}

/** The tile columns/rows of zoom z that meet `bounds` (inclusive), or the whole zoom without bounds. */
function tileRange(z: number, bounds: Bounds | undefined): { x0: number; x1: number; y0: number; y1: number } {
  const n = 2 ** z;
  if (!bounds) return { x0: 0, x1: n - 1, y0: 0, y1: n - 1 };
  const clamp = (v: number) => Math.min(n - 1, Math.max(0, v));
  return {
    x0: clamp(Math.floor(lngToX(bounds.west) * n)),
    x1: clamp(Math.ceil(lngToX(bounds.east) * n) - 1),
    y0: clamp(Math.floor(latToY(bounds.north) * n)),
    y1: clamp(Math.ceil(latToY(bounds.south) * n) - 1),
  };
}

/**
 * The tiles of zoom z to render. `levels` keeps the stored levels' addresses
 * between calls: several export zooms draw from one stored level.
 */
export function zoomTiles(store: Store, z: number, bounds?: Bounds, levels = new Map<number, Uint32Array>()): ZoomTiles {
  const level = sourceZoom(z, store.config().zoom_levels);
  let stored = levels.get(level);
  if (!stored) levels.set(level, (stored = store.storedTileAddresses(level)));
  const { x0, x1, y0, y1 } = tileRange(z, bounds);
  const n = 2 ** z;
  const keys = new Set<number>();
  const keep = (x: number, y: number) => {
    if (x >= x0 && x <= x1 && y >= y0 && y <= y1) keys.add(x * n + y);
  };
  for (let i = 0; i < stored.length; i += 2) {
    if (level >= z) {
      keep(stored[i] >>> (level - z), stored[i + 1] >>> (level - z));
      continue;
    }
    const k = 2 ** (z - level);
    for (let dx = 0; dx < k; dx++) for (let dy = 0; dy < k; dy++) keep(stored[i] * k + dx, stored[i + 1] * k + dy);
  }
  const ordered = [...keys].map((key) => ({ key, id: hilbert(z, Math.floor(key / n), key % n) })).sort((a, b) => a.id - b.id);
  const xy = new Uint32Array(ordered.length * 2);
  ordered.forEach(({ key }, i) => {
    xy[2 * i] = Math.floor(key / n);
    xy[2 * i + 1] = key % n;
  });
  return { z, xy };
}

/** The tiles of each zoom of the range to render. */
export function pyramidTiles(store: Store, zooms: ZoomRange, bounds?: Bounds): ZoomTiles[] {
  const levels = new Map<number, Uint32Array>();
  const plan: ZoomTiles[] = [];
  for (let z = zooms.min; z <= zooms.max; z++) plan.push(zoomTiles(store, z, bounds, levels));
  return plan;
}

/** How many tiles an export of these zooms and bounds looks at. */
export function countTiles(store: Store, zooms: ZoomRange, bounds?: Bounds): number {
  return pyramidTiles(store, zooms, bounds).reduce((n, p) => n + p.xy.length / 2, 0);
}
