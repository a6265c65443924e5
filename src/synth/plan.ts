/**
 * Where each outing goes. Most activities repeat one of a few favourite loops
 * (some far more often than others) and the rest explore; both follow the
 * cheapest roads out of home, so the heatmap gets bright main roads, popular
 * loops and a fainter web of one-off explorations.
 */
import type { Network } from "./network.ts";
import { nearestNode } from "./network.ts";
import type { Random } from "./random.ts";
import { assembleRoute, cheapestPath, type Route } from "./route.ts";

export type Profile = "ride" | "foot";

/** What a planner needs to know about a kind of outing. */
export interface OutingSpec {
  profile: Profile;
  /** Distance range and median (km); distances are log-normal around the median. */
  km: { min: number; median: number; max: number };
  /** Share of outings on a favourite loop rather than exploring. */
  favourite: number;
  /** Start at a trailhead in the hills instead of at home. */
  trailhead: boolean;
  /** Share of explorations that go out and back on the same roads. */
  outAndBack: number;
  /** Share of outings that go up one of the serpentine climbs when one is in reach. */
  climb: number;
}

interface Favourite {
  start: number;
  path: number[];
  length: number;
}

/** Typical ratio of road distance to the straight-line loop it was planned from. */
const DETOUR = 1.3;

export class Planner {
  readonly home: number;
  readonly work: number;
  private readonly trailheads: number[];
  private readonly favourites = new Map<OutingSpec, Favourite[]>();

  constructor(
    readonly net: Network,
    private readonly rng: Random,
  ) {
    // Home a little off the centre, work across town.
    this.home = nearestNode(net, net.region.cityRadius * -0.5, net.region.cityRadius * -0.35);
    this.work = nearestNode(net, net.region.cityRadius * 0.7, net.region.cityRadius * 0.6);
    const hilly = net.region.terrain.base + net.region.terrain.rise * 0.5;
    const high: number[] = [];
    for (let n = 0; n < net.nodeX.length; n++) {
      if (net.reachable[n] && net.terrain.at(net.nodeX[n], net.nodeY[n]) > hilly) high.push(n);
    }
    this.trailheads = [];
    for (let i = 0; i < 6 && high.length > 0; i++) this.trailheads.push(rng.pick(high));
    if (this.trailheads.length === 0) this.trailheads.push(this.home);
  }

  /** A log-normal distance (m) for a kind of outing, clamped to its range. */
  distance(spec: OutingSpec, rng: Random): number {
    const km = spec.km.median * Math.exp(0.45 * rng.normal());
    return Math.min(spec.km.max, Math.max(spec.km.min, km)) * 1000;
  }

  /**
   * A route for one outing of about `targetM` metres (the favourite loops have
   * their own lengths; a target below them forces an exploration).
   */
  outing(spec: OutingSpec, targetM: number, rng: Random): Route {
    const cost = this.net.cost[spec.profile];
    const favourites = this.favouritesOf(spec);
    if (rng.chance(spec.favourite)) {
      // Zipf-like popularity: the first favourite is ridden most.
      const choice = favourites[rng.weighted(favourites.map((_, i) => 1 / (i + 1)))];
      if (choice.length <= targetM * 1.3) {
        return assembleRoute(this.net, rng.chance(0.5) ? choice.path : reversed(choice.path));
      }
    }
    const start = spec.trailhead ? rng.pick(this.trailheads) : this.home;
    const via = rng.chance(spec.climb) ? this.summitWithin(start, targetM) : undefined;
    const path = this.loop(cost, start, targetM, rng, rng.chance(spec.outAndBack), via);
    if (pathLength(this.net, path) <= targetM * 1.6) return assembleRoute(this.net, path);
    // The network's edge bent every try out of shape: do the favourite closest in length instead.
    const closest = favourites.reduce((a, b) => (Math.abs(b.length - targetM) < Math.abs(a.length - targetM) ? b : a));
    return assembleRoute(this.net, closest.path);
  }

