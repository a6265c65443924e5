/**
 * Tile and image rendering speed: `bun run bench render [--db PATH] [--requests 2000] [--seed 1]`.
 *
 * On the benchmark database (tests/bench/_data.ts), uncached, on one core:
 *   1. a 2000 x 2000 `render` of the densest 20 x 20 km: wall time and peak RSS of the CLI
 *      (own process; -j 1 and one thread per core), and renderBounds + encodePng in this process;
 *   2. 2,000 tile requests sampled like a map session: views of 4 x 3 512 px tiles at
 *      zooms 2-16 centred on points of randomly chosen activities (so, like a person
 *      looking at their own map, mostly where they ride), about 5% of them empty,
 *      plus 100 at zooms 17-18. Each is timed from query to PNG bytes.
 *
 * Targets (issue 3): tile p50 <= 2 ms, p99 <= 25 ms; the 2000 x 2000 image <= 0.5 s.
 * The machine is shared: total CPU time is printed beside wall time.
 */
import { rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { encodePng, encodeWebp } from "../../src/encode.ts";
import { resolveGradient } from "../../src/palette.ts";
import { renderBounds, renderTileCounts } from "../../src/render.ts";
import { openStore, type Store } from "../../src/store.ts";
import { sourceZoom, xToLng, yToLat } from "../../src/tile.ts";
import { ensureBenchDb } from "./_data.ts";

const REPO = join(import.meta.dir, "..", "..");
const VIEW_COLUMNS = 4;
const VIEW_ROWS = 3;
const EMPTY_SHARE = 0.05;
const OVERZOOM_REQUESTS = 100;
const IMAGE_PX = 2000;
const IMAGE_KM = 20;

const { values: args } = parseArgs({
  options: {
    db: { type: "string" },
    requests: { type: "string", default: "2000" },
    seed: { type: "string", default: "1" },
  },
});

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface TileRequest {
  z: number;
  x: number;
  y: number;
}

/** Whether a tile has any stored rows under it (what makes it empty or not). */
function hasData(store: Store, levels: number[], t: TileRequest): boolean {
  const zs = sourceZoom(t.z, levels);
  const [x0, x1, y0, y1] =
    zs >= t.z
      ? [t.x << (zs - t.z), (t.x + 1) << (zs - t.z), t.y << (zs - t.z), (t.y + 1) << (zs - t.z)]
      : [t.x >> (t.z - zs), (t.x >> (t.z - zs)) + 1, t.y >> (t.z - zs), (t.y >> (t.z - zs)) + 1];
  return !!store.db
    .query("SELECT 1 FROM activity_tiles WHERE z = ? AND x >= ? AND x < ? AND y >= ? AND y < ? LIMIT 1")
    .get(zs, x0, x1, y0, y1);
}

/** A point on a randomly chosen activity, in world space. */
function activityPoint(store: Store, ids: number[], deepest: number, rand: () => number): { x: number; y: number } {
  const id = ids[Math.floor(rand() * ids.length)];
  const tiles = store.db.query("SELECT x, y FROM activity_tiles WHERE z = ? AND activity_id = ?").all(deepest, id) as { x: number; y: number }[];
  const t = tiles[Math.floor(rand() * tiles.length)];
  const n = 2 ** deepest;
  return { x: (t.x + rand()) / n, y: (t.y + rand()) / n };
}

/**
 * Views at each zoom in turn, so every zoom from 2 to 16 gets the same share
 * of requests (at the low zooms that means the few tiles with data, asked
 * again as a map session does while panning), then the over-zoomed ones.
 */
function sampleSession(store: Store, total: number, seed: number): TileRequest[] {
  const rand = mulberry32(seed);
  const levels = store.config().zoom_levels;
  const deepest = Math.max(...levels);
  const ids = (store.db.query("SELECT id FROM activities").all() as { id: number }[]).map((r) => r.id);
  const out: TileRequest[] = [];
  let empty = 0;
  const addView = (z: number, wanted: number) => {
    const p = activityPoint(store, ids, deepest, rand);
    const n = 2 ** z;
    const cx = Math.floor(p.x * n - VIEW_COLUMNS / 2 + rand());
    const cy = Math.floor(p.y * n - VIEW_ROWS / 2 + rand());
    let added = 0;
    for (let dy = 0; dy < VIEW_ROWS; dy++) {
      for (let dx = 0; dx < VIEW_COLUMNS; dx++) {
        const t = { z, x: cx + dx, y: cy + dy };
        if (t.x < 0 || t.y < 0 || t.x >= n || t.y >= n || added >= wanted) continue;
        // Views at deep zooms are mostly empty around a line: keep empties to the session's share.
        if (!hasData(store, levels, t)) {
          if (empty >= EMPTY_SHARE * (out.length + 1)) continue;
          empty++;
        }
        out.push(t);
        added++;
      }
    }
    return added;
  };
  const fill = (zooms: number[], count: number) => {
    zooms.forEach((z, i) => {
      let left = Math.floor((count * (i + 1)) / zooms.length) - Math.floor((count * i) / zooms.length);
      while (left > 0) left -= addView(z, left);
    });
  };
  fill([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], total - OVERZOOM_REQUESTS);
  fill([17, 18], OVERZOOM_REQUESTS);
  return out;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

/** Web Mercator square bounds of `km` around the busiest deepest-level tile. */
function densestBounds(store: Store, km: number) {
  const deepest = Math.max(...store.config().zoom_levels);
  const top = store.db
    .query("SELECT x, y FROM activity_tiles WHERE z = ? GROUP BY x, y ORDER BY sum(length(geometry)) DESC LIMIT 1")
    .get(deepest) as { x: number; y: number };
  const n = 2 ** deepest;
  const lat = yToLat((top.y + 0.5) / n);
  const lng = xToLng((top.x + 0.5) / n);
  const dLat = (km / 2 / 6371.0088) * (180 / Math.PI);
  const dLng = dLat / Math.cos((lat * Math.PI) / 180);
  return { west: lng - dLng, south: lat - dLat, east: lng + dLng, north: lat + dLat };
}

async function main(): Promise<void> {
  const dbPath = args.db ?? (await ensureBenchDb()).db;
  const store = openStore(dbPath, { mustExist: true, readonly: true });
  const palette = resolveGradient({});
  console.log(`render benchmark on ${dbPath}: ${store.activityCount()} activities; load average ${loadavg().map((v) => v.toFixed(1)).join(" ")} on ${cpus().length} cores`);

  // 1. The image, first through the CLI in its own process (wall time and peak RSS), on one
  // thread and on one per core, then in this process.
  const b = densestBounds(store, IMAGE_KM);
  const boundsArg = [b.west, b.south, b.east, b.north].map((v) => v.toFixed(6)).join(",");
  const out = join(tmpdir(), `hotpot-bench-render-${process.pid}.png`);
  console.log(`\n${IMAGE_PX} x ${IMAGE_PX} image of ${IMAGE_KM} x ${IMAGE_KM} km around the busiest tile (--bounds ${boundsArg}):`);
  for (const jobs of [1, cpus().length]) {
    const started = performance.now();
    const child = Bun.spawn(
      ["bun", join(REPO, "src/cli.ts"), "render", "--db", dbPath, "--bounds", boundsArg, "-w", `${IMAGE_PX}`, "-H", `${IMAGE_PX}`, "-j", `${jobs}`, "-o", out],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    await child.exited;
    const cliMs = performance.now() - started;
    const usage = child.resourceUsage();
    console.log(`  hotpot render -j ${jobs} (new process, incl. startup): ${fmt(cliMs)} ms wall, peak RSS ${((usage?.maxRSS ?? 0) / 1024 / 1024).toFixed(0)} MB`);
  }
  rmSync(out, { force: true });
  const imageTimes: string[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const cpu = process.cpuUsage();
    const counts = renderBounds(store, b, IMAGE_PX, IMAGE_PX);
    if (counts) encodePng(counts, IMAGE_PX, IMAGE_PX, palette);
    const used = process.cpuUsage(cpu);
    imageTimes.push(`${fmt(performance.now() - t)} (CPU ${fmt((used.user + used.system) / 1000)})`);
  }
  console.log(`  renderBounds + encodePng in process, one thread: ${imageTimes.join(", ")} ms (target <= 500)`);

  // 2. The tile session.
  const requests = sampleSession(store, Number(args.requests), Number(args.seed));
  const times: number[] = [];
  const encodeTimes: number[] = [];
  const byZoom = new Map<number, number[]>();
  const drawn: Uint8Array[] = [];
  let empties = 0;
  let bytes = 0;
  // Warm the JIT and the page cache as a running server would be.
  for (const r of requests.slice(0, 50)) renderTileCounts(store, r.z, r.x, r.y, { size: 512 });
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (const r of requests) {
    const t = performance.now();
    const counts = renderTileCounts(store, r.z, r.x, r.y, { size: 512 });
    const t1 = performance.now();
    const png = counts ? encodePng(counts, 512, 512, palette) : null;
    const ms = performance.now() - t;
    times.push(ms);
    if (counts) encodeTimes.push(performance.now() - t1);
    if (counts && drawn.length < 200 && times.length % 5 === 0) drawn.push(counts.slice());
    if (!byZoom.has(r.z)) byZoom.set(r.z, []);
    byZoom.get(r.z)!.push(ms);
    if (png) bytes += png.length;
    else empties++;
  }
  const wall = performance.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`\n${requests.length} tile requests (512 px, PNG), ${empties} empty (${((100 * empties) / requests.length).toFixed(1)}%):`);
  console.log(
    `  p50 ${fmt(quantile(sorted, 0.5))} ms (target <= 2), p95 ${fmt(quantile(sorted, 0.95))} ms, ` +
      `p99 ${fmt(quantile(sorted, 0.99))} ms (target <= 25), max ${fmt(sorted[sorted.length - 1])} ms`,
  );
  console.log(
    `  ${((requests.length / wall) * 1000).toFixed(0)} tiles/s on one core; wall ${fmt(wall)} ms, CPU ${fmt((cpu.user + cpu.system) / 1000)} ms; ` +
      `mean PNG ${(bytes / Math.max(1, requests.length - empties) / 1024).toFixed(1)} KB`,
  );
  const encodeSorted = encodeTimes.sort((a, b) => a - b);
  console.log(`  of which PNG encoding: p50 ${fmt(quantile(encodeSorted, 0.5))} ms, p99 ${fmt(quantile(encodeSorted, 0.99))} ms`);
  const webp = drawn.map((counts) => {
    const t = performance.now();
    encodeWebp(counts, 512, 512, palette);
    return performance.now() - t;
  });
  webp.sort((a, b) => a - b);
  console.log(`  WebP (lossless) instead, on ${webp.length} of the drawn tiles: encoding p50 ${fmt(quantile(webp, 0.5))} ms, p99 ${fmt(quantile(webp, 0.99))} ms`);
  console.log("  by zoom (requests: p50 / p99 / max ms):");
  for (const z of [...byZoom.keys()].sort((a, b) => a - b)) {
    const s = byZoom.get(z)!.sort((a, b) => a - b);
    console.log(`    z${String(z).padEnd(2)} ${String(s.length).padStart(4)}: ${fmt(quantile(s, 0.5))} / ${fmt(quantile(s, 0.99))} / ${fmt(s[s.length - 1])}`);
  }
  store.close();
}

await main();
