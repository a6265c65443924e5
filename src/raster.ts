/**
 * Lines → a count buffer: for every pixel, how many distinct activities pass
 * through it, saturating at 255.
 *
 * A line of width w marks the pixels that anti-aliasing would touch at all:
 * those whose centres lie within r = (w + 1) / 2 of it, measured across the
 * line. A 1 px line marks a band about 2 px wide, at every angle. Each
 * activity counts once per pixel however often it crosses or retraces it:
 * a per-pixel stamp of the activity that last counted it.
 *
 *        ┌───┬───┬───┬───┐
 *        │   │ ● │ ● │   │      ● counted (centre within r across the line)
 *        ├───┼───┼───┼───┤
 *   ─────┼─●─┼─●─┼─●─┼─●─┼───   walked column by column (row by row when
 *        ├───┼───┼───┼───┤      steeper than 45°): 2 or 3 pixels each
 *        │ ● │ ● │   │   │
 *        └───┴───┴───┴───┘
 *
 * Why not @napi-rs/canvas strokes with additive alpha (the first design):
 * for 300 overlapping 60-point paths at 512 px, Skia takes about 95 ms of CPU
 * here (the stroke must be wider than 1 so a self-crossing path counts once,
 * and that is its slow path), this loop about 11 ms, with 87% of pixels equal
 * and nearly all others ±1 at the fringe. A busy tile has 4,000 activities:
 * building their Path2D objects alone would cost 100 ms of JS→native calls.
 */
import type { LineBuffer } from "./codec.ts";

/**
 * A point closer than this (px) to the start of a run cannot fix its
 * direction: GPS jitter around a stop would otherwise turn every few points.
 */
const MIN_STEP_PX = 1;
/**
 * Lines are simplified to within this distance (px) as they are drawn, on top
 * of the stored geometry's one tile unit (a quarter pixel of a 512 px tile at
 * its own zoom). Measured on the benchmark's busiest tiles: half a pixel
 * draws half the segments of a quarter pixel (280,000 instead of 550,000 for
 * the home tile at z13), renders the session's tiles about 1.3x faster, and
 * the pictures cannot be told apart by eye; only pixels at a road's fringe,
 * which a 1 px anti-aliased stroke barely touches, change their counts.
 */
const SIMPLIFY_PX = 0.5;

/**
 * A band's columns and rows are floored (and ceiled) by truncating with | 0
 * after adding (or subtracting from) BIAS: cheaper than Math.floor's checked
 * conversion, and exact for positions within FAR px of the image, to which
 * segment() clips. The per-segment column range done this way, and the bias
 * folded into the per-column offsets, measured 5% off the render session.
 */
const BIAS = 1 << 24;
const FAR = 1 << 22;

/**
 * Stamps are 16 bits: a 512 px tile's table is then 512 KiB, and with its
 * counts it stays in this machine's 1 MiB L2 cache (32-bit stamps did not):
 * measured, the render session is about 4% faster. After STAMP_MAX
 * activities the table is cleared and stamps start again, about once per 15
 * of the busiest tiles.
 */
export const STAMP_MAX = 0xffff;

/**
 * Images up to this many pixels (every tile size) share one table of stamps,
 * kept between renders; a larger image (a bounding-box render) gets its own,
 * freed with it, so a 3000 px export does not stay in memory.
 */
const SHARED_STAMPS_MAX = 1024 * 1024;

// Which activity last counted each pixel, shared by the tile-sized rasters (one draws at a
// time; drawing is synchronous). A stamp is never reused until the table is cleared, so it
// needs no clearing between renders.
let sharedStamps = new Uint16Array(0);
let lastStamp = 0;
let active: Raster | null = null;

/** An image of width x height pixels over world space (0..1): px = (X - x0) * scaleX, py = (Y - y0) * scaleY. */
export interface PixelView {
  width: number;
  height: number;
  x0: number;
  y0: number;
  scaleX: number;
  scaleY: number;
}

/** Maps tile units to pixels: px = u * scaleX + offsetX, py = v * scaleY + offsetY. */
export interface Transform {
  scaleX: number;
  scaleY: number;
  offsetX: number;
  offsetY: number;
}

export class Raster {
  readonly counts: Uint8Array;
  /** Rows [top, bottom] hold everything drawn; top > bottom while nothing is. */
  top: number;
  bottom: number;
  private readonly stamps: Uint16Array;
  private stamp = 0;
  private id = -1;

