/**
 * A region's road graph: a dense town grid, a jittered grid of curvy country
 * roads around it, a few straighter main roads radiating from town (cheap to
 * route on, so they become the popular ones) and serpentine climbs up the
 * highest mountains.
 *
 *        ·──·──·──·──·          · country junction (grid, jittered)
 *        │╲ │  │  │  │          ═ main road out of town
 *        ·──·──#══·══·══        # town grid (traffic lights)
 *        │  │ ###  │  │         ~ serpentine up a mountain
 *        ·──·──#──·~~▲
 */
import type { Random } from "./random.ts";
import type { RegionSpec } from "./regions.ts";
import { curvyRoad, polylineLength, serpentine, type Polyline } from "./roads.ts";
import { Terrain } from "./terrain.ts";

/** Road classes, stored per edge in `edgeKind`. */
export const RoadKind = { Minor: 0, Major: 1, Climb: 2 } as const;
export type RoadKind = (typeof RoadKind)[keyof typeof RoadKind];

/** Steady gradient of the serpentine climbs. */
const CLIMB_GRADE = 0.07;

export interface Network {
  region: RegionSpec;
  terrain: Terrain;
  nodeX: Float64Array;
  nodeY: Float64Array;
  /** 1 where a junction has traffic lights (the town grid). */
  nodeLights: Uint8Array;
  /** 1 for nodes connected to the town centre; waypoints are only picked among these. */
  reachable: Uint8Array;
  /** The node nearest the region centre. */
  centre: number;
  /** Top nodes of the climbs. */
  summits: number[];
  edgeA: Uint32Array;
  edgeB: Uint32Array;
  edgeLength: Float64Array;
  edgeKind: Uint8Array;
  /** Vertices of edge e are geomX/Y/Z[geomStart[e] .. geomStart[e + 1]), from A to B. */
  geomStart: Uint32Array;
  geomX: Float64Array;
  geomY: Float64Array;
  geomZ: Float64Array;
  /** Edges at node n are adjEdge[adjStart[n] .. adjStart[n + 1]). */
  adjStart: Uint32Array;
  adjEdge: Uint32Array;
  /** Routing cost per edge for bicycles and for people on foot. */
  cost: { ride: Float64Array; foot: Float64Array };
}

interface EdgeDraft {
  a: number;
  b: number;
  kind: RoadKind;
  shape: Polyline;
  z: Float64Array;
}

export function buildNetwork(region: RegionSpec, rng: Random): Network {
  const terrain = new Terrain(region.terrain, region.halfSize, rng.fork("terrain"));
  const nodesX: number[] = [];
  const nodesY: number[] = [];
  const lights: number[] = [];
  const edges: EdgeDraft[] = [];
  const pairs = new Map<number, number>();
  const shapeRng = rng.fork("shapes");

  const addNode = (x: number, y: number, light: boolean) => {
    nodesX.push(x);
    nodesY.push(y);
    lights.push(light ? 1 : 0);
    return nodesX.length - 1;
  };
  const addEdge = (a: number, b: number, kind: RoadKind, wiggle: number) => {
    if (a === b) return;
    const key = Math.min(a, b) * 65536 + Math.max(a, b);
    const existing = pairs.get(key);
    if (existing !== undefined) {
      if (kind === RoadKind.Major) edges[existing].kind = RoadKind.Major;
      return;
    }
    const shape = curvyRoad(nodesX[a], nodesY[a], nodesX[b], nodesY[b], wiggle, shapeRng);
    const z = new Float64Array(shape.x.length);
    for (let i = 0; i < z.length; i++) z[i] = terrain.at(shape.x[i], shape.y[i]);
    pairs.set(key, edges.length);
    edges.push({ a, b, kind, shape, z });
  };

  // Town grid within a circle: short, nearly straight streets with traffic lights.
  const town = grid(region.cityRadius, region.citySpacing, 0.2, rng.fork("town"), (x, y) =>
    Math.hypot(x, y) <= region.cityRadius ? addNode(x, y, true) : -1,
  );
  town.connect(0.93, 0, (a, b) => addEdge(a, b, RoadKind.Minor, 0.01));

  // Country grid around it, leaving a margin so the two grids do not overlap.
  const margin = region.cityRadius + region.spacing * 0.5;
  const country = grid(region.halfSize, region.spacing, 0.35, rng.fork("country"), (x, y) =>
    region.cityRadius > 0 && Math.hypot(x, y) < margin ? -1 : addNode(x, y, false),
  );
  const wiggle = () => region.curviness * rng.range(0.4, 1.4);
  country.connect(0.8, 0.12, (a, b) => addEdge(a, b, RoadKind.Minor, wiggle()));

  // Link the country roads that end at the town's edge to the nearest street.
  if (town.nodes.length > 0) {
    for (const n of country.nodes) {
      const x = nodesX[n];
      const y = nodesY[n];
      if (Math.hypot(x, y) > margin + region.spacing) continue;
      const t = nearest(town.nodes, nodesX, nodesY, x, y);
      if (Math.hypot(nodesX[t] - x, nodesY[t] - y) < region.spacing * 1.6) addEdge(n, t, RoadKind.Minor, wiggle());
    }
  }

  // Main roads radiate from town: chains of country nodes along rays.
  const mainRng = rng.fork("main");
  const rays = 6;
  for (let r = 0; r < rays; r++) {
    const angle = ((r + mainRng.range(-0.3, 0.3)) * 2 * Math.PI) / rays;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    let prev = town.nodes.length > 0 ? nearest(town.nodes, nodesX, nodesY, cos * margin, sin * margin) : -1;
    for (let d = margin; d < region.halfSize; d += region.spacing) {
      const n = nearest(country.nodes, nodesX, nodesY, cos * d, sin * d);
      if (prev >= 0) addEdge(prev, n, RoadKind.Major, 0.012);
      prev = n;
    }
  }

  // Serpentines up the highest mountains, from the side facing town; every
  // other one goes down the far side too, like a pass.
  const summits: number[] = [];
  for (const m of terrain.mountains.slice(0, region.climbs)) {
    if (Math.max(Math.abs(m.x), Math.abs(m.y)) > region.halfSize * 0.9) continue;
    const summit = addNode(m.x, m.y, false);
    summits.push(summit);
    const toTown = Math.atan2(-m.y, -m.x);
    const sides = summits.length % 2 === 0 ? [toTown, toTown + Math.PI * rng.range(0.7, 1.3)] : [toTown];
    for (const bearing of sides) {
      const footX = m.x + Math.cos(bearing) * 3 * m.sigma;
      const footY = m.y + Math.sin(bearing) * 3 * m.sigma;
      const foot = nearest(country.nodes, nodesX, nodesY, footX, footY);
      edges.push(climb(foot, summit, nodesX, nodesY, terrain));
    }
  }

  return freeze(region, terrain, nodesX, nodesY, lights, edges, summits, rng.fork("costs"));
}

