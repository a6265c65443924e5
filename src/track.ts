/**
 * Parsed activity → cleaned, trimmed track in world space, plus the computed
 * properties. Runs in import workers on millions of points per second, so the
 * points live in flat typed columns and no loop allocates per point.
 *
 *   segments ──validate, project──▶ points ──drop spikes, split at gaps──▶ points ──stats──▶ properties
 *                                                                          └──trim──▶ Track (world-space lines)
 */
import { HotpotError } from "./errors.ts";
import { groundDistance } from "./geo.ts";
import { latToY, lngToX, MAX_LAT } from "./tile.ts";
import type { ParsedActivity, Properties, Track } from "./types.ts";

export interface TrackOptions {
  /** Privacy near home: points within this many metres (straight line) of the first and of the last point are dropped until the track leaves; 0 keeps everything. */
  trimDist: number;
}

/** A jump longer than this between consecutive points is a recording gap, not movement: the line breaks there. */
export const GAP_M = 5000;

/*
 * A lone spike is one point that leaves the line and comes straight back:
 *
 *              i                  p, n: its neighbours; pp, nn: theirs
 *             / \
 *   pp ─── p /   \ n ─── nn      dropped when all three hold:
 *
 *  1. |p i| and |i n| both exceed SPIKE_MIN_M: GPS jitter and multipath wobble of a few tens of metres is
 *     left alone, it is what the line really looked like to the receiver;
 *  2. |p n| < SPIKE_RETURN_RATIO * min(|p i|, |i n|): it comes back, turning by more than about 150° at i
 *     (a 400 m spike at 10 s sampling with neighbours 160 m apart is still one);
 *  3. the out-and-back is much faster than the legs around it: (|p i| + |i n|) / (t_n - t_p) exceeds
 *     SPIKE_SPEED_RATIO times the faster of pp→p and n→nn (per step instead of per second when times are
 *     missing). This is what keeps hairpins: at 10 s sampling a switchback apex 100 m from legs that are
 *     20 m apart passes 1 and 2, but the rider took 20 s for those 200 m, as fast as before and after.
 *     A real spike covers hundreds of metres in the time the rider moves a few: at 1 s and 10 m/s a 100 m
 *     spike is 10 times the surrounding speed; at 10 s sampling a 300 m spike still reads 3 times.
 * Points without a neighbour on each side, and lines too short to show the speed around, are never dropped.
 */
const SPIKE_MIN_M = 50;
const SPIKE_RETURN_RATIO = 0.5;
const SPIKE_SPEED_RATIO = 3;

/*
 * Moving time: each line is cut into spans of at least MOVING_SPAN_MS / 1000 s; a span counts as moving when
 * the straight distance between its ends divided by its duration is at least MOVING_MIN_SPEED. Over 10 s a
 * standing receiver drifts 1-3 m, less than the 5 m of the slowest walk counted; a single long leg (auto-pause,
 * lost fix) is its own span, so a 5-minute gap at the same spot is a pause and one 2 km away is not.
 */
const MOVING_SPAN_MS = 10_000;
const MOVING_MIN_SPEED = 0.5; // m/s = 1.8 km/h
/** Climbs and descents count only once they exceed this, so barometer and GPS noise does not add up. */
const ELEVATION_HYSTERESIS_M = 2;
/** max_speed is the highest median of this many consecutive leg speeds: one bad point spoils only two legs. */
const SPEED_WINDOW = 5;

/**
 * Cleaned points of a whole activity in flat columns, already in world space:
 * `xy` interleaved (the track's lines end up as views of it), `cos` the cosine
 * of the latitude for groundDistance, `leg[i]` metres from point i-1 (0 where
 * a line starts).
 */
interface Points {
  n: number;
  xy: Float64Array;
  cos: Float64Array;
  ele: Float64Array;
  time: Float64Array;
  leg: Float64Array;
  lineStart: Uint8Array;
}

/**
 * Cleans a parsed activity, computes its properties on the whole cleaned
 * activity, then trims it. null when no line of 2 points is left, or when all
 * that is left lies on one spot (it would be stored, listed and counted, and
 * drawn nowhere).
 */
