/**
 * Pure Web Mercator and tile maths. World space is 0..1 on both axes with y
 * growing southwards, so tile (z, x, y) covers [x, x+1) / 2^z by [y, y+1) / 2^z.
 */

/** Latitudes beyond this have no place on a square Web Mercator map. */
export const MAX_LAT = 85.0511287798066;
/** Deepest zoom hotpot answers; deeper than 20 a pixel is smaller than GPS error. */
export const MAX_ZOOM = 20;

export function lngToX(lng: number): number {
  return (lng + 180) / 360;
}

export function latToY(lat: number): number {
  const s = Math.sin((lat * Math.PI) / 180);
  return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
}

export function xToLng(x: number): number {
  return x * 360 - 180;
}

export function yToLat(y: number): number {
  return (Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180) / Math.PI;
}

export interface Bounds {
  west: number;
  south: number;
  east: number;
  north: number;
}

/** Geographic bounds of a tile. */
export function tileBounds(z: number, x: number, y: number): Bounds {
  const n = 2 ** z;
  return { west: xToLng(x / n), east: xToLng((x + 1) / n), north: yToLat(y / n), south: yToLat((y + 1) / n) };
}

/** Whether z/x/y names a real tile: integers, 0 <= z <= MAX_ZOOM, 0 <= x,y < 2^z. */
export function isValidTile(z: number, x: number, y: number): boolean {
  if (!Number.isInteger(z) || !Number.isInteger(x) || !Number.isInteger(y)) return false;
  if (z < 0 || z > MAX_ZOOM) return false;
  const n = 2 ** z;
  return x >= 0 && x < n && y >= 0 && y < n;
}

/**
 * The stored zoom level a request at `z` is drawn from: the shallowest stored
 * level at or below z in detail terms (the next deeper one), else the deepest
 * stored level, which is then over-zoomed.
 */
export function sourceZoom(z: number, zoomLevels: readonly number[]): number {
  let deepest = -1;
  let best = -1;
  for (const level of zoomLevels) {
    if (level > deepest) deepest = level;
    if (level >= z && (best === -1 || level < best)) best = level;
  }
  return best === -1 ? deepest : best;
}
