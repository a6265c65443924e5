/**
 * Explorer tiles of a query (filters, dates), from the store: the visit index
 * of each explorer zoom is built once per data version from the stored level
 * it derives from, and each query's cells and numbers once per version and
 * query. The API, the CLI and the tile layer all read these, so they agree.
 */
import { Lru } from "./cache.ts";
import { HotpotError } from "./errors.ts";
import {
  EXPLORER_ZOOMS,
  exploreCells,
  firstExploredBy,
  lowerBound,
  maxCluster,
  maxSquare,
  VisitIndexBuilder,
  type ExploredCells,
  type ExplorerZoom,
  type MaxCluster,
  type MaxSquare,
  type VisitIndex,
} from "./explorer.ts";
import { worldRadius } from "./mask.ts";
import { activityIdSet, queryKey, type CompiledQuery } from "./query.ts";
import type { ActivitySpan, Store } from "./store.ts";
import { latToY, lngToX, sourceZoom, tileBounds, type Bounds } from "./tile.ts";
import type { Mask } from "./types.ts";

export interface Explorer {
  zoom: ExplorerZoom;
  cells: ExploredCells;
  square: MaxSquare;
  cluster: MaxCluster;
  byYear: Record<string, number>;
  byMonth: Record<string, number>;
}

/** What /api/explorer and `hotpot explorer --json` print. */
export interface ExplorerSummary {
  zoom: ExplorerZoom;
  explored: number;
  max_square: MaxSquare;
  max_cluster: { size: number };
  by_year: Record<string, number>;
  by_month: Record<string, number>;
}

/** `zoom` of the API, the tile layer and the CLI: 14 (default) or 17. */
export function parseExplorerZoom(text: string | null | undefined): ExplorerZoom {
  if (text === null || text === undefined || text === "") return 14;
  const zoom = Number(text);
  if (!(EXPLORER_ZOOMS as readonly number[]).includes(zoom) || String(zoom) !== text) {
    throw new HotpotError("bad_argument", `zoom: expected ${EXPLORER_ZOOMS.join(" or ")}, found '${text.slice(0, 40)}'`);
  }
  return zoom as ExplorerZoom;
}

/** Query results remembered per store and data version: the page asks for a handful. */
const RESULTS_KEPT = 16;

/** A visit index with what it was built from, so that a later data version can extend it. */
interface BuiltIndex {
  index: VisitIndex;
  builder: VisitIndexBuilder;
  /** What else the cells depend on (source level, extent, masks), as JSON. */
  config: string;
  /** The activities whose rows it holds: all those with ids up to span.maxId. */
  span: ActivitySpan;
}

interface StoreEntry {
  version: number;
  indexes: Map<number, BuiltIndex>;
  /** The latest index of each zoom built for an earlier version, to extend rather than rebuild. */
  earlier: Map<number, BuiltIndex>;
  startTimes: Float64Array | null;
  results: Lru<string, Explorer>;
}

const CACHE = new WeakMap<Store, StoreEntry>();

function entryOf(store: Store): StoreEntry {
  const version = store.dataVersion();
  let entry = CACHE.get(store);
  if (!entry || entry.version !== version) {
    const earlier = new Map([...(entry?.earlier ?? []), ...(entry?.indexes ?? [])]);
    entry = { version, indexes: new Map(), earlier, startTimes: null, results: new Lru({ maxEntries: RESULTS_KEPT }) };
    CACHE.set(store, entry);
  }
  return entry;
}

/** The explored cells of `query` at `zoom` and their numbers; throws HotpotError for a bad query. */
export function explore(store: Store, zoom: ExplorerZoom, query: CompiledQuery | null = null): Explorer {
  const entry = entryOf(store);
  const key = `${zoom}|${queryKey(query)}`;
  const hit = entry.results.get(key);
  if (hit) return hit;
  const index = visitIndex(store, entry, zoom);
  entry.startTimes ??= store.activityStartTimes();
  const cells = exploreCells(index, activityIdSet(store, query, entry.version), entry.startTimes);
  const result: Explorer = {
    zoom,
    cells,
    square: maxSquare(cells),
    cluster: maxCluster(cells),
    byYear: firstExploredBy(cells, "year"),
    byMonth: firstExploredBy(cells, "month"),
  };
  entry.results.set(key, result);
  return result;
}