export function buildTrack(a: ParsedActivity, options: TrackOptions): { track: Track; stats: Properties } | null {
  const trimDist = options.trimDist;
  if (!Number.isFinite(trimDist) || trimDist < 0) {
    throw new HotpotError("bad_argument", `trimDist: expected a distance in metres >= 0, found ${trimDist}`);
  }
  const pts = dropSpikesAndSplit(readValidPoints(a));
  const stats = computeStats(pts);
  if (stats === null) return null;
  const lines = trim(pts, trimDist);
  return hasExtent(lines) ? { track: { lines }, stats } : null;
}

function hasExtent(lines: readonly Float64Array[]): boolean {
  if (lines.length === 0) return false;
  const x = lines[0][0];
  const y = lines[0][1];
  for (const line of lines) {
    for (let i = 0; i < line.length; i += 2) if (line[i] !== x || line[i + 1] !== y) return true;
  }
  return false;
}

function isValidPosition(lat: number, lon: number): boolean {
  // The comparisons are false for NaN, so NaN and undefined fall out here too.
  if (!(lat >= -MAX_LAT && lat <= MAX_LAT && lon >= -180 && lon <= 180)) return false;
  return lat !== 0 || lon !== 0;
}

const RAD = Math.PI / 180;

/**
 * The columns that never leave buildTrack, kept between calls: an import
 * worker builds thousands of tracks, and allocating (and zeroing) five large
 * arrays per activity costs more than the loops that fill them.
 */
let scratch: Omit<Points, "n" | "xy"> = columns(0);

function columns(size: number): Omit<Points, "n" | "xy"> {
  return {
    cos: new Float64Array(size),
    ele: new Float64Array(size),
    time: new Float64Array(size),
    leg: new Float64Array(size),
    lineStart: new Uint8Array(size),
  };
}

/**
 * Projects valid points into columns and measures legs. Lines start with each
 * segment and where a leg crosses the antimeridian (in world space it would
 * span the whole map); gaps are split later, once spikes, whose legs can be
 * longer than any gap, are gone.
 */
function readValidPoints(a: ParsedActivity): Points {
  let total = 0;
  for (const s of a.segments) total += s.lat.length;
  if (scratch.leg.length < total) scratch = columns(Math.max(total, 2 * scratch.leg.length));
  const { cos, ele, time, leg, lineStart } = scratch;
  const xy = new Float64Array(2 * total);
  let n = 0;
  for (const s of a.segments) {
    const first = n;
    for (let i = 0; i < s.lat.length; i++) {
      const lat = s.lat[i];
      const lon = s.lon[i];
      if (!isValidPosition(lat, lon)) continue;
      const x = lngToX(lon);
      const y = latToY(lat);
      const c = Math.cos(lat * RAD);
      xy[2 * n] = x;
      xy[2 * n + 1] = y;
      cos[n] = c;
      // Missing values read as undefined, which a Float64Array stores as NaN.
      ele[n] = s.ele[i];
      time[n] = s.time[i];
      leg[n] = 0;
      lineStart[n] = 1;
      if (n > first) {
        const px = xy[2 * n - 2];
        if (Math.abs(x - px) < 0.5) {
          leg[n] = groundDistance(px, xy[2 * n - 1], cos[n - 1], x, y, c);
          lineStart[n] = 0;
        }
      }
      n++;
    }
  }
  return { n, xy, cos, ele, time, leg, lineStart };
}

/** Metres between points a and b of `p`. */
function metresBetween(p: Points, a: number, b: number): number {
  const { xy, cos } = p;
  return groundDistance(xy[2 * a], xy[2 * a + 1], cos[a], xy[2 * b], xy[2 * b + 1], cos[b]);
}

/** Metres per second from a to b, or NaN when either time is missing or they are not in order. */
function speed(time: Float64Array, a: number, b: number, metres: number): number {
  const dt = time[b] - time[a];
  return dt > 0 ? (metres * 1000) / dt : NaN;
}

/**
 * Removes lone spikes (see SPIKE_MIN_M) in place, then breaks lines at legs
 * longer than GAP_M. Compacts as it goes, so the previous kept point is always
 * at w-1 and `leg[i]` always measures from it.
 */
