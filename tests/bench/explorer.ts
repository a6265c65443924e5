/**
 * Explorer tiles: `bun run bench explorer [--db PATH] [--requests 1000] [--seed 1]`.
 *
 * On the benchmark database (tests/bench/_data.ts):
 *   1. the numbers (explored, max square, max cluster, per year) at zooms 14 and 17, for
 *      everything and for a filtered query (rides since 2020): cold (a fresh connection,
 *      so the visit index is built first), a new query on a built index, and warm;
 *   2. on a copy of the database, the numbers of both zooms again after each of three
 *      one-activity imports (the index of the previous version is extended, not rebuilt);
 *   3. the tile session of the render benchmark (512 px, PNG), drawn as explorer tiles at
 *      zooms 14 and 17 and as heat tiles, from query to PNG bytes, one after another.
 *
 * Targets (issue 16): everything warm < 50 ms, cold < 1 s; explorer tiles at least as fast as heat tiles.
 * The machine may be shared: the load average is printed, and CPU time beside wall time.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { encodePng } from "../../src/encode.ts";
import { drawExplorerTile, EXPLORER_PALETTE } from "../../src/explorer-draw.ts";
import { explore, summary } from "../../src/explorer-query.ts";
import { EXPLORER_ZOOMS } from "../../src/explorer.ts";
import { ingestFiles } from "../../src/import/ingest.ts";
import { resolveGradient } from "../../src/palette.ts";
import { compileQuery } from "../../src/query.ts";
import { renderTileCounts } from "../../src/render.ts";
import { openStore } from "../../src/store.ts";
import { ensureBenchDb } from "./_data.ts";
import { sampleSession, type TileRequest } from "./_tiles.ts";
import { lineGpx } from "../helpers/fixture.ts";

const { values: args } = parseArgs({
  options: {
    db: { type: "string" },
    requests: { type: "string", default: "1000" },
    seed: { type: "string", default: "1" },
  },
});

const WARM_RUNS = 200;
const FILTERED = compileQuery({ filter: "activity_type = ride", after: "2020-01-01" });

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

function timed<T>(run: () => T): [T, number, number] {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const value = run();
  const used = process.cpuUsage(cpu);
  return [value, performance.now() - t, (used.user + used.system) / 1000];
}

async function main(): Promise<void> {
  const dbPath = args.db ?? (await ensureBenchDb()).db;
  const probe = openStore(dbPath, { mustExist: true, readonly: true });
  console.log(`explorer benchmark on ${dbPath}: ${probe.activityCount()} activities; load average ${loadavg().map((v) => v.toFixed(1)).join(" ")} on ${cpus().length} cores`);
  probe.close();

  console.log("\nnumbers (ms):");
  for (const zoom of EXPLORER_ZOOMS) {
    for (const [label, query] of [["everything", null], ["rides since 2020", FILTERED]] as const) {
      // A fresh connection has empty caches: the visit index and the query's activity set are built.
      const store = openStore(dbPath, { mustExist: true, readonly: true });
      const [result, cold, coldCpu] = timed(() => explore(store, zoom, query));
      const other = query === FILTERED ? null : FILTERED;
      const [, newQuery, newQueryCpu] = timed(() => explore(store, zoom, other));
      const warm: number[] = [];
      for (let i = 0; i < WARM_RUNS; i++) warm.push(timed(() => summary(explore(store, zoom, query)))[1]);
      warm.sort((a, b) => a - b);
      const n = summary(result);
      console.log(
        `  zoom ${zoom}, ${label.padEnd(16)}: cold ${fmt(cold)} (CPU ${fmt(coldCpu)}; target < 1000), another query on the built index ${fmt(newQuery)} (CPU ${fmt(newQueryCpu)}), ` +
          `warm p50 ${fmt(quantile(warm, 0.5))} max ${fmt(warm[warm.length - 1])} (target < 50); ` +
          `${n.explored} explored, max square ${n.max_square.size}, max cluster ${n.max_cluster.size}`,
      );
      store.close();
    }
  }

  const dir = mkdtempSync(join(tmpdir(), "hotpot-bench-explorer-"));
  try {
    const copy = join(dir, "copy.sqlite3");
    copyFileSync(dbPath, copy);
    const store = openStore(copy, { mustExist: true });
    const [, first] = timed(() => EXPLORER_ZOOMS.map((zoom) => explore(store, zoom)));
    const after: string[] = [];
    for (let i = 0; i < 3; i++) {
      const name = `added-${i}.gpx`;
      ingestFiles(store, [{ name, bytes: lineGpx({ name, title: name, type: "ride", date: `2025-01-0${i + 1}`, from: [48 + i / 100, 7.8], to: [48 + i / 100, 7.9] }) }]);
      const [, ms, cpu] = timed(() => EXPLORER_ZOOMS.map((zoom) => explore(store, zoom)));
      after.push(`${fmt(ms)} (CPU ${fmt(cpu)})`);
    }
    store.close();
    console.log(`
both zooms, everything, on a copy: ${fmt(first)} ms built from scratch; after adding one activity: ${after.join(", ")} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const store = openStore(dbPath, { mustExist: true, readonly: true });
  const requests = sampleSession(store, Number(args.requests), Number(args.seed));
  console.log(`\n${requests.length} tile requests of the render benchmark's session (512 px, PNG), from query to PNG bytes:`);
  const heatPalette = resolveGradient({});
  const line = (label: string, draw: (r: TileRequest) => Uint8Array | null, palette = EXPLORER_PALETTE) => {
    for (const r of requests.slice(0, 50)) draw(r);
    const times: number[] = [];
    let drawn = 0;
    const wall = performance.now();
    for (const r of requests) {
      const t = performance.now();
      const pixels = draw(r);
      if (pixels) {
        encodePng(pixels, 512, 512, palette);
        drawn++;
      }
      times.push(performance.now() - t);
    }
    const total = performance.now() - wall;
    times.sort((a, b) => a - b);
    console.log(
      `  ${label.padEnd(18)}: ${((requests.length / total) * 1000).toFixed(0)} tiles/s, p50 ${fmt(quantile(times, 0.5))} ms, p99 ${fmt(quantile(times, 0.99))} ms, ${drawn} drawn`,
    );
  };
  for (const zoom of EXPLORER_ZOOMS) {
    const result = explore(store, zoom);
    line(`explorer, zoom ${zoom}`, (r) => drawExplorerTile(result, r.z, r.x, r.y, 512));
  }
  line("heat", (r) => renderTileCounts(store, r.z, r.x, r.y, { size: 512 }), heatPalette);
  store.close();
}

await main();