  /** A commute between home and work, either way. */
  commute(toWork: boolean): Route {
    const [from, to] = toWork ? [this.home, this.work] : [this.work, this.home];
    return assembleRoute(this.net, cheapestPath(this.net, this.net.cost.ride, from, to));
  }

  private favouritesOf(spec: OutingSpec): Favourite[] {
    let list = this.favourites.get(spec);
    if (!list) {
      const rng = this.rng.fork(`favourites-${spec.profile}-${spec.km.median}`);
      list = [];
      for (let i = 0; i < 8; i++) {
        const start = spec.trailhead ? this.trailheads[i % this.trailheads.length] : this.home;
        const targetM = this.distance(spec, rng);
        const via = rng.chance(spec.climb) ? this.summitWithin(start, targetM) : undefined;
        const path = this.loop(this.net.cost[spec.profile], start, targetM, rng, false, via);
        list.push({ start, path, length: pathLength(this.net, path) });
      }
      this.favourites.set(spec, list);
    }
    return list;
  }

  /** A random summit that a loop of `targetM` metres from `start` can reach, if any. */
  private summitWithin(start: number, targetM: number): number | undefined {
    const net = this.net;
    const reach = targetM / (2 * DETOUR);
    const near = net.summits.filter((s) => Math.hypot(net.nodeX[s] - net.nodeX[start], net.nodeY[s] - net.nodeY[start]) < reach);
    return near.length > 0 ? this.rng.fork(`summit-${start}-${Math.round(targetM)}`).pick(near) : undefined;
  }

  /**
   * A loop through 2-4 waypoints on a circle beside the start, rescaled until
   * its road length is within 15% of the target (the closest of a few tries).
   * With `via` (a summit), the loop heads that way and goes over it:
   *
   *        w2 · · w3
   *       ·    C    ·
   *        w1 · · start
   */
  private loop(cost: Float64Array, start: number, targetM: number, rng: Random, back: boolean, via?: number): number[] {
    const net = this.net;
    const sx = net.nodeX[start];
    const sy = net.nodeY[start];
    const waypoints = back ? 1 : 2 + rng.int(3);
    let best: number[] = [];
    let bestError = Infinity;
    // Near the edge of the network a direction can fail; try others, the summit only first.
    for (let direction = 0; direction < 3 && bestError > 0.25; direction++) {
      const summit = direction === 0 ? via : undefined;
      const theta = summit === undefined ? rng.range(0, 2 * Math.PI) : Math.atan2(net.nodeY[summit] - sy, net.nodeX[summit] - sx);
      let scale = 1;
      for (let attempt = 0; attempt < 4; attempt++) {
        const stops: number[] = [];
        if (back) {
          const r = (scale * targetM) / (2 * DETOUR);
          stops.push(nearestNode(net, sx + r * Math.cos(theta), sy + r * Math.sin(theta)));
        } else {
          const r = (scale * targetM) / (2 * Math.PI * DETOUR);
          const cx = sx + r * Math.cos(theta);
          const cy = sy + r * Math.sin(theta);
          for (let k = 1; k <= waypoints; k++) {
            const a = theta + Math.PI + (2 * Math.PI * k) / (waypoints + 1);
            stops.push(nearestNode(net, cx + r * Math.cos(a), cy + r * Math.sin(a)));
          }
        }
        if (summit !== undefined) stops[stops.length >> 1] = summit;
        const path: number[] = [];
        let at = start;
        for (const next of [...stops, start]) {
          path.push(...cheapestPath(net, cost, at, next));
          at = next;
        }
        const length = pathLength(net, path);
        const error = Math.abs(length / targetM - 1);
        if (length > 0 && error < bestError) {
          best = path;
          bestError = error;
        }
        if (error < 0.15) break;
        scale *= length > 0 ? targetM / length : 2;
      }
    }
    return best;
  }
}

function reversed(path: readonly number[]): number[] {
  return path.map((ref) => -ref).reverse();
}

function pathLength(net: Network, path: readonly number[]): number {
  let sum = 0;
  for (const ref of path) sum += net.edgeLength[Math.abs(ref) - 1];
  return sum;
}