function dropSpikesAndSplit(p: Points): Points {
  const { xy, cos, ele, time, leg, lineStart, n } = p;
  let w = 0;
  for (let i = 0; i < n; i++) {
    if (lineStart[i] === 0 && i + 1 < n && lineStart[i + 1] === 0) {
      const out = Math.min(leg[i], leg[i + 1]);
      if (out > SPIKE_MIN_M) {
        const back = metresBetween(p, w - 1, i + 1);
        if (back < SPIKE_RETURN_RATIO * out && isSpikeFast(p, w - 1, i, leg[i] + leg[i + 1])) {
          leg[i + 1] = back;
          continue;
        }
      }
    }
    if (leg[i] > GAP_M) {
      leg[i] = 0;
      lineStart[i] = 1;
    }
    if (w !== i) {
      xy[2 * w] = xy[2 * i];
      xy[2 * w + 1] = xy[2 * i + 1];
      cos[w] = cos[i];
      ele[w] = ele[i];
      time[w] = time[i];
      leg[w] = leg[i];
      lineStart[w] = lineStart[i];
    }
    w++;
  }
  return { ...p, n: w };
}

/**
 * Rule 3 of a spike: the out-and-back through point i (from the kept point
 * `prev`, already compacted, to i+1) is SPIKE_SPEED_RATIO times faster than the
 * legs pp→prev and i+1→i+2 around it; in metres per step when times are missing.
 */
function isSpikeFast(p: Points, prev: number, i: number, outAndBack: number): boolean {
  const { time, leg, lineStart, n } = p;
  const hasBefore = lineStart[prev] === 0;
  const hasAfter = i + 2 < n && lineStart[i + 2] === 0;
  if (!hasBefore && !hasAfter) return false;
  const before = hasBefore ? leg[prev] : 0;
  const after = hasAfter ? leg[i + 2] : 0;
  const excursion = speed(time, prev, i + 1, outAndBack);
  const around = Math.max(
    hasBefore ? speed(time, prev - 1, prev, before) : 0,
    hasAfter ? speed(time, i + 1, i + 2, after) : 0,
  );
  if (Number.isFinite(excursion) && Number.isFinite(around)) return excursion > SPIKE_SPEED_RATIO * around;
  return outAndBack / 2 > SPIKE_SPEED_RATIO * Math.max(before, after);
}

