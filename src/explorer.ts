/**
 * Explorer tiles, pure: stored tile rows in, explored cells and their numbers out.
 *
 * A cell is a slippy-map tile of the explorer zoom (14: about 1.5 km, 17:
 * about 200 m). It is explored when a stored line has a point inside it.
 * Cells are half-open, [x, x+1) × [y, y+1), so a line along a cell edge
 * belongs to the cell east (or south) of it, and one through a corner
 * touches only the cells it enters:
 *
 *     +-----+-----+        a→b through the corner crosses (0,0) and (1,1),
 *     | a   |     |        never (1,0) or (0,1): no point of it lies there.
 *     |   \ |     |
 *     +-----●-----+
 *     |     | \   |
 *     |     |   b |
 *     +-----+-----+
 *
 * Cells of a deeper zoom than the stored level (17 from 16) are found by
 * testing each segment against the cells of its tile; stored lines run a
 * buffer beyond their tile, so only the part inside the tile counts.
 */
import { decodeLinesInto, lineBuffer } from "./codec.ts";

/** The explorer zooms people compare: VeloViewer/StatsHunters tiles (14) and squadratinhos (17). */
export const EXPLORER_ZOOMS = [14, 17] as const;
export type ExplorerZoom = (typeof EXPLORER_ZOOMS)[number];

/**
 * Activities that crossed each cell, as sorted activity ids per cell:
 * cell i's ids are activities[offsets[i]..offsets[i+1]).
 */
export interface VisitIndex {
  zoom: number;
  x: Uint32Array;
  y: Uint32Array;
  offsets: Uint32Array;
  activities: Uint32Array;
}

/** Privacy circles in world units (0..1), flat: x, y, r² per circle. */
export type WorldCircles = Float64Array;

class Growable {
  data = new Uint32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Uint32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
}

/**
 * Collects stored rows of one level (`sourceZoom`) into a VisitIndex at
 * `zoom`. Rows are best added in the store's (x, y, activity) order: then a
 * tile's cells are looked up once, not once per row.
 */
export class VisitIndexBuilder {
  /** Cells per side of a source tile (1 when the source level is as deep or deeper). */
  private readonly split: number;
  /** Source tiles per explorer cell side (1 when the source level is as shallow or shallower). */
  private readonly merge: number;
  private readonly cellOf = new Map<number, number>();
  private readonly cellX = new Growable();
  private readonly cellY = new Growable();
  private readonly pairCell = new Growable();
  private readonly pairActivity = new Growable();
  private readonly lines = lineBuffer();
  private readonly hit: Uint8Array;
  private tileKey = -1;
  private tileCells: Int32Array;

  constructor(
    readonly zoom: number,
    readonly sourceZoom: number,
    private readonly extent: number,
    private readonly masks: WorldCircles = new Float64Array(0),
  ) {
    this.split = zoom > sourceZoom ? 2 ** (zoom - sourceZoom) : 1;
    this.merge = sourceZoom > zoom ? 2 ** (sourceZoom - zoom) : 1;
    this.hit = new Uint8Array(this.split * this.split);
    this.tileCells = new Int32Array(this.split * this.split);
  }

  addRow(activityId: number, x: number, y: number, geometry: Uint8Array): void {
    const { split, hit, extent } = this;
    hit.fill(0);
    decodeLinesInto(geometry, this.lines);
    const circles = this.circlesNear(x, y);
    if (!markCells(this.lines.coords, this.lines.ends, this.lines.lines, extent, split, circles, hit)) return;
    const n = 2 ** this.sourceZoom;
    const key = x * n + y;
    if (key !== this.tileKey) {
      this.tileKey = key;
      this.tileCells.fill(-1);
    }
    for (let c = 0; c < hit.length; c++) {
      if (hit[c] === 0) continue;
      let dense = this.tileCells[c];
      if (dense < 0) dense = this.tileCells[c] = this.denseCell(Math.floor(x / this.merge) * split + (c % split), Math.floor(y / this.merge) * split + Math.floor(c / split));
      this.pairCell.push(dense);
      this.pairActivity.push(activityId);
    }
  }

