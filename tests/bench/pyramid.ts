/**
 * Tiles from the count pyramid in a fresh process on one core: `bun run bench pyramid [--runs 3]`.
 *
 * The render benchmark's 2,000-tile session (512 px PNG, unfiltered, one
 * after another) on the benchmark database with its pyramid, as a one-core
 * server answers it: this process pinned to core 0 with `taskset`, nothing
 * else in its heap (`bench render` measures the same session last, after
 * its other sessions, and with their garbage). Issue 19's targets for
 * unfiltered tiles on one thread: p50 <= 1 ms, p99 <= 10 ms, max <= 25 ms.
 */
import { parseArgs } from "node:util";
import { encodePng } from "../../src/encode.ts";
import { resolveGradient } from "../../src/palette.ts";
import { renderTileCounts } from "../../src/render.ts";
import { openStore } from "../../src/store.ts";
import { ensureBenchDb } from "./_data.ts";
import { sampleSession } from "./_tiles.ts";

const PINNED = "HOTPOT_BENCH_PINNED";
const { values: args, positionals } = parseArgs({ options: { runs: { type: "string", default: "3" } }, allowPositionals: true });

if (process.env[PINNED] !== "1") {
  const { db } = await ensureBenchDb();
  for (let run = 0; run < Number(args.runs); run++) {
    const child = Bun.spawn(["taskset", "-c", "0", "bun", import.meta.path, db], { env: { ...process.env, [PINNED]: "1" }, stdio: ["ignore", "inherit", "inherit"] });
    if ((await child.exited) !== 0) throw new Error("bench: the pinned session failed");
  }
} else {
  const store = openStore(positionals[0], { mustExist: true, readonly: true });
  const stored = store.countTileAddresses().filter((t) => t.bytes > 0).length;
  const session = sampleSession(store, 2000, 1);
  const palette = resolveGradient({});
  // Warm the JIT and the page cache, as a server that has been up a while.
  for (const t of session.slice(0, 100)) renderTileCounts(store, t.z, t.x, t.y, { size: 512 });
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (const t of session) {
    const start = performance.now();
    const counts = renderTileCounts(store, t.z, t.x, t.y, { size: 512 });
    if (counts) encodePng(counts, 512, 512, palette);
    times.push(performance.now() - start);
  }
  const wall = performance.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(2);
  console.log(
    `one core, ${stored} stored tiles: p50 ${q(0.5)} ms (target <= 1), p99 ${q(0.99)} ms (target <= 10), max ${q(1)} ms (target <= 25); ` +
      `${((session.length / wall) * 1000).toFixed(0)} tiles/s, CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`,
  );
}
