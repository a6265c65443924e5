/**
 * What a GPS device makes of a route: a moving position whose speed follows
 * the gradient, stops at traffic lights and cafés (with or without
 * auto-pause), 1 s or "smart" 3-10 s sampling, position error that drifts
 * slowly as real GPS error does (not white noise) with a rare wild spike, and
 * barometric or GPS elevation with their own errors.
 */
import type { Segment } from "../types.ts";
import type { Random } from "./random.ts";
import type { RegionSpec } from "./regions.ts";
import type { Route } from "./route.ts";

export type Movement = "ride" | "run" | "hike";

export interface Stop {
  /** Distance along the route (m). */
  at: number;
  seconds: number;
}

export interface Device {
  /** "every" records each second; "smart" every 3-10 s, more often in turns. */
  sampling: "every" | "smart";
  /** Auto-pause leaves a time gap over stops; without it the device keeps logging in place. */
  autoPause: boolean;
  /** Start a new segment after an auto-paused stop longer than two minutes. */
  splitOnPause: boolean;
  /** Stationary deviation of the drifting position error (m); 0 for a virtual ride. */
  gpsError: number;
  elevation: "barometer" | "gps" | "none";
  /** One wild point 100-500 m off the track. */
  spike: boolean;
}

export interface Recording {
  segments: Segment[];
  points: number;
  /** Seconds from first to last point. */
  elapsed: number;
  /** Seconds spent moving. */
  moving: number;
  /** Fastest speed along the route (m/s), before GPS error. */
  maxSpeed: number;
}

const M_PER_DEG_LAT = 111_320;
/** Correlation time of the horizontal GPS error (s). */
const GPS_TAU = 25;
/** Top speed on a descent (m/s, about 58 km/h). */
const MAX_SPEED = 16;

/**
 * Speed factor for a gradient. Cyclists slow hard uphill and coast faster
 * down; runners less so; hikers follow Tobler's hiking function.
 */
function gradeFactor(movement: Movement, grade: number): number {
  switch (movement) {
    case "ride":
      return Math.min(1.5, Math.max(0.28, 1 - 7 * grade));
    case "run":
      return Math.min(1.15, Math.max(0.5, 1 - 3.5 * grade));
    case "hike":
      return Math.exp(-3.5 * Math.abs(grade + 0.05)) / Math.exp(-0.175);
  }
}