/** A jittered square grid of nodes; `place` returns the node id, or -1 to leave a hole. */
function grid(half: number, spacing: number, jitter: number, rng: Random, place: (x: number, y: number) => number) {
  const cells = spacing > 0 ? Math.floor(half / spacing) : -1;
  const side = 2 * cells + 1;
  const ids = new Int32Array(Math.max(0, side * side)).fill(-1);
  const nodes: number[] = [];
  for (let j = 0; j < side; j++) {
    for (let i = 0; i < side; i++) {
      const x = (i - cells + rng.range(-jitter, jitter)) * spacing;
      const y = (j - cells + rng.range(-jitter, jitter)) * spacing;
      const id = place(x, y);
      ids[j * side + i] = id;
      if (id >= 0) nodes.push(id);
    }
  }
  return {
    nodes,
    /** Joins grid neighbours: east and north with probability `p`, one diagonal with `diagonal`. */
    connect(p: number, diagonal: number, join: (a: number, b: number) => void) {
      const at = (i: number, j: number) => (i >= 0 && j >= 0 && i < side && j < side ? ids[j * side + i] : -1);
      for (let j = 0; j < side; j++) {
        for (let i = 0; i < side; i++) {
          const a = at(i, j);
          if (a < 0) continue;
          for (const [di, dj, chance] of [
            [1, 0, p],
            [0, 1, p],
            [1, rng.chance(0.5) ? 1 : -1, diagonal],
          ]) {
            const b = at(i + di, j + dj);
            if (b >= 0 && rng.chance(chance)) join(a, b);
          }
        }
      }
    },
  };
}

