/**
 * "Which activities went here" and "where is my data", answered from the
 * stored tiles alone: no track is re-read, only the rows of the one or few
 * stored tiles around the point (or of one shallow zoom level for bounds).
 */
import { PerVersion } from "../cache.ts";
import { decodeLines } from "../codec.ts";
import { HotpotError } from "../errors.ts";
import { reading, queryKey, type CompiledQuery } from "../query.ts";
import type { Store } from "../store.ts";
import { metresPerWorldUnit } from "../geo.ts";
import { maskTest } from "../mask.ts";
import { latToY, lngToX, MAX_ZOOM, sourceZoom, xToLng, yToLat } from "../tile.ts";
import type { Properties } from "../types.ts";

/** Pixels of slack around a click: a finger on a phone is about this wide at 512-px tiles. */
export const DEFAULT_RADIUS_PX = 8;
/** Rows listed by default; a busy road can have thousands of passes. */
export const DEFAULT_NEAR_LIMIT = 200;
export const MAX_NEAR_LIMIT = 1000;
/** Bounds are read at the shallowest stored level at least this deep: about 300 m per tile unit at extent 2048. */
const BOUNDS_ZOOM = 6;

export interface NearOptions {
  lat: number;
  lng: number;
  /** The map's zoom, in 512-px tiles as /tile/{z} and MapLibre count it: the world is 512·2^zoom px wide. */
  zoom: number;
  radiusPx?: number;
  limit?: number;
  /** Absent or null: all activities. */
  query?: CompiledQuery | null;
}

/** An activity as the list API shows it, plus how close it passes. */
export interface NearActivity {
  id: number;
  key: string;
  title: string | null;
  /** ISO 8601, or null when unknown. */
  start_time: string | null;
  properties: Properties;
  /** Metres from the asked point to the closest stored (simplified) part of the track. */
  offset_m: number;
}

/**
 * Activities with a stored line within `radiusPx` screen pixels of a point,
 * newest first. The rows come from the stored level the renderer draws this
 * zoom from, so what is listed is what the heat shows. A line whose nearest
 * part lies inside a privacy mask does not count: the list must not reveal
 * what the map hides.
 *
 *        r = radiusPx / (512·2^zoom)  world units
 *    +-------+-------+
 *    |       |  .-.  |   every stored tile the circle touches is read, and
 *    |       | ( p ) |   p is moved into each tile's own units
 *    +-------+--'-'--+
 */
export function activitiesNear(store: Store, options: NearOptions): NearActivity[] {
  const { lat, lng, zoom } = options;
  const radiusPx = options.radiusPx ?? DEFAULT_RADIUS_PX;
  const limit = options.limit ?? DEFAULT_NEAR_LIMIT;
  const { config, ids: allowed } = reading(store, options.query ?? null);
  const z = sourceZoom(Math.ceil(zoom), config.zoom_levels);
  const n = 2 ** z;
  const extent = config.tile_extent;
  const px = lngToX(lng) * n;
  const py = latToY(lat) * n;
  const radius = (radiusPx / (512 * 2 ** zoom)) * n * extent;
  const r2 = radius * radius;
  const reach = radius / extent;
  const rows = store.tileRows(z, Math.floor(px - reach), Math.floor(px + reach) + 1, Math.floor(py - reach), Math.floor(py + reach) + 1);
  const masked = maskTest(config.activity_masks);

  const best = new Map<number, number>();
  for (const row of rows) {
    if (allowed && !allowed.has(row.activity_id)) continue;
    const known = best.get(row.activity_id) ?? Infinity;
    const d2 = nearestOnRow(row.geometry, (px - row.x) * extent, (py - row.y) * extent, Math.min(r2, known), (cx, cy) =>
      masked((row.x + cx / extent) / n, (row.y + cy / extent) / n),
    );
    if (d2 < known) best.set(row.activity_id, d2);
  }
  if (best.size === 0) return [];

  const metresPerUnit = metresPerWorldUnit(lat) / (n * extent);
  return store.rowsByIds(best.keys(), limit).map((a) => ({
    id: a.id,
    key: a.key,
    title: a.title,
    start_time: a.start_time === null ? null : new Date(a.start_time).toISOString(),
    properties: JSON.parse(a.properties) as Properties,
    offset_m: Math.sqrt(best.get(a.id)!) * metresPerUnit,
  }));
}

