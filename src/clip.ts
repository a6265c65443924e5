/**
 * Track → per-tile simplified lines at each stored zoom. For every zoom the
 * track is simplified in world space, rounded to integer tile units once (so
 * neighbouring tiles share every vertex exactly), then cut into the tiles it
 * crosses by walking its segments.
 */
import { encodeLines } from "./codec.ts";
import { HotpotError } from "./errors.ts";
import { MAX_ZOOM } from "./tile.ts";
import type { TileGeometry, Track } from "./types.ts";

/**
 * Tile units kept beyond each tile edge, so a line crossing a seam is drawn up
 * to and past the edge in both tiles. The coarsest drawing is a 256 px tile
 * of a 2048 extent, 8 units per pixel, where a 1 px line with its
 * anti-aliased fringe reaches about 1.5 px = 12 units past its centre: 32
 * units (4 px there, 8 px at 512) covers that and round joins with room to
 * spare. Each unit more stores more: 64 instead of 32 cost 3% more tile rows
 * and 5% more bytes on generated rides, for pixels that are never drawn.
 */
export const CLIP_BUFFER = 32;

/**
 * Simplification tolerance in tile units at each stored zoom: the line moves
 * by about this (see clipTrack), plus half a unit of rounding. 1 unit is a
 * quarter pixel of a 512 px tile, and one pixel at the deepest over-zoom
 * (z18 drawn from z16).
 */
export const SIMPLIFY_TOLERANCE = 1;

/**
 * Simplifies and cuts a track into tiles at every zoom in `zoomLevels`, with
 * `extent` integer units across a tile. Pieces in a tile are lines in tile
 * units, -CLIP_BUFFER..extent+CLIP_BUFFER, encoded with codec.encodeLines.
 */
export function clipTrack(track: Track, zoomLevels: readonly number[], extent: number): TileGeometry[] {
  if (!Number.isInteger(extent) || extent < 1 || extent > 65536) {
    throw new HotpotError("bad_argument", `tile extent: expected an integer from 1 to 65536, found ${extent}`);
  }
  for (const z of zoomLevels) {
    if (!Number.isInteger(z) || z < 0 || z > MAX_ZOOM) {
      throw new HotpotError("bad_argument", `zoom levels: expected integers from 0 to ${MAX_ZOOM}, found ${z}`);
    }
  }
  // Deepest first: each zoom simplifies the deeper zoom's result instead of the raw track, so
  // only the deepest pass sees every point. Deviations add up (Hausdorff distance obeys the
  // triangle inequality), but each deeper one is at least 2x smaller in this zoom's units: with
  // zooms two apart the total stays under 4/3 of the tolerance, and under 2x when adjacent.
  // Measured on generated rides, this stores exactly as many bytes as simplifying each zoom from
  // the raw track; splitting one tolerance across the passes instead stored 15% more at z14.
  const zooms = [...new Set(zoomLevels)].sort((a, b) => b - a);
  const out: TileGeometry[] = [];
  let lines = track.lines;
  for (const z of zooms) {
    const scale = 2 ** z * extent;
    lines = lines.map((line) => simplify(line, SIMPLIFY_TOLERANCE / scale));
    new TileCutter(z, extent).cut(lines).collect(out);
  }
  return out;
}

/**
 * Ranges longer than this whose farthest point lies in their first or last
 * sixteenth are split in the middle instead (see simplify). Smaller ranges
 * always split at their farthest point: their worst case, SPLIT_MIN² steps
 * each, adds up to SPLIT_MIN steps per point.
 */
const SPLIT_MIN = 256;

/**
 * Douglas-Peucker with an explicit stack (deep recursion would overflow on
 * long tracks) and distance to the segment, not to its line, so an
 * out-and-back keeps its far end. Returns `line` itself when nothing goes.
 * Chosen over Visvalingam: at the same largest deviation it keeps fewer points.
 *
 * Plain Douglas-Peucker is quadratic when every split peels off a point next
 * to an end, as on a receiver left standing or a track retracing itself
 * (README, Performance). A long range split that lopsidedly is split in the
 * middle instead, which may keep a point more than needed but bounds the work
 * to O(n log n + n * SPLIT_MIN); every dropped point is still within
 * `tolerance` of the result.
 */
