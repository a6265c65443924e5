/**
 * Shapes of single roads between two points of a region's local plane
 * (metres). Roads are polylines with a vertex about every ROAD_STEP metres.
 */
import type { Random } from "./random.ts";

/** Vertex spacing of road geometry (m): fine enough that 1 s samples along it look smooth. */
export const ROAD_STEP = 25;

export interface Polyline {
  x: Float64Array;
  y: Float64Array;
}

/**
 * A road from a to b that wanders sideways by a few harmonics, each zero at
 * both ends so roads still meet exactly at their junctions:
 *
 *   a ●~~~~~~~~~~~~~~~~~~~~~~~~~~● b     offset(u) = Σ A_h sin(h π u), u in 0..1
 */
export function curvyRoad(ax: number, ay: number, bx: number, by: number, wiggle: number, rng: Random): Polyline {
  const dx = bx - ax;
  const dy = by - ay;
  const length = Math.hypot(dx, dy);
  const harmonics = 5;
  const amplitude = new Float64Array(harmonics);
  for (let h = 0; h < harmonics; h++) amplitude[h] = (rng.normal() * wiggle * length) / (h + 1) ** 1.3;
  const n = Math.max(2, Math.ceil(length / ROAD_STEP) + 1);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  // Unit normal to the chord.
  const nx = -dy / length;
  const ny = dx / length;
  for (let i = 0; i < n; i++) {
    const u = i / (n - 1);
    let offset = 0;
    for (let h = 0; h < harmonics; h++) offset += amplitude[h] * Math.sin((h + 1) * Math.PI * u);
    x[i] = ax + dx * u + nx * offset;
    y[i] = ay + dy * u + ny * offset;
  }
  return { x, y };
}

/**
 * A climbing road from a foot to a summit that swings from side to side until
 * it is about `length` metres long (a steady gradient), like a mountain pass:
 *
 *        summit ●
 *             ╱  ╲__
 *          __╱     ╱
 *         ╱  ╲____╱
 *   foot ●
 */
export function serpentine(ax: number, ay: number, bx: number, by: number, length: number): Polyline {
  const dx = bx - ax;
  const dy = by - ay;
  const direct = Math.hypot(dx, dy);
  const nx = -dy / direct;
  const ny = dx / direct;
  const swing = Math.min(450, direct / 4);
  // Find the number of switchbacks that makes the road long enough; the length
  // of a sine path grows about linearly with the number of half waves.
  let turns = 0;
  while (turns < 60 && sineLength(direct, swing, turns) < length) turns++;
  const total = sineLength(direct, swing, turns);
  const n = Math.max(2, Math.ceil(total / ROAD_STEP) + 1);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = i / (n - 1);
    const offset = swing * Math.sin(turns * Math.PI * u);
    x[i] = ax + dx * u + nx * offset;
    y[i] = ay + dy * u + ny * offset;
  }
  return { x, y };
}

function sineLength(direct: number, swing: number, turns: number): number {
  const steps = 400;
  let sum = 0;
  let prev = 0;
  for (let i = 1; i <= steps; i++) {
    const u = i / steps;
    const offset = swing * Math.sin(turns * Math.PI * u);
    sum += Math.hypot(direct / steps, offset - prev);
    prev = offset;
  }
  return sum;
}

/** Length of a polyline (m). */
export function polylineLength(p: Polyline): number {
  let sum = 0;
  for (let i = 1; i < p.x.length; i++) sum += Math.hypot(p.x[i] - p.x[i - 1], p.y[i] - p.y[i - 1]);
  return sum;
}
