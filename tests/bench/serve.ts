/**
 * HTTP serving speed: `bun run bench serve [--db PATH] [--duration 10] [--seed 1] [--workers 2] [--cpus N] [--only PARTS]`.
 * With --cpus the servers (hotpot, nginx, bare Bun) run on N cores and the load generator on the rest.
 *
 * `hotpot serve` on the benchmark database (tests/bench/_data.ts), server and
 * load generator on 127.0.0.1, request log on (to /dev/null):
 *   1. uncached tiles: the render benchmark's 2,000-request session
 *      (tests/bench/_tiles.ts) walked by 32 connections against a server
 *      without a tile cache (--cache-mb 0), so every request renders: tiles/s.
 *      Walked twice: on the fresh server (whose first renders also pay for
 *      compiling the renderer) and again once it runs warm, as the render
 *      benchmark measures and as a server that has been up for a while runs;
 *   2. cached tiles: `wrk -t2 -c32` cycling over 200 tiles of that session
 *      once they are in both processes' caches: requests/s and p99 latency,
 *      and one hot tile for the best case;
 *   3. for reference in the same run: nginx serving one of those tiles as a
 *      static file, and a bare Bun.serve answering the same bytes (what
 *      Elysia, routing, the ETag and the cache cost on top of Bun);
 *   4. memory of all server processes after 10,000 mixed requests (tiles of
 *      all sizes and formats, filters, API calls, a few /render) on a fresh
 *      server, with --workers processes and with one (what a one-CPU machine
 *      such as Fly.io's smallest runs); PSS, which counts pages the processes
 *      share once, beside RSS;
 *   5. bulk upload: 200 files of the benchmark export posted by a script
 *      into an empty database: files/s.
 *
 * Targets (issue 4): cached >= 38,000 req/s (half of nginx on the reference
 * machine), uncached >= 400 tiles/s, RSS <= 200 MB. The walks use Bun's
 * fetch rather than wrk, which cannot stop after a list nor time it; at a few
 * hundred renders a second the client's cost does not matter.
 */
import type { Subprocess } from "bun";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openStore } from "../../src/store.ts";
import { listeners } from "../helpers/sockets.ts";
import { waitUntil } from "../helpers/wait.ts";
import { ensureBenchDb } from "./_data.ts";
import { sampleSession } from "./_tiles.ts";
import { Random } from "../../src/synth/random.ts";

const REPO = join(import.meta.dir, "..", "..");
const CONNECTIONS = 32;
const SESSION_REQUESTS = 2000;
const CACHED_SET = 200;
const MIXED_REQUESTS = 10_000;
const UPLOAD_FILES = 200;
/** Under the server's 15 MB default limit, with room for the multipart framing. */
const UPLOAD_BATCH_BYTES = 14 * 1024 * 1024;

const { values: args } = parseArgs({
  options: {
    db: { type: "string" },
    duration: { type: "string", default: "10" },
    seed: { type: "string", default: "1" },
    workers: { type: "string", default: "2" },
    /** Pin the server processes to this many cores (taskset), the load generator to the others: a one-core host is --workers 1 --cpus 1. */
    cpus: { type: "string" },
    /** Comma-separated parts to run: uncached, cached, references, memory, upload (default all). */
    only: { type: "string", default: "uncached,cached,references,memory,upload" },
  },
});
const PARTS = new Set(args.only!.split(","));
const DURATION = Number(args.duration);
const SEED = Number(args.seed);
const WORKERS = Number(args.workers);
const CPUS = args.cpus === undefined ? null : Number(args.cpus);
/** A server's command line, pinned to the server's cores when --cpus is given: hotpot and the references alike. */
const onServerCores = (argv: string[]) => (CPUS === null ? argv : ["taskset", "-c", `0-${CPUS - 1}`, ...argv]);
const work = mkdtempSync(join(tmpdir(), "hotpot-bench-serve-"));

async function freePort(): Promise<number> {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port!;
  await probe.stop(true);
  return port;
}

interface Server {
  base: string;
  proc: Subprocess;
}

