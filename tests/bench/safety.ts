/**
 * Hostile uploads against a real server: `bun run bench safety [--points 1000000]`.
 *
 * Starts `hotpot serve --upload --workers 1` on an empty database and, while
 * a client asks for /healthz and a cached tile every 10 ms, posts:
 *   1. a 2 KB double-gzip bomb (x.gpx.gz.gz holding 1 GiB of zeros): the time
 *      until it is refused, and the server's peak RSS (VmHWM) meanwhile;
 *   2. a retracing FIT of --points records (1 Hz, up and down the same 2 km of
 *      road), the worst case for simplification: the time until it is stored.
 * For each, the worst /healthz and tile latency seen while it was processed.
 * The FIT is generated once with @garmin/fitsdk and kept under
 * tests/bench/data/ (about 40 s for a million records).
 *
 * Targets (issue 13): bomb refused in under 2 s with peak RSS under 300 MB;
 * 1 M-point retrace stored in under 10 s; /healthz never over 100 ms.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { writeFit, type SynthActivity } from "../../src/synth/formats.ts";
import { latToY, lngToX } from "../../src/tile.ts";

const { values } = parseArgs({ options: { points: { type: "string", default: "1000000" } } });
const POINTS = Number(values.points);
const ROOT = join(import.meta.dir, "../..");
const START = { lat: 47.37, lng: 8.54 };

/** Up and down 2 km of road at about 3 m/s, one point a second, with a little GPS noise. */
function retrace(points: number): SynthActivity {
  const lat = new Array<number>(points);
  const lon = new Array<number>(points);
  const ele = new Array<number>(points);
  const time = new Array<number>(points);
  const start = Date.UTC(2025, 5, 1, 6);
  const leg = 700; // points per 2 km leg
  for (let i = 0; i < points; i++) {
    const k = i % (2 * leg);
    const along = (k < leg ? k : 2 * leg - k) / leg;
    lat[i] = START.lat + along * 0.018 + Math.sin(i * 12.9898) * 0.00002;
    lon[i] = START.lng + Math.cos(i * 78.233) * 0.00002;
    ele[i] = 400 + along * 50;
    time[i] = start + i * 1000;
  }
  return { title: "retrace", type: "running", startTime: start, segments: [{ lat, lon, ele, time }] };
}

function retraceFit(points: number): Uint8Array {
  const path = join(ROOT, "tests/bench/data", `safety-retrace-${points}.fit`);
  if (existsSync(path)) return new Uint8Array(readFileSync(path));
  mkdirSync(join(ROOT, "tests/bench/data"), { recursive: true });
  console.error(`safety: writing a ${points.toLocaleString("en")}-record FIT once (${path})...`);
  const bytes = writeFit(retrace(points));
  writeFileSync(path, bytes);
  return bytes;
}

/** The server process's resident set now and at its peak, in MB (Linux /proc). */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/** Asks for `paths` in turn every 10 ms until stopped; the worst latency per path. */
function prober(base: string, paths: string[]) {
  const worst = new Map(paths.map((p) => [p, 0]));
  let running = true;
  const done = (async () => {
    while (running) {
      for (const path of paths) {
        const t = performance.now();
        const res = await fetch(base + path);
        await res.arrayBuffer();
        if (res.status >= 400) throw new Error(`${path}: ${res.status}`);
        worst.set(path, Math.max(worst.get(path)!, performance.now() - t));
      }
      await Bun.sleep(10);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return worst;
    },
  };
}

async function upload(base: string, name: string, bytes: Uint8Array): Promise<{ ms: number; status: number; body: string }> {
  const form = new FormData();
  form.append("file", new File([bytes as BlobPart], name));
  const t = performance.now();
  const res = await fetch(`${base}/upload`, { method: "POST", body: form });
  const body = await res.text();
  return { ms: performance.now() - t, status: res.status, body };
}

const fit = retraceFit(POINTS);
const bomb = new Uint8Array(gzipSync(gzipSync(new Uint8Array(1024 * 1024 * 1024), { level: 9 }), { level: 9 }));
const dir = mkdtempSync(join(tmpdir(), "hotpot-safety-"));
const env = { ...process.env } as Record<string, string>;
delete env.HOTPOT_UPLOAD_TOKEN;
delete env.HOTPOT_READ_TOKEN;
const server = Bun.spawn(["bun", join(ROOT, "src/cli.ts"), "serve", "--db", join(dir, "safety.sqlite3"), "--upload", "--workers", "1", "--port", "0", "--quiet"], {
  env,
  stdout: "pipe",
  stderr: "inherit",
});
try {
  const reader = server.stdout.getReader();
  let out = "";
  while (!/http:\/\/\S+\//.test(out)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server exited: ${out}`);
    out += new TextDecoder().decode(value);
  }
  const base = /(http:\/\/\S+?)\/(\s|$)/.exec(out)![1];
  // One small ride under the probed tile, so the tile is a real cached image.
  const ride = retrace(600);
  const seed = await upload(base, "seed.fit", writeFit(ride));
  if (seed.status !== 200) throw new Error(`seed upload: ${seed.status} ${seed.body}`);
  const z = 14;
  const tile = `/tile/${z}/${Math.floor(lngToX(START.lng) * 2 ** z)}/${Math.floor(latToY(START.lat + 0.009) * 2 ** z)}`;
  await (await fetch(base + tile)).arrayBuffer();
  const paths = ["/healthz", tile];
  const baseline = memory(server.pid).rss;

  let probe = prober(base, paths);
  const refused = await upload(base, "x.gpx.gz.gz", bomb);
  let worst = await probe.stop();
  const afterBomb = memory(server.pid);
  if (refused.status !== 422 || !refused.body.includes("unpacks to more than")) throw new Error(`bomb: ${refused.status} ${refused.body}`);

  probe = prober(base, paths);
  const stored = await upload(base, "retrace.fit", fit);
  const worstFit = await probe.stop();
  if (stored.status !== 200 || !stored.body.includes('"added"')) throw new Error(`retrace: ${stored.status} ${stored.body}`);
  await Bun.sleep(500);
  const afterFit = memory(server.pid);

  const ms = (n: number) => `${n.toFixed(0)} ms`;
  const load = loadavg()[0].toFixed(2);
  console.log(`safety (one server process, load average ${load} on ${navigator.hardwareConcurrency} cores; RSS before ${baseline.toFixed(0)} MB)`);
  console.log(
    `  ${(bomb.byteLength / 1024).toFixed(1)} KB double-gzip bomb (1 GiB inside): refused in ${ms(refused.ms)}, peak RSS ${afterBomb.peak.toFixed(0)} MB, ` +
      `RSS after ${afterBomb.rss.toFixed(0)} MB; worst /healthz ${ms(worst.get("/healthz")!)}, cached tile ${ms(worst.get(tile)!)}`,
  );
  console.log(
    `  ${POINTS.toLocaleString("en")}-point retracing FIT (${(fit.byteLength / 1024 / 1024).toFixed(1)} MB): stored in ${ms(stored.ms)}, peak RSS ${afterFit.peak.toFixed(0)} MB, ` +
      `RSS after ${afterFit.rss.toFixed(0)} MB; worst /healthz ${ms(worstFit.get("/healthz")!)}, cached tile ${ms(worstFit.get(tile)!)}`,
  );
  console.log("  targets: bomb < 2 s and < 300 MB; 1 M points < 10 s; /healthz <= 100 ms");
} finally {
  server.kill();
  await server.exited;
  rmSync(dir, { recursive: true, force: true });
}