  /**
   * `radius`: pen radius in px, (line width + 1) / 2. `into`: zeroed memory
   * of at least width x height to draw in (default: new). `ownStamps`: a
   * table of this raster's own, numbering its activities 1, 2, ... in the
   * order drawn, so that afterwards `stampTable` tells which activity drew
   * each pixel last (heat-mode.ts); at most STAMP_MAX activities.
   */
  constructor(
    readonly width: number,
    readonly height: number,
    readonly radius: number,
    into?: Uint8Array,
    private readonly ownStamps = false,
  ) {
    this.counts = into ? into.subarray(0, width * height) : new Uint8Array(width * height);
    this.top = height;
    this.bottom = -1;
    const pixels = width * height;
    if (ownStamps) {
      this.stamps = new Uint16Array(pixels);
      return;
    }
    if (pixels > SHARED_STAMPS_MAX) {
      this.stamps = new Uint16Array(pixels);
    } else {
      if (sharedStamps.length < pixels) sharedStamps = new Uint16Array(pixels);
      this.stamps = sharedStamps;
    }
    active = this;
  }

  /** With `ownStamps`: the number (1, 2, ...) of the activity that drew each pixel last, 0 where none did. */
  get stampTable(): Uint16Array {
    return this.stamps;
  }

  get empty(): boolean {
    return this.top > this.bottom;
  }

  /**
   * Starts drawing an activity. Everything drawn until the next activity
   * counts at most once per pixel, so all pieces of one activity must be
   * drawn together: the stamp remembers only the last activity per pixel.
   */
  activity(id: number): void {
    if (this.ownStamps) {
      if (id === this.id) return;
      if (this.stamp === STAMP_MAX) throw new Error(`Raster: more than ${STAMP_MAX} activities drawn with own stamps`);
      this.id = id;
      this.stamp++;
      return;
    }
    if (active !== this) throw new Error("Raster: another raster was started since this one; draw one at a time");
    if (id === this.id) return;
    this.id = id;
    if (lastStamp === STAMP_MAX) {
      // Midway through an image is fine: stamps only tell the current activity's pixels apart.
      sharedStamps.fill(0);
      if (this.stamps !== sharedStamps) this.stamps.fill(0);
      lastStamp = 0;
    }
    this.stamp = ++lastStamp;
  }

  /**
   * Adds counts drawn in rows [top, bottom] of another raster of this size
   * from other activities (another share of a tile), saturating at 255.
   */
  add(counts: Uint8Array, top: number, bottom: number): void {
    const mine = this.counts;
    for (let p = top * this.width, end = (bottom + 1) * this.width; p < end; p++) {
      const v = mine[p] + counts[p];
      // Stored as a byte: v below 256 stays, 256 and up become -1, that is 255.
      mine[p] = v | -(v >> 8);
    }
    if (top < this.top) this.top = top;
    if (bottom > this.bottom) this.bottom = bottom;
  }