  /** The circles reaching tile (x, y), in its units; null when none does (the common case). */
  private circlesNear(x: number, y: number): Float64Array | null {
    const { masks, extent } = this;
    if (masks.length === 0) return null;
    const n = 2 ** this.sourceZoom;
    const near: number[] = [];
    for (let i = 0; i < masks.length; i += 3) {
      const cx = (masks[i] * n - x) * extent;
      const cy = (masks[i + 1] * n - y) * extent;
      const r = Math.sqrt(masks[i + 2]) * n * extent;
      if (cx + r < 0 || cx - r > extent || cy + r < 0 || cy - r > extent) continue;
      near.push(cx, cy, r * r);
    }
    return near.length > 0 ? Float64Array.from(near) : null;
  }

  private denseCell(cx: number, cy: number): number {
    const key = cx * 2 ** this.zoom + cy;
    let dense = this.cellOf.get(key);
    if (dense === undefined) {
      dense = this.cellX.length;
      this.cellOf.set(key, dense);
      this.cellX.push(cx);
      this.cellY.push(cy);
    }
    return dense;
  }

  /** Groups the pairs by cell (a counting sort), each cell's activities sorted and distinct. */
  build(): VisitIndex {
    const cells = this.cellX.length;
    const pairs = this.pairCell.length;
    const cellOfPair = this.pairCell.data;
    const offsets = new Uint32Array(cells + 1);
    for (let i = 0; i < pairs; i++) offsets[cellOfPair[i] + 1]++;
    for (let c = 0; c < cells; c++) offsets[c + 1] += offsets[c];
    const fill = offsets.slice(0, cells);
    const sorted = new Uint32Array(pairs);
    for (let i = 0; i < pairs; i++) sorted[fill[cellOfPair[i]]++] = this.pairActivity.data[i];
    const index = { zoom: this.zoom, x: this.cellX.data.slice(0, cells), y: this.cellY.data.slice(0, cells), offsets, activities: sorted };
    // A cell within one source tile has each activity once (one row per tile and activity), in
    // the order rows came: by id, and later additions have higher ids. A merged cell gathers
    // several tiles, so an activity can come once from each.
    if (this.merge === 1) return index;
    let out = 0;
    let start = 0;
    for (let c = 0; c < cells; c++) {
      const end = offsets[c + 1];
      const slice = sorted.subarray(start, end).sort();
      const first = out;
      for (let i = 0; i < slice.length; i++) if (out === first || sorted[out - 1] !== slice[i]) sorted[out++] = slice[i];
      offsets[c + 1] = out;
      start = end;
    }
    index.activities = sorted.slice(0, out);
    return index;
  }
}

/**
 * Marks in `hit` (split × split, row-major) the cells of the tile
 * [0, extent)² that the lines have a point in, outside the circles (tile
 * units, flat x, y, r²). Returns whether any cell was marked.
 */
export function markCells(
  coords: Int32Array,
  ends: Uint32Array,
  lineCount: number,
  extent: number,
  split: number,
  circles: Float64Array | null,
  hit: Uint8Array,
): boolean {
  const size = extent / split;
  const perUnit = split / extent;
  let marked = 0;
  const total = split * split;
  let start = 0;
  for (let l = 0; l < lineCount && marked < total; l++) {
    const end = ends[l];
    let ax = coords[2 * start];
    let ay = coords[2 * start + 1];
    // The cell of point a, or -1 outside the tile (then every segment is tested in full).
    let ca = ax >= 0 && ay >= 0 && ax < extent && ay < extent ? ((ay * perUnit) | 0) * split + ((ax * perUnit) | 0) : -1;
    if (ca >= 0 && circles === null && hit[ca] === 0) {
      hit[ca] = 1;
      marked++;
    }
    for (let i = start + 1; i < end && marked < total; i++) {
      const bx = coords[2 * i];
      const by = coords[2 * i + 1];
      const cb = bx >= 0 && by >= 0 && bx < extent && by < extent ? ((by * perUnit) | 0) * split + ((bx * perUnit) | 0) : -1;
      // Both ends in one cell: the cell is convex, so the segment stays in the cell a already marked.
      if (cb !== ca || cb < 0 || circles !== null) marked += markSegment(ax, ay, bx, by, extent, split, size, circles, hit);
      ax = bx;
      ay = by;
      ca = cb;
    }
    start = end;
  }
  return marked > 0;
}

