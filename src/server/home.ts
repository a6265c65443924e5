/**
 * GET /api/home?filter&before&after → {"bounds": [W, S, E, N] | null}: where most of the
 * matching activity is, for the page to open on. Framing everything lets one far-away holiday
 * shrink home to a speck; this frames the densest cluster instead, read from the stored tiles.
 *
 * At a stored zoom of about 10 (tiles some 25–40 km wide) each tile counts the activities
 * crossing it. The centre is the tile whose 3×3 neighbourhood counts most; the frame is the
 * extent of the tiles within HOME_REACH of it that hold at least HOME_SHARE of its busiest
 * tile's count, so the rides around home are in and a lone tour through the region is not;
 * then trimmed to the extent of the data itself.
 *
 *     . . 1 . . . . . .
 *     . 4 9 6 . . . . .      centre: the 9's neighbourhood (sum 37)
 *     . 3 7 5 1 . . . .      frame: the tiles ≥ 10% of 9 within reach
 *     . . 2 . . . . . 2  ←   too far: a holiday, left out
 */
import { PerVersion } from "../cache.ts";
import { activityIdSet, queryKey, type CompiledQuery } from "../query.ts";
import type { Store } from "../store.ts";
import { sourceZoom, xToLng, yToLat } from "../tile.ts";
import { jsonResponse, searchParams } from "./http.ts";
import type { LngLatBounds } from "./near.ts";
import { activityQuery } from "./params.ts";

/** Counted at the shallowest stored level at least this deep. */
const HOME_ZOOM = 10;
/** The frame is then trimmed to the tiles with data at the shallowest stored level this deep (about 2 km). */
const TRIM_ZOOM = 14;
/** Tiles of that zoom around the centre the frame may reach: about ±200 km at 45° N. */
const HOME_REACH = 6;
/** A tile joins the frame with at least this share of the busiest tile's activities. */
const HOME_SHARE = 0.1;

/** 32 distinct filters remembered per store and data version; a page asks for a handful. */
const cache = new PerVersion<Store, string, LngLatBounds | null>({ maxEntries: 32 });

export function homeBounds(store: Store, query: CompiledQuery | null = null): LngLatBounds | null {
  const { version, config } = store.snapshot();
  const cacheKey = queryKey(query);
  const entries = cache.at(store, version);
  if (entries.has(cacheKey)) return entries.get(cacheKey)!;

  const levels = config.zoom_levels;
  const allowed = activityIdSet(store, query, version);
  const z = sourceZoom(HOME_ZOOM, levels);
  const n = 2 ** z;
  const counts = new Map<number, number>();
  for (const { x, y, activity_id } of store.tileCells(z, 0, n, 0, n)) {
    if (allowed && !allowed.has(activity_id)) continue;
    const cell = y * n + x;
    counts.set(cell, (counts.get(cell) ?? 0) + 1);
  }
  const bounds = counts.size === 0 ? null : trim(store, frame(counts, n), z, sourceZoom(TRIM_ZOOM, levels), allowed);
  entries.set(cacheKey, bounds);
  return bounds;
}

type TileFrame = [x0: number, y0: number, x1: number, y1: number];

/** The frame around the densest neighbourhood of `counts` (cell = y·n + x → activities), in tiles, ends inclusive. */
function frame(counts: Map<number, number>, n: number): TileFrame {
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= n || y >= n ? 0 : (counts.get(y * n + x) ?? 0));
  let centre = -1;
  let best = -1;
  for (const cell of counts.keys()) {
    const cx = cell % n;
    const cy = Math.floor(cell / n);
    let sum = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) sum += at(cx + dx, cy + dy);
    // Ties go to the lower cell number, so the answer does not depend on insertion order.
    if (sum > best || (sum === best && cell < centre)) [best, centre] = [sum, cell];
  }
  const cx = centre % n;
  const cy = Math.floor(centre / n);
  let peak = 0;
  for (let y = cy - HOME_REACH; y <= cy + HOME_REACH; y++) for (let x = cx - HOME_REACH; x <= cx + HOME_REACH; x++) peak = Math.max(peak, at(x, y));
  let [x0, y0, x1, y1] = [cx, cy, cx, cy];
  for (let y = cy - HOME_REACH; y <= cy + HOME_REACH; y++) {
    for (let x = cx - HOME_REACH; x <= cx + HOME_REACH; x++) {
      if (at(x, y) === 0 || at(x, y) < peak * HOME_SHARE) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  return [x0, y0, x1, y1];
}

/** The extent of the deeper tiles with matching data inside a frame of zoom-z tiles, in degrees. */
function trim(store: Store, [x0, y0, x1, y1]: TileFrame, z: number, deep: number, allowed: Set<number> | null): LngLatBounds {
  const k = 2 ** (deep - z);
  let [a0, b0, a1, b1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const { x, y, activity_id } of store.tileCells(deep, x0 * k, (x1 + 1) * k, y0 * k, (y1 + 1) * k)) {
    if (allowed && !allowed.has(activity_id)) continue;
    a0 = Math.min(a0, x);
    a1 = Math.max(a1, x);
    b0 = Math.min(b0, y);
    b1 = Math.max(b1, y);
  }
  const n = 2 ** deep;
  // Rows exist wherever rows did at zoom z, so the loop found some; the fallback only guards odd stores.
  if (a0 === Infinity) [a0, b0, a1, b1] = [x0 * k, y0 * k, (x1 + 1) * k - 1, (y1 + 1) * k - 1];
  return [xToLng(a0 / n), yToLat((b1 + 1) / n), xToLng((a1 + 1) / n), yToLat(b0 / n)];
}

export function homeHandler(store: Store, owner: (request: Request) => boolean) {
  return (request: Request): Response => jsonResponse({ bounds: homeBounds(store, activityQuery(searchParams(request), owner(request)).query) });
}