/**
 * The squared distance (tile units) from p to the closest segment of a row's
 * lines, if below `limit2`, else Infinity. `hidden(cx, cy)` rejects a
 * segment whose closest point lies in a privacy mask.
 */
function nearestOnRow(blob: Uint8Array, px: number, py: number, limit2: number, hidden: (cx: number, cy: number) => boolean): number {
  const { coords, ends } = decodeLines(blob);
  let best = Infinity;
  let start = 0;
  for (let l = 0; l < ends.length; l++) {
    const end = ends[l];
    for (let i = start; i < end - 1; i++) {
      const ax = coords[2 * i];
      const ay = coords[2 * i + 1];
      const dx = coords[2 * i + 2] - ax;
      const dy = coords[2 * i + 3] - ay;
      const len2 = dx * dx + dy * dy;
      let t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const cx = ax + t * dx;
      const cy = ay + t * dy;
      const d2 = (cx - px) * (cx - px) + (cy - py) * (cy - py);
      if (d2 <= limit2 && d2 < best && !hidden(cx, cy)) best = d2;
    }
    start = end;
  }
  return best;
}

/** West, south, east, north in degrees. */
export type LngLatBounds = [number, number, number, number];

/** 32 distinct filters remembered per store and data version; a page asks for a handful. */
const boundsCache = new PerVersion<Store, string, LngLatBounds | null>({ maxEntries: 32 });

/**
 * The extent of the matching activities' stored lines (outside privacy
 * masks), from the shallowest stored level at least BOUNDS_ZOOM deep; null
 * when nothing matches. Cached per data version and query.
 */
export function activityBounds(store: Store, query: CompiledQuery | null = null): LngLatBounds | null {
  const { version, config, ids: allowed } = reading(store, query);
  const cacheKey = queryKey(query);
  const cache = boundsCache.at(store, version);
  if (cache.has(cacheKey)) return cache.get(cacheKey)!;

  const z = sourceZoom(BOUNDS_ZOOM, config.zoom_levels);
  const scale = 2 ** z * config.tile_extent;
  const masked = maskTest(config.activity_masks);
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const row of store.tileRows(z, 0, 2 ** z, 0, 2 ** z)) {
    if (allowed && !allowed.has(row.activity_id)) continue;
    const { coords } = decodeLines(row.geometry);
    for (let i = 0; i < coords.length; i += 2) {
      const cx = coords[i];
      const cy = coords[i + 1];
      // Lines run a small buffer past the tile's edges, ending at cut points that are no real
      // vertex; every real vertex lies inside some tile, so skipping the buffer loses nothing.
      if (cx < 0 || cx > config.tile_extent || cy < 0 || cy > config.tile_extent) continue;
      const wx = (row.x * config.tile_extent + cx) / scale;
      const wy = (row.y * config.tile_extent + cy) / scale;
      if (masked(wx, wy)) continue;
      if (wx < x0) x0 = wx;
      if (wx > x1) x1 = wx;
      if (wy < y0) y0 = wy;
      if (wy > y1) y1 = wy;
    }
  }
  const bounds: LngLatBounds | null = x0 === Infinity ? null : [xToLng(x0), yToLat(y1), xToLng(x1), yToLat(y0)];
  cache.set(cacheKey, bounds);
  return bounds;
}

/** Reads `near=LAT,LNG` and `zoom=Z` from a query string, naming the parameter on a mistake. */
export function parseNear(near: string, zoom: string | undefined): { lat: number; lng: number; zoom: number } {
  const parts = near.split(",");
  const lat = Number(parts[0]);
  const lng = Number(parts[1]);
  if (parts.length !== 2 || parts.some((p) => p.trim() === "") || !(Math.abs(lat) <= 85.0511) || !(Math.abs(lng) <= 180)) {
    throw new HotpotError("bad_argument", `near: expected LAT,LNG with |LAT| <= 85.05 and |LNG| <= 180, found "${near}"`);
  }
  const z = zoom === undefined || zoom === "" ? NaN : Number(zoom);
  if (!(z >= 0 && z <= MAX_ZOOM)) {
    throw new HotpotError("bad_argument", `zoom: expected a number from 0 to ${MAX_ZOOM} with near=, found "${zoom ?? ""}"`);
  }
  return { lat, lng, zoom: z };
}