/** Marks the cells segment a→b meets (outside the circles); returns how many it newly marked. */
function markSegment(ax: number, ay: number, bx: number, by: number, extent: number, split: number, size: number, circles: Float64Array | null, hit: Uint8Array): number {
  const visible = circles === null ? FULL : visibleSpans(ax, ay, bx, by, circles);
  const c0 = Math.max(0, Math.floor(Math.min(ax, bx) / size));
  const c1 = Math.min(split - 1, Math.floor(Math.max(ax, bx) / size));
  const r0 = Math.max(0, Math.floor(Math.min(ay, by) / size));
  const r1 = Math.min(split - 1, Math.floor(Math.max(ay, by) / size));
  let marked = 0;
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const cell = r * split + c;
      if (hit[cell] !== 0) continue;
      // The tile's far edge is the next tile's: extent itself is outside, whatever the rounding of size.
      const x1 = c === split - 1 ? extent : (c + 1) * size;
      const y1 = r === split - 1 ? extent : (r + 1) * size;
      for (let s = 0; s < visible.length; s += 2) {
        if (segmentMeetsBox(ax, ay, bx, by, visible[s], visible[s + 1], c * size, r * size, x1, y1)) {
          hit[cell] = 1;
          marked++;
          break;
        }
      }
    }
  }
  return marked;
}

const FULL = Float64Array.of(0, 1);

/**
 * Whether a + t·(b − a) for some t in [t0, t1] lies in the half-open box
 * [x0, x1) × [y0, y1). Each bound narrows the range of t, closed for the
 * box's west and north sides and open for its east and south ones. Integer
 * coordinates make the quotients exact enough: equal fractions divide to the
 * same double, and distinct ones with terms below 2^26 stay distinct.
 */
export function segmentMeetsBox(ax: number, ay: number, bx: number, by: number, t0: number, t1: number, x0: number, y0: number, x1: number, y1: number): boolean {
  let lo = t0;
  let hi = t1;
  let loOpen = false;
  let hiOpen = false;
  for (let axis = 0; axis < 2; axis++) {
    const a = axis === 0 ? ax : ay;
    const d = axis === 0 ? bx - ax : by - ay;
    const min = axis === 0 ? x0 : y0;
    const max = axis === 0 ? x1 : y1;
    if (d === 0) {
      if (a < min || a >= max) return false;
      continue;
    }
    // Moving east (d > 0) the box starts at its min side (closed) and ends before its max side (open); moving west the reverse.
    const forward = d > 0;
    const enter = ((forward ? min : max) - a) / d;
    const leave = ((forward ? max : min) - a) / d;
    if (enter > lo || (enter === lo && !forward)) {
      lo = enter;
      loOpen = !forward;
    }
    if (leave < hi || (leave === hi && forward)) {
      hi = leave;
      hiOpen = forward;
    }
  }
  return lo < hi || (lo === hi && !loOpen && !hiOpen);
}