const round = (v: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

/** The computed properties of issue 2 (names and units fixed); a stat the data cannot give is left out. */
function computeStats(p: Points): Properties | null {
  const { ele, time, leg, lineStart, n } = p;
  if (n < 2) return null;
  const stats: Properties = {};

  let distance = 0;
  for (let i = 0; i < n; i++) distance += leg[i];
  stats.total_distance = round(distance / 1000, 3);

  // Times: elapsed from first to last timed point, moving by spans (MOVING_SPAN_MS), max speed by median window.
  let firstTime = NaN;
  let lastTime = NaN;
  let moving = 0;
  let spanStart = -1;
  const window = new Float64Array(SPEED_WINDOW);
  const sorted = new Float64Array(SPEED_WINDOW);
  let legs = 0;
  let maxSpeed = 0;
  for (let i = 0; i < n; i++) {
    const t = time[i];
    if (lineStart[i] === 1) spanStart = -1;
    if (!Number.isFinite(t)) continue;
    if (Number.isNaN(firstTime)) firstTime = t;
    lastTime = t;
    if (lineStart[i] === 0) {
      const v = speed(time, i - 1, i, leg[i]);
      if (!Number.isNaN(v)) {
        window[legs % SPEED_WINDOW] = v;
        legs++;
        // Once a full window's median is at most maxSpeed, a new leg no faster than maxSpeed cannot lift it.
        if (legs === SPEED_WINDOW || (legs > SPEED_WINDOW && v > maxSpeed)) {
          maxSpeed = Math.max(maxSpeed, median(window, SPEED_WINDOW, sorted));
        }
      }
    }
    if (spanStart < 0) {
      spanStart = i;
      continue;
    }
    const dt = t - time[spanStart];
    const lineEnds = i + 1 === n || lineStart[i + 1] === 1;
    if (dt < 0) {
      spanStart = i; // time went backwards: start over from here
    } else if (dt >= MOVING_SPAN_MS || lineEnds) {
      if (dt > 0 && (metresBetween(p, spanStart, i) * 1000) / dt >= MOVING_MIN_SPEED) moving += dt;
      spanStart = i;
    }
  }
  if (legs > 0 && legs < SPEED_WINDOW) maxSpeed = median(window, legs, sorted);
  if (lastTime > firstTime) {
    stats.elapsed_time = Math.round((lastTime - firstTime) / 1000);
    stats.moving_time = Math.round(moving / 1000);
    if (moving > 0) stats.average_speed = round((distance / moving) * 3600, 2);
  }
  if (legs > 0) stats.max_speed = round(maxSpeed * 3.6, 2);

  addElevationStats(ele, n, stats);
  return stats;
}

/** Median of the first `count` values of `values`, sorted in `scratch` (insertion sort: count is tiny). */
function median(values: Float64Array, count: number, scratch: Float64Array): number {
  for (let i = 0; i < count; i++) {
    const v = values[i];
    let j = i;
    while (j > 0 && scratch[j - 1] > v) {
      scratch[j] = scratch[j - 1];
      j--;
    }
    scratch[j] = v;
  }
  const mid = count >> 1;
  return count % 2 === 1 ? scratch[mid] : (scratch[mid - 1] + scratch[mid]) / 2;
}

/**
 * Gain and loss with hysteresis: a turn from climbing to descending (or back)
 * is only confirmed once elevation has moved ELEVATION_HYSTERESIS_M away from
 * the extreme, and then the whole climb or descent up to that extreme counts.
 * Wobble smaller than that never counts, and no real climb loses its last metres.
 */
function addElevationStats(ele: Float64Array, n: number, stats: Properties): void {
  let min = Infinity;
  let max = -Infinity;
  let gain = 0;
  let loss = 0;
  let dir = 0; // 0 until the first move of ELEVATION_HYSTERESIS_M, then +1 climbing, -1 descending
  let turn = NaN; // elevation of the last confirmed turning point
  let extreme = NaN; // highest (climbing) or lowest (descending) since that turn
  for (let i = 0; i < n; i++) {
    const e = ele[i];
    if (!Number.isFinite(e)) continue;
    if (e < min) min = e;
    if (e > max) max = e;
    if (dir === 0) {
      if (e - min >= ELEVATION_HYSTERESIS_M) {
        dir = 1;
        turn = min;
      } else if (max - e >= ELEVATION_HYSTERESIS_M) {
        dir = -1;
        turn = max;
      }
      extreme = e;
    } else if (dir * (e - extreme) > 0) {
      extreme = e;
    } else if (Math.abs(e - extreme) >= ELEVATION_HYSTERESIS_M) {
      if (dir === 1) gain += extreme - turn;
      else loss += turn - extreme;
      dir = -dir;
      turn = extreme;
      extreme = e;
    }
  }
  if (min > max) return;
  if (dir === 1) gain += extreme - turn;
  if (dir === -1) loss += turn - extreme;
  stats.elevation_gain = round(gain, 1);
  stats.elevation_loss = round(loss, 1);
  stats.min_elevation = round(min, 1);
  stats.max_elevation = round(max, 1);
}

/**
 * The Rust hotpot's rule, which is what hides a home: keep from the first point
 * at least trimDist metres from the activity's first point in a straight line,
 * to the last point at least trimDist metres from its last point. Cutting
 * trimDist metres *along* the track would show a start that winds near home:
 *
 *        .-------.
 *      /    S~~~~~~\~~~~●━━━━━━━   S: the start; ~: dropped, though more than
 *      \   ~~~~~~~  /                trimDist long; ●: the first point outside
 *        '-------'                   the circle, where the kept track begins
 *
 * A track that comes back near home in between is not cut there. The kept
 * lines are views of `xy`; nothing is copied.
 */
function trim(p: Points, trimDist: number): Float64Array[] {
  const { xy, cos, lineStart, n } = p;
  let first = 0;
  let last = n - 1;
  if (trimDist > 0) {
    const away = (i: number, end: number) => groundDistance(xy[2 * i], xy[2 * i + 1], cos[i], xy[2 * end], xy[2 * end + 1], cos[end]) >= trimDist;
    while (first < n && !away(first, 0)) first++;
    while (last > first && !away(last, n - 1)) last--;
  }
  const lines: Float64Array[] = [];
  let start = first;
  for (let i = first + 1; i <= last + 1; i++) {
    if (i <= last && lineStart[i] === 0) continue;
    if (i - start >= 2) lines.push(xy.subarray(2 * start, 2 * i));
    start = i;
  }
  return lines;
}