function nearest(candidates: readonly number[], xs: readonly number[], ys: readonly number[], x: number, y: number): number {
  let best = -1;
  let bestD = Infinity;
  for (const n of candidates) {
    const d = (xs[n] - x) ** 2 + (ys[n] - y) ** 2;
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  return best;
}

/** A serpentine edge whose elevation rises steadily from foot to summit. */
function climb(foot: number, summit: number, xs: number[], ys: number[], terrain: Terrain): EdgeDraft {
  const z0 = terrain.at(xs[foot], ys[foot]);
  const z1 = terrain.at(xs[summit], ys[summit]);
  const direct = Math.hypot(xs[summit] - xs[foot], ys[summit] - ys[foot]);
  const shape = serpentine(xs[foot], ys[foot], xs[summit], ys[summit], Math.max(direct * 1.1, (z1 - z0) / CLIMB_GRADE));
  const total = polylineLength(shape);
  const z = new Float64Array(shape.x.length);
  let along = 0;
  for (let i = 0; i < z.length; i++) {
    if (i > 0) along += Math.hypot(shape.x[i] - shape.x[i - 1], shape.y[i] - shape.y[i - 1]);
    z[i] = z0 + ((z1 - z0) * along) / total;
  }
  return { a: foot, b: summit, kind: RoadKind.Climb, shape, z };
}

/** Packs the drafts into typed arrays, builds adjacency and routing costs. */
function freeze(
  region: RegionSpec,
  terrain: Terrain,
  nodesX: number[],
  nodesY: number[],
  lights: number[],
  edges: EdgeDraft[],
  summits: number[],
  rng: Random,
): Network {
  const nodeCount = nodesX.length;
  const edgeCount = edges.length;
  const edgeA = new Uint32Array(edgeCount);
  const edgeB = new Uint32Array(edgeCount);
  const edgeLength = new Float64Array(edgeCount);
  const edgeKind = new Uint8Array(edgeCount);
  const geomStart = new Uint32Array(edgeCount + 1);
  for (let e = 0; e < edgeCount; e++) geomStart[e + 1] = geomStart[e] + edges[e].shape.x.length;
  const geomX = new Float64Array(geomStart[edgeCount]);
  const geomY = new Float64Array(geomStart[edgeCount]);
  const geomZ = new Float64Array(geomStart[edgeCount]);
  const degree = new Uint32Array(nodeCount + 1);
  edges.forEach((draft, e) => {
    edgeA[e] = draft.a;
    edgeB[e] = draft.b;
    edgeKind[e] = draft.kind;
    edgeLength[e] = polylineLength(draft.shape);
    geomX.set(draft.shape.x, geomStart[e]);
    geomY.set(draft.shape.y, geomStart[e]);
    geomZ.set(draft.z, geomStart[e]);
    degree[draft.a + 1]++;
    degree[draft.b + 1]++;
  });
  const adjStart = new Uint32Array(nodeCount + 1);
  for (let n = 0; n < nodeCount; n++) adjStart[n + 1] = adjStart[n] + degree[n + 1];
  const fill = adjStart.slice(0, nodeCount);
  const adjEdge = new Uint32Array(adjStart[nodeCount]);
  for (let e = 0; e < edgeCount; e++) {
    adjEdge[fill[edgeA[e]]++] = e;
    adjEdge[fill[edgeB[e]]++] = e;
  }

  // Idiosyncratic preferences make some roads favourites and others avoided;
  // main roads draw bikes, hill tracks draw people on foot.
  const ride = new Float64Array(edgeCount);
  const foot = new Float64Array(edgeCount);
  const hilly = region.terrain.base + region.terrain.rise * 0.4;
  for (let e = 0; e < edgeCount; e++) {
    const kind = edgeKind[e];
    const midZ = geomZ[(geomStart[e] + geomStart[e + 1]) >> 1];
    ride[e] = edgeLength[e] * (kind === RoadKind.Major ? 0.75 : 1) * rng.range(0.85, 1.3);
    foot[e] = edgeLength[e] * (kind === RoadKind.Major ? 1.6 : 1) * (midZ > hilly ? 0.8 : 1) * rng.range(0.8, 1.3);
  }

  const xs = Float64Array.from(nodesX);
  const ys = Float64Array.from(nodesY);
  let centre = 0;
  for (let n = 1; n < nodeCount; n++) if (xs[n] ** 2 + ys[n] ** 2 < xs[centre] ** 2 + ys[centre] ** 2) centre = n;
  const reachable = new Uint8Array(nodeCount);
  const queue = [centre];
  reachable[centre] = 1;
  while (queue.length > 0) {
    const n = queue.pop()!;
    for (let k = adjStart[n]; k < adjStart[n + 1]; k++) {
      const e = adjEdge[k];
      const m = edgeA[e] === n ? edgeB[e] : edgeA[e];
      if (!reachable[m]) {
        reachable[m] = 1;
        queue.push(m);
      }
    }
  }

  return {
    region,
    terrain,
    nodeX: xs,
    nodeY: ys,
    nodeLights: Uint8Array.from(lights),
    reachable,
    centre,
    summits: summits.filter((s) => reachable[s]),
    edgeA,
    edgeB,
    edgeLength,
    edgeKind,
    geomStart,
    geomX,
    geomY,
    geomZ,
    adjStart,
    adjEdge,
    cost: { ride, foot },
  };
}

/** The reachable node nearest to a local position. */
export function nearestNode(net: Network, x: number, y: number): number {
  let best = net.centre;
  let bestD = Infinity;
  for (let n = 0; n < net.nodeX.length; n++) {
    if (!net.reachable[n]) continue;
    const d = (net.nodeX[n] - x) ** 2 + (net.nodeY[n] - y) ** 2;
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  return best;
}
