/**
 * Rendering orchestration: which stored tiles an image needs, drawing their
 * rows activity by activity into a count buffer, then the privacy masks.
 * A tile and a bounding-box image are the same thing here: a rectangle of
 * world space laid out as pixels (a PixelView).
 *
 *   z < stored level Z:  the 2^(Z-z) x 2^(Z-z) source tiles under the tile, scaled down
 *   z > deepest level:   the one source tile above it, a sub-rectangle scaled up
 */
import { decodeLinesInto, lineBuffer } from "./codec.ts";
import { HotpotError } from "./errors.ts";
import { applyMasks } from "./mask.ts";
import { reading, type CompiledQuery, type Reading } from "./query.ts";
import { Raster, type PixelView, type Transform } from "./raster.ts";
import { WHOLE, type Share, type Store, type TileRow } from "./store.ts";
import type { StoreConfig } from "./types.ts";
import { WorkerPool } from "./workers.ts";
import { isValidTile, latToY, lngToX, MAX_LAT, MAX_ZOOM, sourceZoom, type Bounds } from "./tile.ts";

import { TILE_SIZES, type TileSize } from "./args.ts";

export { TILE_SIZES, type TileSize };

/** Largest side of a bounding-box image: 8192² counts plus their 16-bit stamps is about 200 MB. */
export const MAX_IMAGE_SIDE = 8192;

export interface TileOptions {
  size: TileSize;
  /** Absent or null: all activities. */
  query?: CompiledQuery | null;
}

export interface BoundsOptions {
  query?: CompiledQuery | null;
}

/** How a bounding-box image will be drawn. */
export interface BoundsPlan {
  view: PixelView;
  /** The zoom (fractional) at which a 512 px tile has this image's resolution. */
  zoom: number;
  /** The stored level drawn from. */
  sourceZoom: number;
  /** Set when the stored data is coarser than the image: says so, with the numbers. */
  warning: string | null;
}

/**
 * Pen radius for a line `width` px wide: anti-aliasing touches about half a
 * pixel beyond each side of the stroke (see raster.ts).
 */
export const penRadius = (lineWidth: number) => (lineWidth + 1) / 2;

/** Lines are one CSS pixel wide up to this zoom, and widen beyond it. */
const WIDEN_FROM = 14;
/** Widest line, in CSS pixels (reached at zoom 17). */
const MAX_LINE_WIDTH = 8;

/**
 * Line width in CSS pixels at a zoom (in 512-px tiles). From zoom 15 the
 * width doubles with each zoom, so a line keeps about 3 m of ground (at 48° N)
 * up to zoom 17: a road used a hundred times, whose tracks lie a GPS error
 * apart, then draws as one band rather than a bundle of 1 px strands.
 *
 *   zoom   ≤14   15   16   17   18+
 *   px       1    2    4    8    8
 */
export function zoomLineWidth(zoom: number): number {
  return zoom <= WIDEN_FROM ? 1 : Math.min(MAX_LINE_WIDTH, 2 ** (zoom - WIDEN_FROM));
}

/** In device pixels: a 256 px tile has half, a 1024 px (@2x) tile twice the pixels of a 512 px one. */
export const tileLineWidth = (z: number, size: TileSize) => Math.max(1, (size / 512) * zoomLineWidth(z));

/**
 * A tile's counts (size x size, row-major), or null when nothing is drawn
 * (no data, a filter that matches nothing, or everything masked).
 */
export function renderTileCounts(store: Store, z: number, x: number, y: number, options: TileOptions): Uint8Array | null {
  return renderTileFrom(reading(store, options.query ?? null), z, x, y, options.size);
}

/** renderTileCounts from a reading already made: tiles of one request or export batch share one. */
export function renderTileFrom(r: Reading, z: number, x: number, y: number, size: TileSize): Uint8Array | null {
  const view = tileView(z, x, y, size);
  const stored = storedTileCounts(r, z, x, y, size);
  if (stored) return finishCounts(r, stored, view, 0, size - 1);
  const raster = drawTilePart(r, z, x, y, size);
  return raster && finishRaster(r, raster, view);
}