export function simplify(line: Float64Array, tolerance: number): Float64Array {
  const n = line.length >> 1;
  if (n <= 2) return line;
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  let kept = 2;
  // Ranges on the stack are disjoint, so there are never more than n - 1 of them.
  const stack = new Int32Array(2 * n);
  let sp = 0;
  stack[sp++] = 0;
  stack[sp++] = n - 1;
  const tol2 = tolerance * tolerance;
  while (sp > 0) {
    const last = stack[--sp];
    const first = stack[--sp];
    const ax = line[2 * first];
    const ay = line[2 * first + 1];
    const dx = line[2 * last] - ax;
    const dy = line[2 * last + 1] - ay;
    const len2 = dx * dx + dy * dy;
    // Squared distances times len2, so the common case (the point beside the segment) needs no division.
    let worst = tol2 * len2;
    let index = -1;
    for (let i = first + 1; i < last; i++) {
      const px = line[2 * i] - ax;
      const py = line[2 * i + 1] - ay;
      const along = px * dx + py * dy;
      let d: number;
      if (along <= 0) d = (px * px + py * py) * len2;
      else if (along >= len2) d = ((px - dx) * (px - dx) + (py - dy) * (py - dy)) * len2;
      else d = (px * dy - py * dx) * (px * dy - py * dx);
      if (d > worst) {
        worst = d;
        index = i;
      }
    }
    // A closed loop (first = last point) has len2 = 0: measure plain distance from that point.
    if (len2 === 0) index = farthestFrom(line, first, last, ax, ay, tol2);
    if (index < 0) continue;
    const span = last - first;
    if (span > SPLIT_MIN && Math.min(index - first, last - index) < span >> 4) index = first + (span >> 1);
    keep[index] = 1;
    kept++;
    if (index - first > 1) {
      stack[sp++] = first;
      stack[sp++] = index;
    }
    if (last - index > 1) {
      stack[sp++] = index;
      stack[sp++] = last;
    }
  }
  if (kept === n) return line;
  const out = new Float64Array(2 * kept);
  for (let i = 0, k = 0; i < n; i++) {
    if (keep[i] === 0) continue;
    out[k++] = line[2 * i];
    out[k++] = line[2 * i + 1];
  }
  return out;
}

/** The point of line (first, last) farthest from (ax, ay) if farther than sqrt(tol2), else -1. */
function farthestFrom(line: Float64Array, first: number, last: number, ax: number, ay: number, tol2: number): number {
  let worst = tol2;
  let index = -1;
  for (let i = first + 1; i < last; i++) {
    const dx = line[2 * i] - ax;
    const dy = line[2 * i + 1] - ay;
    if (dx * dx + dy * dy > worst) {
      worst = dx * dx + dy * dy;
      index = i;
    }
  }
  return index;
}

/** The pieces of one activity in one tile, while cutting. */
interface TilePieces {
  x: number;
  y: number;
  /** Interleaved tile-unit x,y of all pieces, one after another; only the last piece may still grow. */
  coords: Int32Array;
  length: number;
  /** Where each piece starts in `coords`. */
  starts: number[];
  /** The last segment that reached this tile, and whether it reached it up to its end point. */
  lastSegment: number;
  openAtEnd: boolean;
}

/*
 * Each segment visits only the tiles whose buffered rectangle it touches:
 * column by column across its x range, then within a column only the rows its
 * part in that column spans. The part inside a tile is cut exactly at the
 * buffered edges (Liang-Barsky), the crossing point interpolated and rounded.
 *
 *        tx=0          │   tx=1            ┆ = buffered edges, CLIP_BUFFER
 *   ┌──────────────────┼──┐                  units past the seam │
 *   │            A─────┼──●─────B            A→B lands in tile 0 up to ●
 *   │                 ┆│┆                   and in tile 1 from ○:
 *   └─────────────────○┼┆─                   both draw the seam, the
 *                     ┆│┆                   overlap is the buffer
 *
 * A piece continues while consecutive segments reach the tile end to start;
 * leaving the buffered rectangle ends it, re-entering starts a new one.
 * Vertices are rounded in units of the whole zoom level, so neighbouring
 * tiles share them exactly.
 */
class TileCutter {
  private readonly tiles = new Map<number, TilePieces>();
  private readonly tilesPerSide: number;
  private readonly scale: number;
  private segment = 0;
  // clipAxis' result, in fields so the hot loop allocates nothing.
  private from = 0;
  private to = 0;

  constructor(
    private readonly z: number,
    private readonly extent: number,
  ) {
    this.tilesPerSide = 2 ** z;
    this.scale = this.tilesPerSide * extent;
  }

  cut(lines: Float64Array[]): this {
    const { scale, extent } = this;
    for (const line of lines) {
      this.segment++; // never continue a piece from one line into the next
      let px = Math.round(line[0] * scale);
      let py = Math.round(line[1] * scale);
      // The tile whose rectangle shrunk by the buffer holds (px, py) strictly inside, so no
      // other tile's buffered rectangle reaches it: a segment from there to another point
      // inside belongs to that tile alone and extends its last piece (most segments do).
      let inner: TilePieces | null = null;
      for (let i = 2; i < line.length; i += 2) {
        const qx = Math.round(line[i] * scale);
        const qy = Math.round(line[i + 1] * scale);
        if (qx === px && qy === py) continue;
        this.segment++;
        if (inner !== null && this.inside(inner, qx, qy)) {
          this.append(inner, qx - inner.x * extent, qy - inner.y * extent);
          inner.lastSegment = this.segment;
        } else {
          this.cutSegment(px, py, qx - px, qy - py);
          const tile = this.tiles.get(Math.floor(qx / extent) * this.tilesPerSide + Math.floor(qy / extent));
          inner = tile !== undefined && this.inside(tile, qx, qy) ? tile : null;
        }
        px = qx;
        py = qy;
      }
    }
    return this;
  }

