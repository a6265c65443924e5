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
import { xToLng, yToLat } from "../../src/tile.ts";
import { ensureBenchDb } from "./_data.ts";
import { sampleSession } from "./_tiles.ts";

const REPO = join(import.meta.dir, "..", "..");
const IMAGE_PX = 2000;
const IMAGE_KM = 20;

const { values: args } = parseArgs({
  options: {
    db: { type: "string" },
    requests: { type: "string", default: "2000" },
    seed: { type: "string", default: "1" },
  },
});

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
