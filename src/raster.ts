/**
 * Lines → a count buffer: for every pixel, how many distinct activities pass
 * through it, saturating at 255.
 *
 * A line is drawn with a round pen: a pixel counts when its centre lies
 * within `radius` of the line. That is what anti-aliasing a stroke of width
 * w and counting every pixel it touches gives, with radius (w + 1) / 2: a
 * 1 px line marks a band about 2 px wide, the same at every angle.
 *
 *        ┌───┬───┬───┬───┐
 *        │   │ ● │ ● │   │      ● centre within r of the line: counted once
 *        ├───┼───┼───┼───┤        per activity, however often the activity
 *   ─────┼─●─┼─●─┼─●─┼─●─┼───     crosses or retraces it (a per-pixel stamp
 *        ├───┼───┼───┼───┤        of the activity being drawn)
 *        │ ● │ ● │   │   │
 *        └───┴───┴───┴───┘
 *
 * Why not @napi-rs/canvas strokes with additive alpha (the first design):
 * measured here, Skia takes about 60 ms to rasterise 300 overlapping 60-point
 * paths at 512 px (stroke width > 1, needed so a self-crossing path counts
 * once), against 6 ms for this loop, and building 4,000 Path2D objects for a
 * busy tile costs another 100 ms of JS→native crossings. The counts agree
 * with the canvas's to ±1 at the fringe.
 */
import type { LineBuffer } from "./codec.ts";

/** Points this close (px) to the last drawn one are skipped: they cannot move a 2 px band. */
const MIN_STEP_PX = 0.5;
/**
 * Lines are simplified to within this distance (px) as they are drawn; with
 * the step above, no drawn line strays by more than half a pixel.
 */
const SIMPLIFY_PX = 0.25;

/** Stamps above this are recycled (clearing the table) long before 32 bits run out. */
const STAMP_LIMIT = 0xffff_ffff - 0x100_0000;

// Shared by all rasters (one draws at a time; drawing is synchronous): which activity last
// counted each pixel. A stamp is never reused until recycled, so the table is never cleared
// between renders.
let stamps = new Uint32Array(0);
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
  private stamp = 0;
  private id = -1;

  /** `radius`: pen radius in px, (line width + 1) / 2. */
  constructor(
    readonly width: number,
    readonly height: number,
    readonly radius: number,
  ) {
    this.counts = new Uint8Array(width * height);
    this.top = height;
    this.bottom = -1;
    if (lastStamp > STAMP_LIMIT) {
      stamps.fill(0);
      lastStamp = 0;
    }
    if (stamps.length < width * height) stamps = new Uint32Array(width * height);
    active = this;
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
    if (active !== this) throw new Error("Raster: another raster was started since this one; draw one at a time");
    if (id === this.id) return;
    this.id = id;
    this.stamp = ++lastStamp;
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
   */
  lines(buffer: LineBuffer, t: Transform): void {
    const { coords, ends, lines } = buffer;
    const { scaleX, scaleY, offsetX, offsetY } = t;
    const minStep2 = MIN_STEP_PX * MIN_STEP_PX;
    let start = 0;
    for (let l = 0; l < lines; l++) {
      const end = ends[l];
      let ax = coords[2 * start] * scaleX + offsetX;
      let ay = coords[2 * start + 1] * scaleY + offsetY;
      // Unit direction from the anchor (0, 0 while not yet fixed), how far along it the
      // run has come, and the last point seen (the candidate end of the segment).
      let ux = 0;
      let uy = 0;
      let reach = 0;
      let px = ax;
      let py = ay;
      for (let i = start + 1; i < end; i++) {
        const x = coords[2 * i] * scaleX + offsetX;
        const y = coords[2 * i + 1] * scaleY + offsetY;
        const dx = x - ax;
        const dy = y - ay;
        if (ux === 0 && uy === 0) {
          const d2 = dx * dx + dy * dy;
          if (d2 >= minStep2) {
            const inv = 1 / Math.sqrt(d2);
            ux = dx * inv;
            uy = dy * inv;
            reach = d2 * inv;
          }
        } else {
          const across = dx * uy - dy * ux;
          const along = dx * ux + dy * uy;
          if (across > SIMPLIFY_PX || across < -SIMPLIFY_PX || along < reach - SIMPLIFY_PX) {
            this.segment(ax, ay, px, py);
            ax = px;
            ay = py;
            const ex = x - ax;
            const ey = y - ay;
            const d2 = ex * ex + ey * ey;
            if (d2 >= minStep2) {
              const inv = 1 / Math.sqrt(d2);
              ux = ex * inv;
              uy = ey * inv;
              reach = d2 * inv;
            } else {
              ux = uy = reach = 0;
            }
          } else if (along > reach) {
            reach = along;
          }
        }
        px = x;
        py = y;
      }
      // The last point is always drawn, so a line ends where it should.
      this.segment(ax, ay, px, py);
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
    const dx = x1 - x0;
    const dy = y1 - y0;
    if ((dx < 0 ? -dx : dx) >= (dy < 0 ? -dy : dy)) {
      if (dx < 0) this.band(x1, y1, x0, y0, 1, this.width, this.height, this.width);
      else this.band(x0, y0, x1, y1, 1, this.width, this.height, this.width);
    } else if (dy < 0) this.band(y1, x1, y0, x0, this.width, 1, this.width, this.height);
    else this.band(y0, x0, y1, x1, this.width, 1, this.width, this.height);
  }

  /**
   * One segment along its major axis a (a0 <= a1), minor axis b. `stepA` and
   * `stepB` are the index steps of one pixel along each axis, `sizeA` and
   * `sizeB` the image's extent along them.
   */
  private band(a0: number, b0: number, a1: number, b1: number, stepA: number, stepB: number, sizeB: number, sizeA: number): void {
    if (a1 < 0 || a0 >= sizeA) return;
    const slope = a1 > a0 ? (b1 - b0) / (a1 - a0) : 0;
    const half = this.radius * Math.sqrt(1 + slope * slope);
    const bLow = b0 < b1 ? b0 : b1;
    const bHigh = b0 < b1 ? b1 : b0;
    if (bHigh + half <= 0 || bLow - half >= sizeB) return;
    let i0 = Math.floor(a0);
    let i1 = Math.floor(a1);
    if (i0 < 0) i0 = 0;
    if (i1 > sizeA - 1) i1 = sizeA - 1;
    // Centre j + 0.5 inside (b - half, b + half)  <=>  j from floor(b - half + 0.5) to ceil(b + half - 0.5) - 1.
    const low = 0.5 - half;
    const high = half - 0.5;
    const counts = this.counts;
    const table = stamps;
    const s = this.stamp;
    const last = sizeB - 1;
    // The minor coordinate at each column centre, clamped to the segment at its end columns.
    let b = b0 + (i0 + 0.5 - a0) * slope;
    let drawn = false;
    for (let i = i0; i <= i1; i++, b += slope) {
      const c = i === i0 ? (a0 > i0 + 0.5 ? b0 : b) : i === i1 && a1 < i1 + 0.5 ? b1 : b;
      let j0 = Math.floor(c + low);
      let j1 = Math.ceil(c + high) - 1;
      if (j0 < 0) j0 = 0;
      if (j1 > last) j1 = last;
      if (j0 > j1) continue;
      drawn = true;
      for (let p = i * stepA + j0 * stepB, end = i * stepA + j1 * stepB; p <= end; p += stepB) {
        if (table[p] !== s) {
          table[p] = s;
          if (counts[p] !== 255) counts[p]++;
        }
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
