/**
 * Routing on a synthetic road network: cheapest paths between junctions, and
 * the polyline an activity follows along a chain of them. Cheapest paths are
 * what make activities share roads: every ride out of town funnels onto the
 * same favourite main roads.
 */
import type { Network } from "./network.ts";

/** An activity's planned line in the region's local plane, one vertex about every 25 m. */
export interface Route {
  x: Float64Array;
  y: Float64Array;
  /** Road elevation at each vertex (m). */
  z: Float64Array;
  /** Distance from the start at each vertex (m). */
  cum: Float64Array;
  length: number;
  /** Distances along the route of junctions with traffic lights (m). */
  lights: number[];
}

/**
 * Edges of the cheapest path from `from` to `to`, each as e + 1 when walked
 * from edgeA to edgeB and -(e + 1) when walked backwards (empty when from = to).
 */
export function cheapestPath(net: Network, cost: Float64Array, from: number, to: number): number[] {
  const n = net.nodeX.length;
  const dist = new Float64Array(n).fill(Infinity);
  const via = new Int32Array(n); // signed edge reference used to reach each node
  const heap = new MinHeap(n);
  dist[from] = 0;
  heap.push(from, 0);
  while (heap.size > 0) {
    const [node, d] = heap.pop();
    if (node === to) break;
    if (d > dist[node]) continue; // stale entry
    for (let k = net.adjStart[node]; k < net.adjStart[node + 1]; k++) {
      const e = net.adjEdge[k];
      const forward = net.edgeA[e] === node;
      const next = forward ? net.edgeB[e] : net.edgeA[e];
      const nd = d + cost[e];
      if (nd < dist[next]) {
        dist[next] = nd;
        via[next] = forward ? e + 1 : -(e + 1);
        heap.push(next, nd);
      }
    }
  }
  if (dist[to] === Infinity) return [];
  const path: number[] = [];
  for (let node = to; node !== from; ) {
    const ref = via[node];
    path.push(ref);
    const e = Math.abs(ref) - 1;
    node = ref > 0 ? net.edgeA[e] : net.edgeB[e];
  }
  return path.reverse();
}

/** Joins the geometry of consecutive edges (signed references) into one route. */
export function assembleRoute(net: Network, path: readonly number[]): Route {
  let count = 1;
  for (const ref of path) {
    const e = Math.abs(ref) - 1;
    count += net.geomStart[e + 1] - net.geomStart[e] - 1;
  }
  const x = new Float64Array(count);
  const y = new Float64Array(count);
  const z = new Float64Array(count);
  const cum = new Float64Array(count);
  const lights: number[] = [];
  let k = 0;
  for (const [i, ref] of path.entries()) {
    const e = Math.abs(ref) - 1;
    const start = net.geomStart[e];
    const last = net.geomStart[e + 1] - 1;
    // The first vertex of each edge repeats the last of the previous one.
    for (let j = i === 0 ? 0 : 1; j <= last - start; j++) {
      const g = ref > 0 ? start + j : last - j;
      x[k] = net.geomX[g];
      y[k] = net.geomY[g];
      z[k] = net.geomZ[g];
      cum[k] = k === 0 ? 0 : cum[k - 1] + Math.hypot(x[k] - x[k - 1], y[k] - y[k - 1]);
      k++;
    }
    const end = ref > 0 ? net.edgeB[e] : net.edgeA[e];
    if (net.nodeLights[end] && i < path.length - 1) lights.push(cum[k - 1]);
  }
  return { x, y, z, cum, length: count > 0 ? cum[count - 1] : 0, lights };
}

/** A binary min-heap of (node, key) pairs on typed arrays; stale pairs are skipped by the caller. */
class MinHeap {
  private nodes: Int32Array;
  private keys: Float64Array;
  size = 0;

  constructor(capacity: number) {
    this.nodes = new Int32Array(Math.max(16, capacity));
    this.keys = new Float64Array(Math.max(16, capacity));
  }

  push(node: number, key: number): void {
    if (this.size === this.nodes.length) {
      const nodes = new Int32Array(this.size * 2);
      const keys = new Float64Array(this.size * 2);
      nodes.set(this.nodes);
      keys.set(this.keys);
      this.nodes = nodes;
      this.keys = keys;
    }
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent] <= key) break;
      this.nodes[i] = this.nodes[parent];
      this.keys[i] = this.keys[parent];
      i = parent;
    }
    this.nodes[i] = node;
    this.keys[i] = key;
  }

  pop(): [number, number] {
    const top: [number, number] = [this.nodes[0], this.keys[0]];
    const n = --this.size;
    const node = this.nodes[n];
    const key = this.keys[n];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.keys[child + 1] < this.keys[child]) child++;
      if (this.keys[child] >= key) break;
      this.nodes[i] = this.nodes[child];
      this.keys[i] = this.keys[child];
      i = child;
    }
    this.nodes[i] = node;
    this.keys[i] = key;
    return top;
  }
}
