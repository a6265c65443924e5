/**
 * What a pixel's value says. `frequency`: how many activities passed (render.ts).
 * The time modes colour a pixel by the start time of one activity through it,
 * as a bucket 1-255 along the selected activities' time span (1 the earliest,
 * 255 the latest), the same for every tile so tiles join without seams:
 *
 *   recency   the last activity to pass: "where haven't I been lately"
 *   first     the first: when the road was new
 *
 * The activities under the view are drawn one after another in time order
 * (latest last for recency, earliest last for first) into a raster that
 * numbers them, so each pixel's number names the activity it shows.
 * Activities without a start time are left out of these modes.
 */
import { parseChoice } from "./args.ts";
import { PerVersion } from "./cache.ts";
import { reading, type CompiledQuery, type Reading } from "./query.ts";
import { Raster, STAMP_MAX, type PixelView } from "./raster.ts";
import {
  drawRows,
  finishCounts,
  penRadius,
  planBounds,
  renderBoundsParallel,
  renderTileCounts,
  rowsUnder,
  tileLineWidth,
  zoomLineWidth,
  tileView,
  type TileSize,
} from "./render.ts";
import type { Store, TileRow } from "./store.ts";
import { sourceZoom, type Bounds } from "./tile.ts";

export type Mode = "frequency" | "recency" | "first";
export const MODES: readonly Mode[] = ["frequency", "recency", "first"];
/** Frequency: the heatmap hotpot has always drawn. */
export const DEFAULT_MODE: Mode = "frequency";

/** `frequency`, `recency` or `first`; an error names `parameter`. */
export const parseMode = (text: string, parameter = "mode"): Mode => parseChoice(MODES, text, parameter);

/** Whether the mode's values are positions in time (scale.ts's `ramp`) rather than counts. */
export const isTimeMode = (mode: Mode): boolean => mode !== "frequency";

/** A tile's values in `mode` (size x size), or null when nothing is drawn. */
export function renderTileHeat(store: Store, z: number, x: number, y: number, options: { size: TileSize; query?: CompiledQuery | null; mode: Mode }): Uint8Array | null {
  if (!isTimeMode(options.mode)) return renderTileCounts(store, z, x, y, options);
  const view = tileView(z, x, y, options.size);
  const r = reading(store, options.query ?? null);
  return drawTimes(r, view, sourceZoom(z, r.config.zoom_levels), tileLineWidth(z, options.size), options.mode);
}

/**
 * A bounding-box image's values in `mode`: counts on `jobs` threads as
 * renderBoundsParallel draws them; time modes on this thread (one raster
 * numbers all of an image's activities).
 */
export async function renderBoundsHeat(
  store: Store,
  bounds: Bounds,
  width: number,
  height: number,
  options: { query?: CompiledQuery | null; mode: Mode; jobs?: number },
): Promise<Uint8Array | null> {
  if (!isTimeMode(options.mode)) return renderBoundsParallel(store, bounds, width, height, options);
  const r = reading(store, options.query ?? null);
  const plan = planBounds(r.config, bounds, width, height);
  return drawTimes(r, plan.view, plan.sourceZoom, zoomLineWidth(plan.zoom), options.mode);
}

function drawTimes(r: Reading, view: PixelView, zs: number, lineWidth: number, mode: Mode): Uint8Array | null {
  const { ids } = r;
  if (ids && ids.size === 0) return null;
  const { times, first, last } = timeSpan(r, ids);
  const rows = rowsUnder(r.store, view, zs).filter((row) => (!ids || ids.has(row.activity_id)) && Number.isFinite(times[row.activity_id]));
  if (rows.length === 0) return null;
  // The activity shown is the one drawn last: ties in time are broken by id so an activity's rows stay together.
  const sign = mode === "recency" ? 1 : -1;
  rows.sort((a, b) => sign * (times[a.activity_id] - times[b.activity_id] || a.activity_id - b.activity_id));

  const values = new Uint8Array(view.width * view.height);
  let top = view.height;
  let bottom = -1;
  // A raster numbers at most STAMP_MAX activities: more are drawn in turns, each over the last.
  for (let from = 0; from < rows.length; ) {
    const bucket = [0];
    let to = from;
    for (; to < rows.length; to++) {
      const id = rows[to].activity_id;
      if (to > from && id === rows[to - 1].activity_id) continue;
      if (bucket.length > STAMP_MAX) break;
      bucket.push(bucketOf(times[id], first, last));
    }
    const raster = new Raster(view.width, view.height, penRadius(lineWidth), undefined, true);
    drawRows(r.config.tile_extent, raster, rows.slice(from, to), view, zs, null);
    const stamps = raster.stampTable;
    for (let p = raster.top * view.width, end = (raster.bottom + 1) * view.width; p < end; p++) if (stamps[p] !== 0) values[p] = bucket[stamps[p]];
    if (raster.top < top) top = raster.top;
    if (raster.bottom > bottom) bottom = raster.bottom;
    from = to;
  }
  return top > bottom ? null : finishCounts(r, values, view, top, bottom);
}

/** 1 for the earliest start time, 255 for the latest; 255 when they are one and the same. */
function bucketOf(time: number, first: number, last: number): number {
  return last > first ? 1 + Math.round((254 * (time - first)) / (last - first)) : 255;
}

/** Start times by activity id, per store and data version. */
const TIMES = new PerVersion<Store, "times", Float64Array>({ maxEntries: 1 });
/** Spans per store, data version and id set (null: every activity); query.ts keeps 16 id sets a version. */
const SPANS = new PerVersion<Store, Set<number> | null, Span>({ maxEntries: 17 });

interface Span {
  times: Float64Array;
  first: number;
  last: number;
}

/** Start times by activity id, and the earliest and latest of the selected activities. */
function timeSpan({ store, version }: Reading, ids: Set<number> | null): Span {
  return SPANS.at(store, version).remember(ids, () => spanOf(TIMES.at(store, version).remember("times", () => store.activityStartTimes()), ids));
}

function spanOf(times: Float64Array, ids: Set<number> | null): Span {
  let first = Infinity;
  let last = -Infinity;
  const visit = (id: number) => {
    const t = times[id];
    if (!Number.isFinite(t)) return;
    if (t < first) first = t;
    if (t > last) last = t;
  };
  if (ids) ids.forEach(visit);
  else for (let id = 0; id < times.length; id++) if (Number.isFinite(times[id])) visit(id);
  return { times, first, last };
}