  /**
   * Draws decoded lines of the current activity through `t`, simplified on
   * the fly to within SIMPLIFY_PX: a tile drawn from a deeper level gets many
   * points per pixel, and every segment costs a setup and an extra column.
   *
   * Reumann-Witkam: from an anchor A, the first point at least MIN_STEP_PX
   * away fixes a direction; following points are skipped while they stay
   * within SIMPLIFY_PX of that line and do not turn back along it. The first
   * that does not ends the segment at the point before it.
   *
   *   A ─────────────── direction ──────────────→
   *     · skipped ·  · skipped ·   P (kept: the next one strays)
   *
   * `cull`: the lines reach far beyond the image (a tile drawn from a shallower
   * level reads its whole source tile), so steps off the image are skipped
   * before they cost a segment each; the runs then break where they leave it.
   */
  lines(buffer: LineBuffer, t: Transform, cull = false): void {
    const { coords, ends, lines } = buffer;
    const { scaleX, scaleY, offsetX, offsetY } = t;
    // Simplified in tile units, so only the points kept are transformed. A unit is at most
    // the larger scale in pixels, so thresholds taken with it hold in pixels on both axes.
    const pxPerUnit = Math.max(Math.abs(scaleX), Math.abs(scaleY));
    const minStep2 = (MIN_STEP_PX / pxPerUnit) ** 2;
    const tolerance2 = (SIMPLIFY_PX / pxPerUnit) ** 2;
    // With `cull`, the image widened by a margin no band reaches across (a pen at most
    // r * sqrt(2) wide across the minor axis, and a column), in tile units: a step whose two
    // points lie beyond the same side of it draws nothing.
    let left = 0;
    let right = 0;
    let top = 0;
    let bottom = 0;
    if (cull) {
      const margin = 2 * this.radius + 2;
      const x0 = (-margin - offsetX) / scaleX;
      const x1 = (this.width + margin - offsetX) / scaleX;
      const y0 = (-margin - offsetY) / scaleY;
      const y1 = (this.height + margin - offsetY) / scaleY;
      left = Math.min(x0, x1);
      right = Math.max(x0, x1);
      top = Math.min(y0, y1);
      bottom = Math.max(y0, y1);
    }
    let start = 0;
    for (let l = 0; l < lines; l++) {
      const end = ends[l];
      let ax = coords[2 * start];
      let ay = coords[2 * start + 1];
      let side = cull ? outside(ax, ay, left, right, top, bottom) : 0;
      // The run's direction from the anchor, unnormalised (0, 0 while not yet fixed), and the
      // last point seen (the candidate end of the segment). Cross and dot products with it are
      // distances times its length, so their squares are compared with the squared tolerance
      // times its squared length (slack2): no division and no square root (measured 4-5% off
      // the render session against comparing with tolerance * sqrt). Tile units are integers,
      // so the products are exact.
      let dx = 0;
      let dy = 0;
      let reach = 0;
      let slack2 = 0;
      let px = ax;
      let py = ay;
      for (let i = start + 1; i < end; i++) {
        const x = coords[2 * i];
        const y = coords[2 * i + 1];
        if (cull) {
          const was = side;
          side = outside(x, y, left, right, top, bottom);
          if ((side & was) !== 0) {
            // Off the image: the run so far is drawn, and the next starts here. Most steps of a
            // tile drawn from a shallower level (its whole source tile is read) end here.
            if (ax !== px || ay !== py) this.segment(ax * scaleX + offsetX, ay * scaleY + offsetY, px * scaleX + offsetX, py * scaleY + offsetY);
            ax = px = x;
            ay = py = y;
            dx = dy = 0;
            continue;
          }
        }
        if (dx !== 0 || dy !== 0) {
          const across = (x - ax) * dy - (y - ay) * dx;
          const along = (x - ax) * dx + (y - ay) * dy;
          const back = reach - along;
          if (across * across <= slack2 && (back <= 0 || back * back <= slack2)) {
            if (along > reach) reach = along;
            px = x;
            py = y;
            continue;
          }
          // The run ends at the last point: draw it, and start a new one there.
          this.segment(ax * scaleX + offsetX, ay * scaleY + offsetY, px * scaleX + offsetX, py * scaleY + offsetY);
          ax = px;
          ay = py;
          dx = dy = 0;
        }
        // Fix the direction once a point is far enough from the anchor to give one.
        const ex = x - ax;
        const ey = y - ay;
        const d2 = ex * ex + ey * ey;
        if (d2 >= minStep2) {
          dx = ex;
          dy = ey;
          reach = d2;
          slack2 = tolerance2 * d2;
        }
        px = x;
        py = y;
      }
      // The last point is always drawn, so a line ends where it should.
      this.segment(ax * scaleX + offsetX, ay * scaleY + offsetY, px * scaleX + offsetX, py * scaleY + offsetY);
      start = end;
    }
  }

  /**
   * Marks, in each pixel column the segment crosses (each row, when it is
   * steeper than 45°), the pixels whose centres lie within r of the line
   * measured across it: a band 2r wide, which the next segment continues.
   * The columns holding the two ends are included, so consecutive segments
   * always meet, even ones shorter than a pixel.
   *
   *   column:    i0          i0+1 ...       i1
   *   centre:  [x0] clamped  i+0.5 ...   [x1] clamped
   *   rows:    centres strictly within (y - half, y + half), half = r / cos(angle)
   */
  segment(x0: number, y0: number, x1: number, y1: number): void {
    if (!(x0 >= -FAR && x0 <= FAR && y0 >= -FAR && y0 <= FAR && x1 >= -FAR && x1 <= FAR && y1 >= -FAR && y1 <= FAR)) {
      this.farSegment(x0, y0, x1, y1);
      return;
    }
    const dx = x1 - x0;
    const dy = y1 - y0;
    if ((dx < 0 ? -dx : dx) >= (dy < 0 ? -dy : dy)) {
      if (dx < 0) this.band(x1, y1, x0, y0, 1, this.width, this.width, this.height);
      else this.band(x0, y0, x1, y1, 1, this.width, this.width, this.height);
    } else if (dy < 0) this.band(y1, x1, y0, x0, this.width, 1, this.height, this.width);
    else this.band(y0, x0, y1, x1, this.width, 1, this.height, this.width);
  }

