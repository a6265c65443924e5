/**
 * Tile archive export speed: `bun run bench export [--db PATH] [--zooms 2-16] [--format pmtiles] [--runs 3]`.
 *
 * On the benchmark database (tests/bench/_data.ts), `hotpot export` of the whole
 * pyramid at 256 px as its own process, with 1 job and with one per core: tiles
 * written, archive size, wall and CPU time, tiles/s, peak RSS, and the speed-up.
 * Each run starts from nothing (no part file to continue); each setting runs
 * `--runs` times, alternating, and the fastest counts (the machine may be shared).
 *
 * Targets (issue 17): the whole pyramid (zooms 2-16) in under 2 minutes on 2 cores,
 * peak RSS under 500 MB, 2 jobs at least 1.6x as fast as 1.
 * The machine may be shared: the load average and CPU time are printed beside wall time.
 */
import { rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ensureBenchDb } from "./_data.ts";

const REPO = join(import.meta.dir, "..", "..");

const { values: args } = parseArgs({
  options: {
    db: { type: "string" },
    zooms: { type: "string", default: "2-16" },
    format: { type: "string", default: "pmtiles" },
    runs: { type: "string", default: "3" },
  },
});

interface Run {
  jobs: number;
  seconds: number;
  cpuSeconds: number;
  rssMb: number;
  tiles: number;
  mb: number;
}

async function exportOnce(db: string, jobs: number): Promise<Run> {
  const out = join(tmpdir(), `hotpot-bench-export-${process.pid}.${args.format}`);
  rmSync(out, { force: true });
  rmSync(`${out}.part`, { force: true });
  const started = performance.now();
  const child = Bun.spawn(["bun", join(REPO, "src/cli.ts"), "export", out, "--db", db, "--zooms", args.zooms!, "--tile-size", "256", "-j", `${jobs}`], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const stdout = await new Response(child.stdout).text();
  const code = await child.exited;
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`bench: hotpot export exited with code ${code}`);
  const usage = child.resourceUsage();
  const tiles = Number(/: (\d+) tiles/.exec(stdout)?.[1] ?? NaN);
  const mb = statSync(out).size / 1048576;
  rmSync(out, { force: true });
  const cpuSeconds = usage ? Number(usage.cpuTime.user + usage.cpuTime.system) / 1e6 : NaN;
  return { jobs, seconds, cpuSeconds, rssMb: (usage?.maxRSS ?? 0) / 1024 / 1024, tiles, mb };
}

async function main(): Promise<void> {
  const db = args.db ?? (await ensureBenchDb()).db;
  console.log(
    `export benchmark on ${db}: zooms ${args.zooms} at 256 px to .${args.format}; load average ${loadavg().map((v) => v.toFixed(1)).join(" ")} on ${cpus().length} cores`,
  );
  // One untimed run first, so both timed runs find the database in the page cache.
  await exportOnce(db, cpus().length);
  const settings = [1, cpus().length];
  const best = new Map<number, Run>();
  for (let i = 0; i < Number(args.runs); i++) {
    for (const jobs of settings) {
      const r = await exportOnce(db, jobs);
      if (!best.has(jobs) || r.seconds < best.get(jobs)!.seconds) best.set(jobs, r);
      console.log(
        `  -j ${r.jobs}: ${r.tiles} tiles, ${r.mb.toFixed(1)} MB, ${r.seconds.toFixed(1)} s wall (${r.cpuSeconds.toFixed(1)} s CPU), ` +
          `${(r.tiles / r.seconds).toFixed(0)} tiles/s, peak RSS ${r.rssMb.toFixed(0)} MB`,
      );
    }
  }
  const [one, all] = settings.map((jobs) => best.get(jobs)!);
  console.log(`  fastest: -j 1 ${one.seconds.toFixed(1)} s, -j ${all.jobs} ${all.seconds.toFixed(1)} s; peak RSS at most ${Math.max(one.rssMb, all.rssMb).toFixed(0)} MB`);
  console.log(`  speed-up with ${all.jobs} jobs: ${(one.seconds / all.seconds).toFixed(2)}x (target >= 1.6x; whole pyramid target < 120 s, RSS < 500 MB)`);
}

await main();