export function record(
  route: Route,
  region: RegionSpec,
  movement: Movement,
  speed: number,
  stops: readonly Stop[],
  device: Device,
  startTime: number,
  rng: Random,
): Recording {
  const { x: rx, y: ry, z: rz, cum } = route;
  const last = cum.length - 1;
  const lonScale = M_PER_DEG_LAT * Math.cos((region.lat * Math.PI) / 180);
  const segments: Segment[] = [];
  let seg: Segment = { lat: [], lon: [], ele: [], time: [] };

  // Per-activity error states.
  let ex = device.gpsError * rng.normal();
  let ey = device.gpsError * rng.normal();
  const eleOffset = device.elevation === "barometer" ? 8 * rng.normal() : 0;
  const eleSigma = device.elevation === "barometer" ? 1.5 : 4;
  const eleTau = device.elevation === "barometer" ? 300 : 240;
  let eleDrift = eleSigma * rng.normal();
  let pace = 0; // slow variation of effort around the base speed
  const expected = route.length / speed;
  const spikeAt = device.spike ? rng.range(0.1, 0.9) * expected : Infinity;
  const gapAt = rng.chance(0.1) ? rng.range(0.1, 0.9) * expected : Infinity; // tunnel or forest
  const gapEnd = gapAt + rng.range(30, 120);

  let s = 0; // distance along the route
  let t = 0; // seconds since start
  let k = 0; // route vertex at or before s
  let stopIndex = 0;
  let paused = 0;
  let spiked = false;
  let points = 0;
  let maxSpeed = 0;

  const emit = () => {
    if (t >= gapAt && t < gapEnd) return;
    while (k < last - 1 && cum[k + 1] <= s) k++;
    const span = cum[k + 1] - cum[k];
    const f = span > 0 ? Math.min(1, Math.max(0, (s - cum[k]) / span)) : 0;
    let px = rx[k] + (rx[k + 1] - rx[k]) * f + ex;
    let py = ry[k] + (ry[k + 1] - ry[k]) * f + ey;
    if (!spiked && t >= spikeAt) {
      spiked = true;
      const distance = rng.range(100, 500);
      const angle = rng.range(0, 2 * Math.PI);
      px += distance * Math.cos(angle);
      py += distance * Math.sin(angle);
    }
    seg.lat.push(region.lat + py / M_PER_DEG_LAT);
    seg.lon.push(region.lon + px / lonScale);
    if (device.elevation === "none") seg.ele.push(NaN);
    else {
      const z = rz[k] + (rz[k + 1] - rz[k]) * f + eleOffset + eleDrift;
      // Barometric altimeters report in 0.2 m steps (FIT's resolution).
      seg.ele.push(device.elevation === "barometer" ? Math.round(z * 5) / 5 : Math.round(z * 10) / 10);
    }
    seg.time.push(startTime + t * 1000);
    points++;
  };

  const gps = arWeights(GPS_TAU, device.gpsError);
  const baro = arWeights(eleTau, eleSigma);
  const effort = arWeights(60, 0.06);
  /** Advances the error processes by dt seconds (AR(1) with the stationary deviations above). */
  const drift = (dt: number) => {
    const [phi, w] = gps(dt);
    ex = phi * ex + w * rng.normal();
    ey = phi * ey + w * rng.normal();
    const [phiE, wE] = baro(dt);
    eleDrift = phiE * eleDrift + wE * rng.normal();
  };

  const interval = (): number => {
    if (device.sampling === "every") return 1;
    // Smart recording logs sooner when the direction changes.
    const ahead = Math.min(last, k + 6);
    const h0 = Math.atan2(ry[Math.min(last, k + 1)] - ry[k], rx[Math.min(last, k + 1)] - rx[k]);
    const h1 = Math.atan2(ry[ahead] - ry[Math.max(0, ahead - 1)], rx[ahead] - rx[Math.max(0, ahead - 1)]);
    let turn = Math.abs(h1 - h0);
    if (turn > Math.PI) turn = 2 * Math.PI - turn;
    return turn > 0.4 ? 3 + rng.int(2) : 3 + rng.int(8);
  };

  emit();
  while (s < route.length) {
    const dt = interval();
    const grade = k + 4 <= last ? (rz[k + 4] - rz[k]) / Math.max(1, cum[k + 4] - cum[k]) : 0;
    const [phiP, wP] = effort(dt);
    pace = phiP * pace + wP * rng.normal();
    const v = Math.min(MAX_SPEED, speed * gradeFactor(movement, grade) * (1 + pace));
    if (v > maxSpeed) maxSpeed = v;
    const stop = stops[stopIndex];
    if (stop !== undefined && s + v * dt >= stop.at) {
      // Roll up to the stop (whole seconds, as devices log), then wait there.
      const ride = Math.max(1, Math.round((stop.at - s) / v));
      s = Math.max(s, stop.at);
      t += ride;
      drift(ride);
      emit();
      stopIndex++;
      paused += stop.seconds;
      if (device.autoPause) {
        t += stop.seconds;
        if (device.splitOnPause && stop.seconds > 120 && seg.lat.length > 1) {
          segments.push(seg);
          seg = { lat: [], lon: [], ele: [], time: [] };
        }
        drift(stop.seconds);
        emit();
      } else {
        // Still logging: a little cloud of points that wanders with the GPS error.
        for (let waited = 0; waited < stop.seconds; ) {
          const step = Math.min(stop.seconds - waited, interval());
          waited += step;
          t += step;
          drift(step);
          emit();
        }
      }
      continue;
    }
    s = Math.min(route.length, s + v * dt);
    t += dt;
    drift(dt);
    emit();
  }
  if (seg.lat.length > 0) segments.push(seg);
  return { segments, points, elapsed: t, moving: t - paused, maxSpeed };
}

/**
 * Weights of an AR(1) process x' = phi x + w N(0,1) with correlation time tau
 * and stationary deviation sigma, over a step of dt seconds: phi = e^(-dt/tau),
 * w = sigma sqrt(1 - phi²). Steps are whole seconds, mostly 1-10, so they are
 * cached: the recorder takes millions of steps.
 */
function arWeights(tau: number, sigma: number): (dt: number) => [number, number] {
  const cache: [number, number][] = [];
  return (dt) => {
    let weights = cache[dt];
    if (weights === undefined) {
      const phi = Math.exp(-dt / tau);
      weights = [phi, sigma * Math.sqrt(1 - phi * phi)];
      if (dt <= 64) cache[dt] = weights;
    }
    return weights;
  };
}

/**
 * Where an outing stops: some traffic lights in town, a café on long rides,
 * short breathers on runs, breaks (one at the top) on hikes.
 */
export function planStops(route: Route, movement: Movement, rng: Random): Stop[] {
  const stops: Stop[] = [];
  for (const at of route.lights) if (rng.chance(0.35)) stops.push({ at, seconds: 5 + rng.int(55) });
  const length = route.length;
  if (movement === "ride" && length > 45000) stops.push({ at: length * rng.range(0.4, 0.65), seconds: rng.range(600, 2100) });
  if (movement === "run") for (let i = rng.int(3); i > 0; i--) stops.push({ at: length * rng.next(), seconds: 15 + rng.int(75) });
  if (movement === "hike") {
    let top = 0;
    for (let i = 1; i < route.z.length; i++) if (route.z[i] > route.z[top]) top = i;
    stops.push({ at: route.cum[top], seconds: rng.range(600, 1500) });
    for (let i = rng.int(3); i > 0; i--) stops.push({ at: length * rng.next(), seconds: rng.range(120, 600) });
  }
  return stops.filter((stop) => stop.at > 50 && stop.at < length - 50).sort((a, b) => a.at - b.at);
}