  /**
   * A segment with an end beyond FAR px (a heavily upscaled bounding-box
   * image): the part of it within FAR, found by Liang-Barsky, is drawn.
   */
  private farSegment(x0: number, y0: number, x1: number, y1: number): void {
    const dx = x1 - x0;
    const dy = y1 - y0;
    let from = 0;
    let to = 1;
    for (const [p, q] of [[-dx, x0 + FAR], [dx, FAR - x0], [-dy, y0 + FAR], [dy, FAR - y0]]) {
      if (p === 0) {
        if (q < 0) return;
      } else if (p < 0) {
        from = Math.max(from, q / p);
      } else {
        to = Math.min(to, q / p);
      }
    }
    if (!(from < to)) return;
    // Clamped as well: rounding may leave an end a hair beyond FAR, which would clip again.
    const clamp = (v: number) => (v < -FAR ? -FAR : v > FAR ? FAR : v);
    this.segment(clamp(x0 + dx * from), clamp(y0 + dy * from), clamp(x0 + dx * to), clamp(y0 + dy * to));
  }

  /**
   * One segment along its major axis a (a0 <= a1), minor axis b. `stepA` and
   * `stepB` are the index steps of one pixel along each axis, `sizeA` and
   * `sizeB` the image's extent along them.
   */
  private band(a0: number, b0: number, a1: number, b1: number, stepA: number, stepB: number, sizeA: number, sizeB: number): void {
    if (a1 < 0 || a0 >= sizeA) return;
    const slope = a1 > a0 ? (b1 - b0) / (a1 - a0) : 0;
    const half = this.radius * Math.sqrt(1 + slope * slope);
    const bLow = b0 < b1 ? b0 : b1;
    const bHigh = b0 < b1 ? b1 : b0;
    if (bHigh + half <= 0 || bLow - half >= sizeB) return;
    let i0 = ((a0 + BIAS) | 0) - BIAS;
    let i1 = ((a1 + BIAS) | 0) - BIAS;
    if (i0 < 0) i0 = 0;
    if (i1 > sizeA - 1) i1 = sizeA - 1;
    // Centre j + 0.5 inside (b - half, b + half)  <=>  j from floor(b - half + 0.5) to ceil(b + half - 0.5) - 1.
    const low = 0.5 - half;
    const high = half - 0.5;
    const lowBiased = low + BIAS;
    const highBiased = BIAS - high;
    const counts = this.counts;
    const table = this.stamps;
    const s = this.stamp;
    const last = sizeB - 1;
    // The minor coordinate at each column centre, clamped to the segment's range of it: at an
    // end column whose centre lies beyond the segment, that is the end itself. (Clamping every
    // column instead of testing for the end ones measured 2-3% faster over the render session;
    // it also catches the running sum's rounding drift, which changed 195 of 1.5 million
    // drawn pixels in the session's tiles.)
    let b = b0 + (i0 + 0.5 - a0) * slope;
    let drawn = false;
    for (let i = i0; i <= i1; i++, b += slope) {
      const c = b < bLow ? bLow : b > bHigh ? bHigh : b;
      let j0 = ((c + lowBiased) | 0) - BIAS;
      let j1 = BIAS - 1 - ((highBiased - c) | 0);
      if (j0 < 0) j0 = 0;
      if (j1 > last) j1 = last;
      if (j0 > j1) continue;
      drawn = true;
      for (let p = i * stepA + j0 * stepB, end = i * stepA + j1 * stepB; p <= end; p += stepB) {
        // Without branches (whether a pixel was counted is data-dependent and mispredicts often):
        // x is 0 when this activity already counted the pixel, and v - (v >> 8) saturates at 255.
        const x = table[p] ^ s;
        table[p] = s;
        const v = counts[p] + ((x | -x) >>> 31);
        counts[p] = v - (v >> 8);
      }
    }
    if (!drawn) return;
    // Rows touched, for the raster's extent: the minor range along x, the major one along y.
    const top = stepA === 1 ? Math.max(0, Math.floor(bLow + low)) : i0;
    const bottom = stepA === 1 ? Math.min(last, Math.ceil(bHigh + high) - 1) : i1;
    if (top < this.top) this.top = top;
    if (bottom > this.bottom) this.bottom = bottom;
  }
}

/** Which sides of [left, right] x [top, bottom] a point lies beyond: bits 1, 2, 4, 8. */
function outside(x: number, y: number, left: number, right: number, top: number, bottom: number): number {
  return (x < left ? 1 : 0) | (x > right ? 2 : 0) | (y < top ? 4 : 0) | (y > bottom ? 8 : 0);
}
