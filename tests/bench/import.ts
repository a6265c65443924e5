/**
 * Import throughput: `bun run bench import [DIR] [--runs N]` (default: the shared
 * synthetic data set, generated on first use). Imports the whole set into a fresh on-disk
 * database with 1 worker and with 2, each in its own process so peak RSS is
 * that run's alone, then times each pipeline stage on one thread to show where
 * the time goes.
 *
 * Targets (issue 2, on a 2-core machine): <= 60 s, >= 50 MB/s of raw input,
 * 2 workers >= 1.7x one, database <= 5% of raw input, peak RSS <= 1 GB.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clipTrack } from "../../src/clip.ts";
import { CLI_MAX_FILE_BYTES } from "../../src/decompress.ts";
import { fileHash } from "../../src/import/prepare.ts";
import { runImport } from "../../src/import/run.ts";
import { isSupportedName, parseFile, stripCompression } from "../../src/parse/index.ts";
import { openStore } from "../../src/store.ts";
import { buildTrack } from "../../src/track.ts";
import { ensureDataset } from "./_data.ts";

interface RunReport {
  jobs: number;
  seconds: number;
  files: number;
  imported: number;
  failed: number;
  points: number;
  dbBytes: number;
  peakRssBytes: number;
  /** Main-thread CPU inside Store.insertActivities. */
  writeSeconds: number;
  /** CPU time of all threads: on a busy machine this, not wall time, shows the parallel overhead. */
  cpuSeconds: number;
  /** CPU time of the main thread alone (planning, messages, SQLite writes). */
  mainCpuSeconds: number;
}

/** CPU time of the calling thread in ns (schedstat's first field; /proc stat files count in 10 ms steps). */
function threadCpuNs(): number {
  return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]);
}

/** utime + stime of a /proc stat file, in seconds (fields 14 and 15, in 1/100 s). */
function statCpu(path: string): number {
  const fields = readFileSync(path, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Peak resident set of this process (workers are threads, so they are included). */
function peakRss(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

/** One import in this process; prints its report as JSON for the parent. */
async function child(dir: string, jobs: number): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), "hotpot-bench-import-"));
  try {
    const dbPath = join(tmp, "bench.sqlite3");
    const store = openStore(dbPath);
    // Count the main thread's CPU inside SQLite: the one stage that cannot run in parallel.
    let writeNs = 0;
    const insert = store.insertActivities.bind(store);
    store.insertActivities = (records, options) => {
      const t = threadCpuNs();
      try {
        return insert(records, options);
      } finally {
        writeNs += threadCpuNs() - t;
      }
    };
    const s = await runImport(store, { path: dir, jobs });
    store.close();
    const dbBytes = ["", "-wal"].reduce((n, suffix) => n + (statSync(dbPath + suffix, { throwIfNoEntry: false })?.size ?? 0), 0);
    const report: RunReport = {
      jobs,
      seconds: s.seconds,
      files: s.files,
      imported: s.imported,
      failed: s.failed.length,
      points: s.points,
      dbBytes,
      peakRssBytes: peakRss(),
      writeSeconds: writeNs / 1e9,
      cpuSeconds: statCpu("/proc/self/stat"),
      mainCpuSeconds: threadCpuNs() / 1e9,
    };
    console.log(JSON.stringify(report));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function listFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).map((f) => join(dir, f)).filter((p) => statSync(p).isFile());
}

/** Raw input: every activity file's uncompressed size (a .gz counts what it holds, from its trailer). */
function rawBytes(files: string[]): number {
  let total = 0;
  for (const path of files) {
    if (!isSupportedName(path)) continue;
    const size = statSync(path).size;
    if (!path.toLowerCase().endsWith(".gz")) total += size;
    else {
      const bytes = readFileSync(path);
      total += bytes.readUInt32LE(bytes.length - 4);
    }
  }
  return total;
}

/** Single-threaded time per stage over every file, to name the stage that limits throughput. */
function stages(files: string[]): Record<string, number> {
  const ms = { read: 0, gunzip: 0, hash: 0, parse: 0, track: 0, clip: 0 };
  for (const path of files) {
    if (!isSupportedName(path)) continue;
    let t = performance.now();
    const bytes = new Uint8Array(readFileSync(path));
    let u = performance.now();
    ms.read += u - t;
    const plain = stripCompression(path, bytes, CLI_MAX_FILE_BYTES);
    t = performance.now();
    ms.gunzip += t - u;
    fileHash(plain.bytes);
    u = performance.now();
    ms.hash += u - t;
    let parsed;
    try {
      parsed = parseFile(plain.name, plain.bytes);
    } catch {
      continue;
    }
    t = performance.now();
    ms.parse += t - u;
    if ("skip" in parsed) continue;
    const built = buildTrack(parsed, { trimDist: 0 });
    u = performance.now();
    ms.track += u - t;
    if (built) clipTrack(built.track, [2, 6, 10, 14, 16], 2048);
    ms.clip += performance.now() - u;
  }
  return ms;
}

function spawnChild(dir: string, jobs: number): RunReport {
  const p = Bun.spawnSync(["bun", import.meta.path, "--child", String(jobs), dir], { stdout: "pipe", stderr: "inherit" });
  if (p.exitCode !== 0) throw new Error(`import run with ${jobs} worker(s) failed (exit ${p.exitCode})`);
  return JSON.parse(p.stdout.toString().trim().split("\n").at(-1)!) as RunReport;
}