/**
 * Zoom 14 from the stored level 14 and zoom 17 from level 16 by default; with
 * other stored levels, from the shallowest level at least as deep (else the
 * deepest, split into more cells).
 *
 * An upload or import only adds activities, with higher ids: then the index
 * of the previous version takes the new activities' rows instead of being
 * rebuilt. That needs every activity it holds to be still there as it was:
 * as many up to its highest id as then, none stored since (SQLite gives a
 * deleted highest id to the next insert, which is stored later), and the
 * same masks and levels. Anything else rebuilds.
 */
function visitIndex(store: Store, entry: StoreEntry, zoom: number): VisitIndex {
  const known = entry.indexes.get(zoom);
  if (known) return known.index;
  const config = store.config();
  const source = sourceZoom(zoom, config.zoom_levels);
  const key = JSON.stringify([source, config.tile_extent, config.activity_masks]);
  const span = store.activitySpan();
  const before = entry.earlier.get(zoom);
  const held = before && before.config === key ? store.activitySpan(before.span.maxId) : null;
  const extend = before && held && held.count === before.span.count && held.newest === before.span.newest;
  const builder = extend ? before.builder : new VisitIndexBuilder(zoom, source, config.tile_extent, worldCircles(config.activity_masks));
  for (const row of store.levelRows(source, extend ? before.span.maxId : 0, span.maxId)) builder.addRow(row.activity_id, row.x, row.y, row.geometry);
  const built: BuiltIndex = { index: builder.build(), builder, config: key, span };
  entry.indexes.set(zoom, built);
  return built.index;
}

/** Privacy masks in world units: a line inside one explores nothing, as the heat shows nothing there. */
function worldCircles(masks: readonly Mask[]): Float64Array {
  const flat = new Float64Array(masks.length * 3);
  masks.forEach((m, i) => {
    const r = worldRadius(m);
    flat.set([lngToX(m.lng), latToY(m.lat), r * r], i * 3);
  });
  return flat;
}

export function summary(e: Explorer): ExplorerSummary {
  return {
    zoom: e.zoom,
    explored: e.cells.x.length,
    max_square: e.square,
    max_cluster: { size: e.cluster.size },
    by_year: e.byYear,
    by_month: e.byMonth,
  };
}

/** Indices of the explored cells meeting cell rectangle [x0, x1) × [y0, y1), in x-major order. */
export function* cellsIn(e: Explorer, x0: number, y0: number, x1: number, y1: number): Generator<number> {
  const { cells } = e;
  for (let i = lowerBound(cells, x0, y0); i < cells.x.length && cells.x[i] < x1; i++) {
    const y = cells.y[i];
    if (y < y0) {
      // Jump to this column's first row in range.
      i = lowerBound(cells, cells.x[i], y0) - 1;
      continue;
    }
    if (y >= y1) {
      i = lowerBound(cells, cells.x[i] + 1, y0) - 1;
      continue;
    }
    yield i;
  }
}

/** Explored cells as GeoJSON polygons (optionally only those meeting `bounds`), at most `limit`. */
export function cellsGeoJson(e: Explorer, bounds: Bounds | null = null, limit = Infinity): { type: "FeatureCollection"; features: object[] } {
  const side = 2 ** e.zoom;
  const [x0, y0, x1, y1] = bounds
    ? [Math.floor(lngToX(bounds.west) * side), Math.floor(latToY(bounds.north) * side), Math.floor(lngToX(bounds.east) * side) + 1, Math.floor(latToY(bounds.south) * side) + 1]
    : [0, 0, side, side];
  const features: object[] = [];
  const { cells, square, cluster } = e;
  for (const i of cellsIn(e, x0, y0, x1, y1)) {
    if (features.length === limit) throw new HotpotError("bad_argument", `bbox: holds more than ${limit} explored cells; ask for a smaller area`);
    const x = cells.x[i];
    const y = cells.y[i];
    const b = tileBounds(e.zoom, x, y);
    const ring = [[b.west, b.north], [b.east, b.north], [b.east, b.south], [b.west, b.south], [b.west, b.north]];
    features.push({
      type: "Feature",
      geometry: { type: "Polygon", coordinates: [ring.map(([lng, lat]) => [round7(lng), round7(lat)])] },
      properties: {
        z: e.zoom,
        x,
        y,
        visits: cells.visits[i],
        first_visit: isoOrNull(cells.first[i]),
        last_visit: isoOrNull(cells.last[i]),
        cluster: cluster.member[i] === 1,
        square: x >= square.x && x < square.x + square.size && y >= square.y && y < square.y + square.size,
      },
    });
  }
  return { type: "FeatureCollection", features };
}

const round7 = (v: number) => Math.round(v * 1e7) / 1e7;
const isoOrNull = (t: number) => (Number.isNaN(t) ? null : new Date(t).toISOString());
