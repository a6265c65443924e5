/**
 * Hostile uploads against a real server: `bun run bench safety [--points 1000000]`.
 *
 * Starts `hotpot serve --upload --workers 1` on an empty database and, while
 * a client asks for /healthz and a cached tile every 10 ms, posts:
 *   1. a 2 KB double-gzip bomb (x.gpx.gz.gz holding 1 GiB of zeros): the time
 *      until it is refused, and the server's peak RSS (VmHWM) meanwhile;
 *   2. a retracing FIT of --points records (1 Hz, up and down the same 2 km of
 *      road), the worst case for simplification: the time until it is stored.
 * For each, the worst /healthz and tile latency seen while it was processed
 * (the tile is cached, but storing the retrace moves the data version, so it
 * is drawn once more meanwhile).
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
import { writeFit } from "../../src/synth/formats.ts";
import { retraceActivity, RETRACE_START } from "../fixtures/import/synth.ts";
import { latToY, lngToX } from "../../src/tile.ts";
import { memoryOf, multipart, postUpload, probe, startServe, uploadFiles } from "../helpers/serve.ts";

const { values } = parseArgs({ options: { points: { type: "string", default: "1000000" } } });
const POINTS = Number(values.points);
const ROOT = join(import.meta.dir, "../..");

function retraceFit(points: number): Uint8Array {
  const path = join(ROOT, "tests/bench/data", `safety-retrace-${points}.fit`);
  if (existsSync(path)) return new Uint8Array(readFileSync(path));
  mkdirSync(join(ROOT, "tests/bench/data"), { recursive: true });
  console.error(`safety: writing a ${points.toLocaleString("en")}-record FIT once (${path})...`);
  const bytes = writeFit(retraceActivity(points));
  writeFileSync(path, bytes);
  return bytes;
}

const fit = retraceFit(POINTS);
const bomb = new Uint8Array(gzipSync(gzipSync(new Uint8Array(1024 * 1024 * 1024), { level: 9 }), { level: 9 }));
const dir = mkdtempSync(join(tmpdir(), "hotpot-safety-"));
const server = await startServe(["--db", join(dir, "safety.sqlite3"), "--upload", "--workers", "1", "--quiet"]);
const { base } = server;
try {
  // One small ride a degree north of the retrace, under the probed tile, so the tile is a real image
  // that storing the retrace does not change (its cache entry goes with the data version all the same).
  const ride = retraceActivity(600);
  ride.segments[0].lat = ride.segments[0].lat.map((lat) => lat + 1);
  const seed = await uploadFiles(base, [["seed.fit", writeFit(ride)]]);
  if (seed.status !== 200) throw new Error(`seed upload: ${seed.status} ${seed.body}`);
  const z = 14;
  const tile = `/tile/${z}/${Math.floor(lngToX(RETRACE_START.lng) * 2 ** z)}/${Math.floor(latToY(RETRACE_START.lat + 1.009) * 2 ** z)}`;
  await (await fetch(base + tile)).arrayBuffer();
  const paths = ["/healthz", tile];
  const baseline = memoryOf(server.pid).rss;

  // Bodies are encoded before the probes start: the latencies are the server's alone.
  const bombUpload = await multipart([["x.gpx.gz.gz", bomb]]);
  // Gzipped, as a phone app would send it: the FIT itself is over the default 15 MB upload limit.
  const fitUpload = await multipart([["retrace.fit.gz", new Uint8Array(gzipSync(fit))]]);

  let probing = probe(base, paths);
  const refused = await postUpload(base, bombUpload);
  const { worst } = await probing.stop();
  const afterBomb = memoryOf(server.pid);
  if (refused.status !== 422 || !refused.body.includes("unpacks to more than")) throw new Error(`bomb: ${refused.status} ${refused.body}`);

  probing = probe(base, paths);
  const stored = await postUpload(base, fitUpload);
  const { worst: worstFit } = await probing.stop();
  if (stored.status !== 200 || !stored.body.includes('"added"')) throw new Error(`retrace: ${stored.status} ${stored.body}`);
  await Bun.sleep(500);
  const afterFit = memoryOf(server.pid);

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
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