/**
 * The tile's counts from the count pyramid (src/count-pyramid.ts), as drawTilePart
 * draws them before the masks, copied into `into` (zeroed) when given; null
 * when it holds none. Only unfiltered tiles are stored: a filter's counts
 * are another sum.
 */
export function storedTileCounts(r: Reading, z: number, x: number, y: number, size: TileSize, into?: Uint8Array): Uint8Array | null {
  return r.query ? null : r.store.countTile(z, x, y, size, into);
}

/**
 * One of `part.of` disjoint shares of a tile's activities, drawn without the
 * masks: the counts of all shares add up to the tile's, because an activity
 * is counted once per pixel and each belongs to one share. null: none drawn.
 * `into`: zeroed memory to draw in (default: new). Throws HotpotError for a
 * tile address or size that does not exist.
 */
export function drawTilePart(r: Reading, z: number, x: number, y: number, size: TileSize, part: Share = WHOLE, into?: Uint8Array): Raster | null {
  const view = tileView(z, x, y, size);
  return drawRaster(r, view, sourceZoom(z, r.config.zoom_levels), tileLineWidth(z, size), part, into);
}

/** The pixels of tile z/x/y at `size` px, checked. */
export function tileView(z: number, x: number, y: number, size: TileSize): PixelView {
  if (!isValidTile(z, x, y)) {
    throw new HotpotError("bad_argument", `tile: expected z 0-${MAX_ZOOM} and x, y 0 to 2^z-1, found ${z}/${x}/${y}`);
  }
  if (!TILE_SIZES.includes(size)) {
    throw new HotpotError("bad_argument", `tile size: expected one of ${TILE_SIZES.join(", ")}, found ${size}`);
  }
  const n = 2 ** z;
  return { width: size, height: size, x0: x / n, y0: y / n, scaleX: size * n, scaleY: size * n };
}

/** An image of exactly width x height covering `bounds`, or null when nothing is drawn. */
export function renderBounds(store: Store, bounds: Bounds, width: number, height: number, options: BoundsOptions = {}): Uint8Array | null {
  const r = reading(store, options.query ?? null);
  const plan = planBounds(r.config, bounds, width, height);
  return drawView(r, plan.view, plan.sourceZoom, zoomLineWidth(plan.zoom));
}
/** Smaller images are drawn on the calling thread: starting workers would cost more than it saves. */
const PARALLEL_MIN_PIXELS = 1_000_000;

/** What a strip worker (strip-worker.ts) is asked to draw. */
export interface StripJob {
  view: PixelView;
  sourceZoom: number;
  lineWidth: number;
  query: CompiledQuery | null;
}

/**
 * renderBounds on `jobs` threads (default one per core): the image is cut
 * into horizontal strips, each drawn by a worker with its own read-only
 * connection from the same stored tiles, then put together. Small images,
 * in-memory stores and jobs = 1 draw here instead.
 */