/** A worker that only spins: how much faster two threads are than one on this machine right now. */
const SPIN = "self.onmessage = (e) => { let x = 1; for (let i = 0; i < e.data; i++) x = (x * 48271) % 2147483647; self.postMessage(x); };";

async function spinSeconds(threads: number, iterations: number): Promise<number> {
  const url = URL.createObjectURL(new Blob([SPIN], { type: "application/javascript" }));
  const workers = Array.from({ length: threads }, () => new Worker(url));
  try {
    const started = performance.now();
    await Promise.all(workers.map((w) => new Promise((done) => ((w.onmessage = done), w.postMessage(iterations / threads)))));
    return (performance.now() - started) / 1000;
  } finally {
    for (const w of workers) w.terminate();
  }
}

/**
 * The best speed-up any design could show here now: other processes on a shared machine take
 * cores, and then 2 workers cannot be 1.7x one however little they share.
 */
async function machineSpeedup(): Promise<number> {
  const iterations = 60_000_000;
  return (await spinSeconds(1, iterations)) / (await spinSeconds(2, iterations));
}

const mb = (bytes: number) => bytes / 1e6;
const check = (ok: boolean) => (ok ? "ok  " : "MISS");

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--child") return child(args[2], Number(args[1]));
  const dir = args[0] && !args[0].startsWith("--") ? args[0] : (await ensureDataset()).dir;
  if (!existsSync(dir)) {
    console.error(`${dir} does not exist (expected a folder of activity files)`);
    process.exit(1);
  }
  const files = listFiles(dir);
  const raw = rawBytes(files);
  console.log(`data: ${dir}: ${files.length} files, ${mb(raw).toFixed(0)} MB of raw (uncompressed) activity data`);

  // --runs N: alternate 1 and 2 workers N times and keep each one's fastest run, against passing load.
  const runs = Math.max(1, Number(args[args.indexOf("--runs") + 1]) || 1);
  const before = await machineSpeedup();
  let one = spawnChild(dir, 1);
  let two = spawnChild(dir, 2);
  for (let i = 1; i < runs; i++) {
    const a = spawnChild(dir, 1);
    if (a.seconds < one.seconds) one = a;
    const b = spawnChild(dir, 2);
    if (b.seconds < two.seconds) two = b;
  }
  const after = await machineSpeedup();
  for (const r of [one, two]) {
    console.log(
      `${r.jobs} worker${r.jobs > 1 ? "s" : " "}: ${r.seconds.toFixed(1).padStart(6)} s  ${(r.files / r.seconds).toFixed(0).padStart(5)} files/s  ` +
        `${(r.points / r.seconds / 1e6).toFixed(2)} M points/s  ${(mb(raw) / r.seconds).toFixed(1).padStart(6)} MB/s  ` +
        `CPU ${r.cpuSeconds.toFixed(1)} s (main thread ${r.mainCpuSeconds.toFixed(1)} s, of which ${r.writeSeconds.toFixed(1)} s writing)  peak RSS ${mb(r.peakRssBytes).toFixed(0)} MB  ` +
        `(${r.imported} imported, ${r.failed} failed)`,
    );
  }
  const speedup = one.seconds / two.seconds;
  // On two free cores: one worker's wall time is its own CPU time (the main thread has the other
  // core), two workers share both cores with the main thread.
  const cpuEstimate = (2 * (one.cpuSeconds - one.mainCpuSeconds)) / two.cpuSeconds;
  const dbShare = two.dbBytes / raw;
  const rate = mb(raw) / two.seconds;
  const rss = Math.max(one.peakRssBytes, two.peakRssBytes);
  console.log(`database: ${mb(two.dbBytes).toFixed(1)} MB = ${(100 * dbShare).toFixed(2)}% of raw input`);
  console.log("targets:");
  console.log(`  ${check(two.seconds <= 60)} whole set in ${two.seconds.toFixed(1)} s (<= 60 s)`);
  console.log(`  ${check(rate >= 50)} ${rate.toFixed(1)} MB/s (>= 50 MB/s)`);
  console.log(`  ${check(speedup >= 1.7)} 2 workers ${speedup.toFixed(2)}x one (>= 1.7x)`);
  console.log(
    `       this machine meanwhile: a pure CPU loop ran ${before.toFixed(2)}x / ${after.toFixed(2)}x faster on 2 threads (before / after); ` +
      `from CPU times, on two free cores: ${cpuEstimate.toFixed(2)}x`,
  );
  console.log(`  ${check(dbShare <= 0.05)} database ${(100 * dbShare).toFixed(2)}% of raw input (<= 5%)`);
  console.log(`  ${check(rss <= 1e9)} peak RSS ${mb(rss).toFixed(0)} MB (<= 1000 MB)`);

  const ms = stages(files);
  const total = Object.values(ms).reduce((a, b) => a + b, 0);
  console.log(`stages on one thread (${(total / 1000).toFixed(1)} s; one worker's ceiling ${(mb(raw) / (total / 1000)).toFixed(1)} MB/s):`);
  for (const [stage, t] of Object.entries(ms)) {
    console.log(`  ${stage.padEnd(7)} ${(t / 1000).toFixed(2).padStart(6)} s  ${((100 * t) / total).toFixed(0).padStart(3)}%  ${(mb(raw) / (t / 1000)).toFixed(0).padStart(6)} MB/s`);
  }
}

await main();