  /** Encodes every tile that holds a piece of 2 or more points. */
  collect(out: TileGeometry[]): void {
    for (const tile of this.tiles.values()) {
      const pieces: Int32Array[] = [];
      for (let k = 0; k < tile.starts.length; k++) {
        const end = k + 1 < tile.starts.length ? tile.starts[k + 1] : tile.length;
        // Rounding can shrink a sliver through a buffer corner to one point: nothing to draw.
        if (end - tile.starts[k] >= 4) pieces.push(tile.coords.subarray(tile.starts[k], end));
      }
      if (pieces.length > 0) out.push({ z: this.z, x: tile.x, y: tile.y, geometry: encodeLines(pieces) });
    }
  }

  /** Whether (x, y) in zoom units lies strictly inside the tile's rectangle shrunk by the buffer. */
  private inside(tile: TilePieces, x: number, y: number): boolean {
    const ox = tile.x * this.extent;
    const oy = tile.y * this.extent;
    const b = CLIP_BUFFER;
    return x > ox + b && x < ox + this.extent - b && y > oy + b && y < oy + this.extent - b;
  }

  /** Adds segment (ax, ay) + t (dx, dy), 0 <= t <= 1, to every tile whose buffered rectangle it crosses. */
  private cutSegment(ax: number, ay: number, dx: number, dy: number): void {
    const { extent, tilesPerSide } = this;
    const b = CLIP_BUFFER;
    const tx0 = Math.max(0, Math.floor((Math.min(ax, ax + dx) - b) / extent));
    const tx1 = Math.min(tilesPerSide - 1, Math.floor((Math.max(ax, ax + dx) + b) / extent));
    for (let tx = tx0; tx <= tx1; tx++) {
      const colLo = tx * extent - b;
      if (!this.clipAxis(ax, dx, colLo, colLo + extent + 2 * b, 0, 1)) continue;
      const u0 = this.from;
      const u1 = this.to;
      const yA = ay + dy * u0;
      const yB = ay + dy * u1;
      const ty0 = Math.max(0, Math.floor((Math.min(yA, yB) - b) / extent));
      const ty1 = Math.min(tilesPerSide - 1, Math.floor((Math.max(yA, yB) + b) / extent));
      for (let ty = ty0; ty <= ty1; ty++) {
        const rowLo = ty * extent - b;
        if (this.clipAxis(ay, dy, rowLo, rowLo + extent + 2 * b, u0, u1)) this.addPart(tx, ty, ax, ay, dx, dy);
      }
    }
  }

  /** Adds the part this.from..this.to of the segment to tile (tx, ty). */
  private addPart(tx: number, ty: number, ax: number, ay: number, dx: number, dy: number): void {
    const key = tx * this.tilesPerSide + ty;
    let tile = this.tiles.get(key);
    if (tile === undefined) {
      tile = { x: tx, y: ty, coords: new Int32Array(64), length: 0, starts: [], lastSegment: -2, openAtEnd: false };
      this.tiles.set(key, tile);
    }
    const ox = tx * this.extent;
    const oy = ty * this.extent;
    if (!(tile.openAtEnd && tile.lastSegment === this.segment - 1 && this.from === 0)) {
      tile.starts.push(tile.length);
      this.append(tile, Math.round(ax + dx * this.from) - ox, Math.round(ay + dy * this.from) - oy, true);
    }
    this.append(tile, Math.round(ax + dx * this.to) - ox, Math.round(ay + dy * this.to) - oy);
    tile.lastSegment = this.segment;
    tile.openAtEnd = this.to === 1;
  }

  /** Appends a point to the tile's last piece, unless it repeats that piece's last point. */
  private append(tile: TilePieces, x: number, y: number, first = false): void {
    const n = tile.length;
    if (!first && x === tile.coords[n - 2] && y === tile.coords[n - 1]) return;
    if (n + 2 > tile.coords.length) {
      const grown = new Int32Array(2 * tile.coords.length);
      grown.set(tile.coords);
      tile.coords = grown;
    }
    tile.coords[n] = x;
    tile.coords[n + 1] = y;
    tile.length = n + 2;
  }

  /**
   * Narrows the parameter range [from, to] of the segment a + t*d to where
   * lo <= a + t*d <= hi, into this.from/this.to; false when less than a point is left.
   */
  private clipAxis(a: number, d: number, lo: number, hi: number, from: number, to: number): boolean {
    if (d === 0) {
      if (a < lo || a > hi) return false;
    } else {
      const t0 = (lo - a) / d;
      const t1 = (hi - a) / d;
      if (d > 0) {
        if (t0 > from) from = t0;
        if (t1 < to) to = t1;
      } else {
        if (t1 > from) from = t1;
        if (t0 < to) to = t0;
      }
    }
    this.from = from;
    this.to = to;
    return from < to;
  }
}