export async function renderBoundsParallel(
  store: Store,
  bounds: Bounds,
  width: number,
  height: number,
  options: BoundsOptions & { jobs?: number } = {},
): Promise<Uint8Array | null> {
  const r = reading(store, options.query ?? null);
  const plan = planBounds(r.config, bounds, width, height);
  const jobs = Math.min(options.jobs ?? navigator.hardwareConcurrency, height);
  if (jobs <= 1 || width * height < PARALLEL_MIN_PIXELS || store.path === ":memory:") {
    return drawView(r, plan.view, plan.sourceZoom, zoomLineWidth(plan.zoom));
  }
  const { view } = plan;
  // One strip per worker; each opens the database once, with the path as its init.
  const pool = new WorkerPool<StripJob, Uint8Array | null>(() => new Worker(new URL("./strip-worker.ts", import.meta.url)), {
    size: jobs,
    depth: 1,
    init: store.path,
    name: "strip worker",
  });
  try {
    const strips = Array.from({ length: jobs }, (_, i) => {
      const top = Math.floor((height * i) / jobs);
      const bottom = Math.floor((height * (i + 1)) / jobs);
      const job: StripJob = {
        view: { ...view, height: bottom - top, y0: view.y0 + top / view.scaleY },
        sourceZoom: plan.sourceZoom,
        lineWidth: zoomLineWidth(plan.zoom),
        query: r.query,
      };
      return pool.run(job).then((counts) => ({ top, counts }));
    });
    const out = new Uint8Array(width * height);
    let drawn = false;
    for (const { top, counts } of await Promise.all(strips)) {
      if (!counts) continue;
      out.set(counts, top * width);
      drawn = true;
    }
    return drawn ? out : null;
  } catch (e) {
    throw new Error(`render: a strip worker failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    pool.terminate();
  }
}

/** Checks bounds and size, and picks the stored level that gives full resolution. */
export function planBounds(config: StoreConfig, bounds: Bounds, width: number, height: number): BoundsPlan {
  checkBounds(bounds);
  for (const [name, v] of [["width", width], ["height", height]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > MAX_IMAGE_SIDE) {
      throw new HotpotError("bad_argument", `${name}: expected an integer from 1 to ${MAX_IMAGE_SIDE}, found ${v}`);
    }
  }
  const x0 = lngToX(bounds.west);
  const x1 = lngToX(bounds.east);
  const y0 = latToY(bounds.north);
  const y1 = latToY(bounds.south);
  const view: PixelView = { width, height, x0, y0, scaleX: width / (x1 - x0), scaleY: height / (y1 - y0) };
  const scale = Math.max(view.scaleX, view.scaleY);
  const zoom = Math.log2(scale / 512);
  const { zoom_levels: levels, tile_extent: extent } = config;
  const source = sourceZoom(Math.min(MAX_ZOOM, Math.max(0, Math.ceil(zoom - 1e-9))), levels);
  // Stored lines are exact to one tile unit: more pixels than units across is upscaling.
  const deepest = Math.max(...levels);
  const unitsAcross = Math.round((x1 - x0) * 2 ** deepest * extent);
  const unitsDown = Math.round((y1 - y0) * 2 ** deepest * extent);
  const warning =
    width > unitsAcross || height > unitsDown
      ? `the deepest stored zoom (${deepest}) resolves only about ${unitsAcross} x ${unitsDown} px across these bounds, ` +
        `fewer than the ${width} x ${height} asked for: the image is upscaled and lines look blocky`
      : null;
  return { view, zoom, sourceZoom: source, warning };
}

export function checkBounds(b: Bounds): void {
  const text = `${b.west},${b.south},${b.east},${b.north}`;
  const all = [b.west, b.south, b.east, b.north];
  if (!all.every(Number.isFinite)) throw new HotpotError("bad_argument", `bounds: expected four numbers W,S,E,N, found ${text}`);
  if (b.west < -180 || b.east > 180) {
    throw new HotpotError("bad_argument", `bounds: expected longitudes from -180 to 180, found ${text}`);
  }
  if (b.south < -MAX_LAT || b.north > MAX_LAT) {
    throw new HotpotError("bad_argument", `bounds: expected latitudes from -${MAX_LAT.toFixed(2)} to ${MAX_LAT.toFixed(2)} (the Web Mercator map's extent), found ${text}`);
  }
  if (b.west >= b.east) throw new HotpotError("bad_argument", `bounds: expected west < east, found ${text} (swapped?)`);
  if (b.south >= b.north) throw new HotpotError("bad_argument", `bounds: expected south < north, found ${text} (swapped?)`);
}

/** Decoded geometry of the row being drawn, reused (drawing is synchronous). */
const lines = lineBuffer();
const transform: Transform = { scaleX: 0, scaleY: 0, offsetX: 0, offsetY: 0 };

/** Draws the stored tiles of level `zs` under `view`, then the masks; null when nothing is drawn. */
export function drawView(r: Reading, view: PixelView, zs: number, lineWidth: number): Uint8Array | null {
  const raster = drawRaster(r, view, zs, lineWidth, WHOLE);
  return raster && finishRaster(r, raster, view);
}

/** Draws the share of the stored tiles of level `zs` under `view`, without the masks; null when nothing is drawn. */
function drawRaster(r: Reading, view: PixelView, zs: number, lineWidth: number, part: Share, into?: Uint8Array): Raster | null {
  if (r.ids && r.ids.size === 0) return null;
  const rows = rowsUnder(r.store, view, zs, part);
  if (rows.length === 0) return null;
  const raster = new Raster(view.width, view.height, penRadius(lineWidth), into);
  drawRows(r.config.tile_extent, raster, byActivity(rows), view, zs, r.ids);
  return raster.empty ? null : raster;
}

/** The share's stored rows of level `zs` meeting `view`, in no particular order. */
export function rowsUnder(store: Store, view: PixelView, zs: number, part: Share = WHOLE): TileRow[] {
  const n = 2 ** zs;
  // Source tiles meeting [x0, x1) x [y0, y1). Lines just beyond the view that still reach
  // into it through the pen's width are in those tiles' buffers (clip.ts CLIP_BUFFER).
  const tx0 = Math.max(0, Math.floor(view.x0 * n));
  const ty0 = Math.max(0, Math.floor(view.y0 * n));
  const tx1 = Math.min(n, Math.ceil((view.x0 + view.width / view.scaleX) * n));
  const ty1 = Math.min(n, Math.ceil((view.y0 + view.height / view.scaleY) * n));
  return store.tileRows(zs, tx0, tx1, ty0, ty1, part);
}

/**
 * Draws rows of level `zs` (each activity's rows together) into `raster`,
 * in the order given, skipping activities not in `ids` (null: none skipped).
 */
export function drawRows(extent: number, raster: Raster, rows: TileRow[], view: PixelView, zs: number, ids: Set<number> | null): void {
  const n = 2 ** zs;
  transform.scaleX = view.scaleX / (n * extent);
  transform.scaleY = view.scaleY / (n * extent);
  // A source tile wider than the view: most of its lines lie off it.
  const cull = view.scaleX / n >= 2 * view.width || view.scaleY / n >= 2 * view.height;
  for (const row of rows) {
    if (ids && !ids.has(row.activity_id)) continue;
    decodeLinesInto(row.geometry, lines);
    transform.offsetX = (row.x / n - view.x0) * view.scaleX;
    transform.offsetY = (row.y / n - view.y0) * view.scaleY;
    raster.activity(row.activity_id);
    raster.lines(lines, transform, cull);
  }
}

/** A drawn raster's counts with the masks applied; null when the masks left nothing. */
export function finishRaster(r: Reading, raster: Raster, view: PixelView): Uint8Array | null {
  return finishCounts(r, raster.counts, view, raster.top, raster.bottom);
}

/** Counts drawn in rows [top, bottom] with the masks applied; null when the masks left nothing. */
export function finishCounts(r: Reading, counts: Uint8Array, view: PixelView, top: number, bottom: number): Uint8Array | null {
  const masks = r.config.activity_masks;
  if (masks.length > 0 && applyMasks(counts, view, masks) && allZero(counts, top * view.width, (bottom + 1) * view.width)) return null;
  return counts;
}

/**
 * Rows with each activity's rows together, as the raster needs them to count
 * an activity once. One source tile's rows come in activity order already
 * (the table is clustered on z, x, y, activity_id); rows of several tiles
 * are sorted in place (a comparator sort measured faster than packing keys
 * into a typed array).
 */
function byActivity(rows: TileRow[]): TileRow[] {
  for (let i = 1; i < rows.length; i++) {
    if (rows[i - 1].activity_id > rows[i].activity_id) return rows.sort((a, b) => a.activity_id - b.activity_id);
  }
  return rows;
}

function allZero(counts: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (counts[i] !== 0) return false;
  return true;
}