/** `hotpot serve --workers N` with its request log going to /dev/null, once all N processes listen. */
async function startHotpot(db: string, { workers = WORKERS, extra = [], env = {} }: { workers?: number; extra?: string[]; env?: Record<string, string> } = {}): Promise<Server> {
  const port = await freePort();
  const proc = Bun.spawn(onServerCores(["bun", join(REPO, "src/cli.ts"), "serve", "--db", db, "--port", String(port), "--workers", String(workers), ...extra]), {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  // The primary starts its peers once it listens itself; a run before they all listen measures fewer processes.
  await waitUntil(() => proc.exitCode !== null || listeners(port) === workers, { what: `${workers} server processes listening at ${base}`, timeoutMs: 15_000 });
  if (proc.exitCode !== null) throw new Error(`the server at ${base} exited with code ${proc.exitCode}`);
  return { base, proc };
}

async function stopServer(server: Server): Promise<void> {
  server.proc.kill("SIGTERM");
  const code = await server.proc.exited;
  if (code !== 0) throw new Error(`the server exited with code ${code} on SIGTERM`);
}

/**
 * Memory of a process and its children, in MB. RSS counts pages shared
 * between them (the bun executable, the canvas library) once per process;
 * PSS splits them, so its sum is what the machine (or a container's memory
 * limit) actually holds.
 */
function memoryMb(pid: number): { rss: number[]; pss: number[] } {
  const pids = [pid, ...readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number)];
  const field = (file: string, name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(readFileSync(file, "utf8"))![1]) / 1024;
  return { rss: pids.map((p) => field(`/proc/${p}/status`, "VmRSS")), pss: pids.map((p) => field(`/proc/${p}/smaps_rollup`, "Pss")) };
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Requests each path once over `connections` concurrent clients; wall time and statuses. */
async function walk(base: string, paths: string[], connections = CONNECTIONS): Promise<{ seconds: number; statuses: Map<number, number>; errors: number }> {
  const statuses = new Map<number, number>();
  let errors = 0;
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < paths.length) {
        const path = paths[next++];
        try {
          const r = await fetch(`${base}${path}`);
          await r.arrayBuffer();
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        } catch (e) {
          // The first failure is printed: a count alone does not say whether the server fell over.
          if (errors++ === 0) console.error(`bench: ${path}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }),
  );
  return { seconds: (performance.now() - start) / 1000, statuses, errors };
}

interface WrkResult {
  rps: number;
  p50: string;
  p99: string;
  non2xx: number;
}

/** `wrk -t2 -c32 --latency`, optionally cycling over a list of paths. */
async function wrk(url: string, seconds: number, paths?: string[]): Promise<WrkResult> {
  const argv = ["wrk", "-t2", `-c${CONNECTIONS}`, `-d${seconds}s`, "--latency"];
  if (paths) {
    const list = join(work, `paths-${Bun.hash(paths.join()).toString(36)}.txt`);
    writeFileSync(list, `${paths.join("\n")}\n`);
    const script = join(work, "cycle.lua");
    writeFileSync(
      script,
      `-- Each connection cycles over the list from its own starting point. The requests are
-- formatted once here: formatting one per request costs the client CPU the server shares.
local requests = {}
local i = 0
function init(args)
  for line in io.lines(args[1]) do requests[#requests + 1] = wrk.format("GET", line) end
  i = math.random(#requests)
end
function request()
  i = i % #requests + 1
  return requests[i]
end
`,
    );
    argv.push("-s", script, url, "--", list);
  } else {
    argv.push(url);
  }
  const proc = Bun.spawn(argv, { stdout: "pipe", stderr: "inherit" });
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error(`wrk failed:\n${out}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p50 = /\s50%\s+(\S+)/.exec(out)?.[1] ?? "?";
  const p99 = /\s99%\s+(\S+)/.exec(out)?.[1] ?? "?";
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  return { rps, p50, p99, non2xx };
}

/** nginx (Debian) serving one file, as many workers as our processes, no access log. */
async function startNginx(file: Uint8Array): Promise<{ url: string; stop: () => Promise<void> }> {
  const root = join(work, "nginx");
  Bun.spawnSync(["mkdir", "-p", join(root, "www"), join(root, "tmp")]);
  // Started as root, nginx serves from workers running as another user (nobody, www-data): let them through the private work folder, or every answer is 403.
  chmodSync(work, 0o711);
  writeFileSync(join(root, "www/tile.png"), file);
  const port = await freePort();
  const conf = join(root, "nginx.conf");
  writeFileSync(
    conf,
    `worker_processes ${WORKERS};
daemon off;
pid ${root}/nginx.pid;
error_log ${root}/error.log;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path ${root}/tmp; proxy_temp_path ${root}/tmp; fastcgi_temp_path ${root}/tmp; uwsgi_temp_path ${root}/tmp; scgi_temp_path ${root}/tmp;
  server { listen 127.0.0.1:${port}; root ${root}/www; }
}
`,
  );
  const proc = Bun.spawn(onServerCores(["/usr/sbin/nginx", "-c", conf, "-p", root]), { stdio: ["ignore", "ignore", "inherit"] });
  const url = `http://127.0.0.1:${port}/tile.png`;
  await waitUntil(() => fetch(url).then((r) => r.ok, () => false), { what: `nginx answering at ${url}` });
  return {
    url,
    stop: async () => {
      proc.kill("SIGQUIT");
      await proc.exited;
    },
  };
}

/** Bare Bun.serve in two processes answering one tile's bytes with the same headers, built the fastest way (a Blob and a Headers object made once). */
async function startBareBun(file: Uint8Array): Promise<{ url: string; stop: () => Promise<void> }> {
  const bytesPath = join(work, "bare.png");
  writeFileSync(bytesPath, file);
  const script = join(work, "bare.ts");
  const port = await freePort();
  writeFileSync(
    script,
    `const body = new Blob([await Bun.file(${JSON.stringify(bytesPath)}).arrayBuffer()]);
const headers = new Headers({ "Content-Type": "image/png", "Cache-Control": "public, max-age=0, stale-while-revalidate=86400", ETag: '"x"', Vary: "Accept", "Content-Length": String(body.size) });
Bun.serve({ hostname: "127.0.0.1", port: ${port}, reusePort: true, fetch: () => new Response(body, { headers }) });
`,
  );
  const procs = Array.from({ length: WORKERS }, () => Bun.spawn(onServerCores(["bun", script]), { stdio: ["ignore", "ignore", "inherit"] }));
  const url = `http://127.0.0.1:${port}/tile/1/2/3`;
  await waitUntil(() => listeners(port) === WORKERS, { what: `${WORKERS} bare Bun.serve processes listening at ${url}` });
  return {
    url,
    stop: async () => {
      for (const p of procs) p.kill();
      await Promise.all(procs.map((p) => p.exited));
    },
  };
}

/** The mixed load of the memory measurement: mostly tiles of every kind, some API calls, a few exports. */
function mixedPaths(session: string[], count: number): string[] {
  const random = new Random(SEED + 1);
  const rand = () => random.next();
  const pick = () => session[random.int(session.length)];
  const kinds: [number, () => string][] = [
    [0.55, pick],
    [0.1, () => `${pick()}@2x`],
    [0.1, () => `${pick()}.webp`],
    [0.05, () => `${pick()}@small`],
    [0.06, () => `${pick()}?after=2022-01-01`],
    [0.04, () => `${pick()}?filter=${encodeURIComponent('activity_type = "ride"')}&color=ice`],
    [0.03, () => "/api/activity-count?after=2023-01-01"],
    [0.02, () => `/api/activities?limit=100&offset=${Math.floor(rand() * 4000)}`],
    [0.01, () => "/api/properties"],
    [0.02, () => "/healthz"],
    [0.015, () => "/api/bounds"],
    [0.003, () => "/render?bounds=-0.2,51.4,0.1,51.6&width=1024&height=768"],
  ];
  const total = kinds.reduce((a, [w]) => a + w, 0);
  return Array.from({ length: count }, () => {
    let r = rand() * total;
    for (const [w, make] of kinds) if ((r -= w) < 0) return make();
    return pick();
  });
}

/** The first `count` files of the export, in batches that fit one request each. */
function uploadBatches(exportDir: string, count: number): { files: File[]; bytes: number }[] {
  const dir = join(exportDir, "activities");
  const names = readdirSync(dir).sort().slice(0, count);
  const batches: { files: File[]; bytes: number }[] = [];
  for (const name of names) {
    const bytes = readFileSync(join(dir, name));
    let last = batches[batches.length - 1];
    if (!last || last.bytes + bytes.byteLength > UPLOAD_BATCH_BYTES) batches.push((last = { files: [], bytes: 0 }));
    last.files.push(new File([bytes], name));
    last.bytes += bytes.byteLength;
  }
  return batches;
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const statusText = (m: Map<number, number>) => [...m].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(", ");

async function main(): Promise<void> {
  const bench = args.db ? { db: args.db, dir: join(import.meta.dir, "data/export") } : await ensureBenchDb();
  const store = openStore(bench.db, { mustExist: true, readonly: true });
  const activities = store.activityCount();
  const session = sampleSession(store, SESSION_REQUESTS, SEED);
  const distinct = [...new Set(session.map((t) => `/tile/${t.z}/${t.x}/${t.y}`))];
  store.close();
  const cores = cpus().length;
  if (CPUS !== null) {
    if (!(Number.isInteger(CPUS) && CPUS >= 1 && CPUS < cores)) throw new Error(`bench: --cpus expects 1 to ${cores - 1} (a core must stay for the load generator), found ${args.cpus}`);
    // The load generator (this process, wrk) on the cores the server does not have.
    Bun.spawnSync(["taskset", "-a", "-cp", `${CPUS}-${cores - 1}`, String(process.pid)], { stdout: "ignore" });
  }
  const pinned = CPUS === null ? "" : ` pinned to ${CPUS} of ${cores} cores`;
  console.log(`serve benchmark on ${bench.db} (${activities} activities, ${(statSync(bench.db).size / 1e6).toFixed(0)} MB), ${WORKERS} server processes${pinned}, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);

  const summary: string[] = [];
  const pass = (ok: boolean) => (ok ? "ok" : "MISSED");
  // The median-sized of the first 200 non-empty tiles: what the references serve.
  let typical = new Uint8Array(0);

  if (PARTS.has("uncached")) {
    const server = await startHotpot(bench.db, { extra: ["--cache-mb", "0"] });
    const paths = session.map((t) => `/tile/${t.z}/${t.x}/${t.y}`);
    let rate = 0;
    for (const label of ["fresh server", "warm"]) {
      const walked = await walk(server.base, paths);
      rate = paths.length / walked.seconds;
      console.log(`uncached, ${label}: ${paths.length} tile requests (${distinct.length} distinct) in ${walked.seconds.toFixed(2)} s = ${fmt(rate)} tiles/s (${statusText(walked.statuses)}; ${walked.errors} errors)`);
    }
    summary.push(`uncached tiles   ${fmt(rate).padStart(9)} tiles/s   target >= 400: ${pass(rate >= 400)}  (warm; the fresh server's first walk is printed above)`);
    await stopServer(server);
  }

  let cachedRps = 0;
  if (PARTS.has("cached") || PARTS.has("references")) {
    const server = await startHotpot(bench.db);
    const sizes = new Map<string, number>();
    for (const path of distinct) {
      if (sizes.size >= CACHED_SET) break;
      const r = await fetch(`${server.base}${path}`);
      const bytes = (await r.arrayBuffer()).byteLength;
      if (r.status === 200) sizes.set(path, bytes);
    }
    const sorted = [...sizes.entries()].sort((a, b) => a[1] - b[1]);
    const typicalPath = sorted[Math.floor(sorted.length / 2)][0];
    typical = new Uint8Array(await (await fetch(`${server.base}${typicalPath}`)).arrayBuffer());
    if (PARTS.has("cached")) {
      const cachedSet = [...sizes.keys()];
      await wrk(server.base, 3, cachedSet); // warm both processes' caches
      const cached = await wrk(server.base, DURATION, cachedSet);
      const hot = await wrk(`${server.base}${typicalPath}`, DURATION);
      cachedRps = cached.rps;
      console.log(`cached (${cachedSet.length} tiles, median ${fmt(typical.byteLength)} B): ${fmt(cached.rps)} req/s, p50 ${cached.p50}, p99 ${cached.p99} (${cached.non2xx} non-2xx)`);
      console.log(`one hot tile: ${fmt(hot.rps)} req/s, p50 ${hot.p50}, p99 ${hot.p99}`);
      summary.push(`cached tiles     ${fmt(cached.rps).padStart(9)} req/s     p99 ${cached.p99}   target >= 38,000: ${pass(cached.rps >= 38_000)}`);
    }
    await stopServer(server);
  }

  if (PARTS.has("references")) {
    const nginx = await startNginx(typical);
    const nginxRun = await wrk(nginx.url, DURATION);
    await nginx.stop();
    const bare = await startBareBun(typical);
    const bareRun = await wrk(bare.url, DURATION);
    await bare.stop();
    console.log(`nginx, one static ${fmt(typical.byteLength)} B PNG: ${fmt(nginxRun.rps)} req/s, p99 ${nginxRun.p99}`);
    console.log(`bare Bun.serve, same bytes and headers: ${fmt(bareRun.rps)} req/s, p99 ${bareRun.p99}`);
    if (cachedRps > 0) {
      summary.push(
        `  = ${((cachedRps / nginxRun.rps) * 100).toFixed(0)}% of nginx (${fmt(nginxRun.rps)} req/s; target >= 50%: ${pass(cachedRps >= nginxRun.rps / 2)}), ${((cachedRps / bareRun.rps) * 100).toFixed(0)}% of bare Bun.serve (${fmt(bareRun.rps)} req/s)`,
      );
    }
  }

  if (PARTS.has("memory")) {
    // Fresh servers with every feature a user would switch on: as here, and as on a one-CPU machine
    // (Fly.io's smallest), where --workers defaults to one process.
    for (const workers of [...new Set([WORKERS, 1])]) {
      const server = await startHotpot(bench.db, { workers, extra: ["--render", "--upload"], env: { HOTPOT_UPLOAD_TOKEN: "bench-token" } });
      const mixed = await walk(server.base, mixedPaths(distinct, MIXED_REQUESTS));
      const memory = memoryMb(server.proc.pid);
      const each = (xs: number[]) => `${sum(xs).toFixed(0)} MB (${xs.map((m) => m.toFixed(0)).join(" + ")})`;
      console.log(
        `memory, ${workers} process${workers > 1 ? "es" : ""}, after ${fmt(MIXED_REQUESTS)} mixed requests in ${mixed.seconds.toFixed(1)} s (${statusText(mixed.statuses)}; ${mixed.errors} errors): ` +
          `RSS ${each(memory.rss)}, PSS ${each(memory.pss)}`,
      );
      summary.push(
        `memory, ${workers} proc  ${sum(memory.pss).toFixed(0).padStart(9)} MB PSS  (RSS sum ${sum(memory.rss).toFixed(0)} MB counts shared pages per process)   target <= 200: ${pass(sum(memory.pss) <= 200)}`,
      );
      await stopServer(server);
    }
  }

  if (PARTS.has("upload")) {
    const uploadDb = join(work, "upload.sqlite3");
    const server = await startHotpot(uploadDb, { extra: ["--upload"], env: { HOTPOT_UPLOAD_TOKEN: "bench-token" } });
    const batches = uploadBatches(bench.dir, UPLOAD_FILES);
    const outcome = new Map<string, number>();
    const start = performance.now();
    for (const batch of batches) {
      const form = new FormData();
      for (const f of batch.files) form.append("file", f);
      const r = await fetch(`${server.base}/upload`, { method: "POST", body: form, headers: { Authorization: "Bearer bench-token" } });
      const body = (await r.json()) as { files: { status: string }[] };
      for (const f of body.files) outcome.set(f.status, (outcome.get(f.status) ?? 0) + 1);
    }
    const seconds = (performance.now() - start) / 1000;
    const megabytes = batches.reduce((a, b) => a + b.bytes, 0) / 1e6;
    console.log(
      `bulk upload: ${UPLOAD_FILES} files (${megabytes.toFixed(1)} MB) in ${batches.length} requests, ${seconds.toFixed(2)} s = ${fmt(UPLOAD_FILES / seconds, 1)} files/s (${[...outcome].map(([k, n]) => `${k}: ${n}`).join(", ")})`,
    );
    summary.push(`bulk upload      ${fmt(UPLOAD_FILES / seconds, 1).padStart(9)} files/s`);
    await stopServer(server);
  }

  summary.push(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(" ")} (the machine is shared: compare with nginx in the same run)`);
  console.log(`\n${summary.join("\n")}`);
}

try {
  await main();
} finally {
  rmSync(work, { recursive: true, force: true });
}