/** The spans of t in [0, 1] where a→b is outside every circle, flat [t0, t1, ...]. */
function visibleSpans(ax: number, ay: number, bx: number, by: number, circles: Float64Array): Float64Array {
  let spans = [0, 1];
  const dx = bx - ax;
  const dy = by - ay;
  const a = dx * dx + dy * dy;
  for (let i = 0; i < circles.length; i += 3) {
    const fx = ax - circles[i];
    const fy = ay - circles[i + 1];
    const c = fx * fx + fy * fy - circles[i + 2];
    let hidden0: number;
    let hidden1: number;
    if (a === 0) {
      if (c > 0) continue;
      hidden0 = 0;
      hidden1 = 1;
    } else {
      const b = fx * dx + fy * dy;
      const disc = b * b - a * c;
      if (disc < 0) continue;
      const root = Math.sqrt(disc);
      hidden0 = (-b - root) / a;
      hidden1 = (-b + root) / a;
    }
    const next: number[] = [];
    for (let s = 0; s < spans.length; s += 2) {
      if (spans[s] < hidden0) next.push(spans[s], Math.min(spans[s + 1], hidden0));
      if (spans[s + 1] > hidden1) next.push(Math.max(spans[s], hidden1), spans[s + 1]);
    }
    spans = next;
  }
  return Float64Array.from(spans);
}

/** Explored cells of a query, sorted by x then y. Dates are Unix ms, NaN when no visit has one. */
export interface ExploredCells {
  zoom: number;
  x: Uint32Array;
  y: Uint32Array;
  /** Distinct activities that crossed the cell. */
  visits: Uint32Array;
  first: Float64Array;
  last: Float64Array;
}

/**
 * The cells at least one selected activity crossed. `allowed` null selects
 * all; `startTimes` is indexed by activity id (NaN: no start time).
 */
export function exploreCells(index: VisitIndex, allowed: Set<number> | null, startTimes: Float64Array): ExploredCells {
  const cells = index.x.length;
  const order = cellOrder(index);
  const x = new Uint32Array(cells);
  const y = new Uint32Array(cells);
  const visits = new Uint32Array(cells);
  const first = new Float64Array(cells);
  const last = new Float64Array(cells);
  let n = 0;
  for (let k = 0; k < cells; k++) {
    const c = order[k];
    let count = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = index.offsets[c]; i < index.offsets[c + 1]; i++) {
      const id = index.activities[i];
      if (allowed !== null && !allowed.has(id)) continue;
      count++;
      const t = id < startTimes.length ? startTimes[id] : NaN;
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
    if (count === 0) continue;
    x[n] = index.x[c];
    y[n] = index.y[c];
    visits[n] = count;
    first[n] = lo === Infinity ? NaN : lo;
    last[n] = hi === -Infinity ? NaN : hi;
    n++;
  }
  return { zoom: index.zoom, x: x.slice(0, n), y: y.slice(0, n), visits: visits.slice(0, n), first: first.slice(0, n), last: last.slice(0, n) };
}

const ORDERS = new WeakMap<VisitIndex, Uint32Array>();

/** The index's cells sorted by x then y, computed once per index. */
function cellOrder(index: VisitIndex): Uint32Array {
  let order = ORDERS.get(index);
  if (order) return order;
  const side = 2 ** index.zoom;
  const keys = new Float64Array(index.x.length);
  for (let i = 0; i < keys.length; i++) keys[i] = index.x[i] * side + index.y[i];
  order = new Uint32Array(keys.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => keys[a] - keys[b]);
  ORDERS.set(index, order);
  return order;
}

/** The first index whose cell is at or after (x, y) in x-major order. */
export function lowerBound(cells: ExploredCells, x: number, y: number): number {
  let lo = 0;
  let hi = cells.x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cells.x[mid] < x || (cells.x[mid] === x && cells.y[mid] < y)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The largest n × n block of explored cells; x, y its north-west cell. */
export interface MaxSquare {
  size: number;
  x: number;
  y: number;
}

/**
 * The largest fully explored square, by the classic dynamic programme: the
 * square ending at a cell is one more than the smallest of those ending at
 * its west, north and north-west neighbours. Sorted x-major, all three come
 * first. Of several equal squares the westernmost (then northernmost) wins.
 */
export function maxSquare(cells: ExploredCells): MaxSquare {
  const n = cells.x.length;
  const size = new Uint32Array(n);
  const at = indexByKey(cells);
  const side = 2 ** cells.zoom;
  let best: MaxSquare = { size: 0, x: 0, y: 0 };
  for (let i = 0; i < n; i++) {
    const x = cells.x[i];
    const y = cells.y[i];
    const west = x > 0 ? at.get((x - 1) * side + y) : undefined;
    const north = y > 0 ? at.get(x * side + y - 1) : undefined;
    const northWest = x > 0 && y > 0 ? at.get((x - 1) * side + y - 1) : undefined;
    const s = west === undefined || north === undefined || northWest === undefined ? 1 : 1 + Math.min(size[west], size[north], size[northWest]);
    size[i] = s;
    if (s > best.size) best = { size: s, x: x - s + 1, y: y - s + 1 };
  }
  return best;
}

function indexByKey(cells: ExploredCells): Map<number, number> {
  const side = 2 ** cells.zoom;
  const at = new Map<number, number>();
  for (let i = 0; i < cells.x.length; i++) at.set(cells.x[i] * side + cells.y[i], i);
  return at;
}

/** The largest cluster: its size and a flag per cell (1 = in it). */
export interface MaxCluster {
  size: number;
  member: Uint8Array;
}

/**
 * Cluster cells are explored cells whose four neighbours (north, south, east,
 * west) are all explored, as VeloViewer and StatsHunters count them; a
 * cluster is a set of them connected through those same neighbours. Of
 * equal clusters the one holding the first cell in x-major order wins.
 */
export function maxCluster(cells: ExploredCells): MaxCluster {
  const n = cells.x.length;
  const at = indexByKey(cells);
  const side = 2 ** cells.zoom;
  const neighbour = (i: number, d: number): number => {
    const x = cells.x[i] + (d === 0 ? 1 : d === 1 ? -1 : 0);
    const y = cells.y[i] + (d === 2 ? 1 : d === 3 ? -1 : 0);
    if (x < 0 || y < 0 || x >= side || y >= side) return -1;
    return at.get(x * side + y) ?? -1;
  };
  const inner = new Uint8Array(n);
  for (let i = 0; i < n; i++) inner[i] = neighbour(i, 0) >= 0 && neighbour(i, 1) >= 0 && neighbour(i, 2) >= 0 && neighbour(i, 3) >= 0 ? 1 : 0;
  // Component numbers from 1; 0 = not yet reached.
  const component = new Uint32Array(n);
  const stack = new Uint32Array(n);
  let bestComponent = 0;
  let bestSize = 0;
  let next = 0;
  for (let i = 0; i < n; i++) {
    if (inner[i] === 0 || component[i] !== 0) continue;
    next++;
    let sp = 0;
    let size = 0;
    stack[sp++] = i;
    component[i] = next;
    while (sp > 0) {
      const j = stack[--sp];
      size++;
      for (let d = 0; d < 4; d++) {
        const k = neighbour(j, d);
        if (k >= 0 && inner[k] === 1 && component[k] === 0) {
          component[k] = next;
          stack[sp++] = k;
        }
      }
    }
    if (size > bestSize) {
      bestSize = size;
      bestComponent = next;
    }
  }
  const member = new Uint8Array(n);
  if (bestSize > 0) for (let i = 0; i < n; i++) member[i] = component[i] === bestComponent ? 1 : 0;
  return { size: bestSize, member };
}

/** Cells first explored in each UTC year ("2023") or month ("2023-07"); cells without a dated visit are left out. */
export function firstExploredBy(cells: ExploredCells, period: "year" | "month"): Record<string, number> {
  // Counted by year·12 + month: one Date per cell and no string until the end.
  const counts = new Map<number, number>();
  const date = new Date(0);
  for (const t of cells.first) {
    if (Number.isNaN(t)) continue;
    date.setTime(t);
    const key = date.getUTCFullYear() * 12 + (period === "month" ? date.getUTCMonth() : 0);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const name = (key: number) => {
    const year = String(Math.floor(key / 12)).padStart(4, "0");
    return period === "year" ? year : `${year}-${String((key % 12) + 1).padStart(2, "0")}`;
  };
  return Object.fromEntries([...counts].sort(([a], [b]) => a - b).map(([key, count]) => [name(key), count]));
}
