/**
 * Parser throughput (MB/s of file bytes and points/s) on about 20 MB each of
 * generated GPX, TCX and FIT, on one core.
 *
 * The FIT input is ten copies of one file chained, because the FIT SDK's
 * encoder writes only ~25,000 records/s. Each input is parsed through
 * parseFile five times and the best run is reported. When the benchmark data
 * set exists (`bun run bench generate`), every file in it is parsed once too,
 * with totals per format (.gz counted at its compressed size, gunzip included).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseFile } from "../../src/parse/index.ts";
import { exampleActivity, writeFit, writeGpx, writeTcx } from "../../src/synth/formats.ts";
import type { ParseResult } from "../../src/types.ts";
import { DATA_ROOT } from "./_data.ts";

const RUNS = 5;

const points = (r: ParseResult) => ("skip" in r ? 0 : r.segments.reduce((n, s) => n + s.lat.length, 0));

function line(label: string, bytes: number, ms: number, count: number, note: string): string {
  const mb = bytes / 1e6;
  return `${label.padEnd(12)} ${mb.toFixed(1).padStart(7)} MB ${(mb / (ms / 1000)).toFixed(0).padStart(5)} MB/s ` +
    `${(count / ms / 1000).toFixed(2).padStart(6)} M points/s  ${note}`;
}

function chain(file: Uint8Array, copies: number): Uint8Array {
  const out = new Uint8Array(file.length * copies);
  for (let k = 0; k < copies; k++) out.set(file, k * file.length);
  return out;
}

const encoder = new TextEncoder();
const inputs: [string, Uint8Array][] = [
  ["bench.gpx", encoder.encode(writeGpx(exampleActivity({ points: 100_000, segments: 2 })))],
  ["bench.tcx", encoder.encode(writeTcx(exampleActivity({ points: 50_000, segments: 2 })))],
  ["bench.fit", chain(writeFit(exampleActivity({ points: 120_000 })), 10)],
];

console.log("generated inputs:");
for (const [name, bytes] of inputs) {
  let best = Infinity;
  let count = 0;
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const result = parseFile(name, bytes);
    best = Math.min(best, performance.now() - started);
    count = points(result);
  }
  console.log(line(name, bytes.length, best, count, `(best of ${RUNS}: ${best.toFixed(0)} ms)`));
}

const activities = join(DATA_ROOT, "export", "activities");
if (existsSync(activities)) {
  console.log(`\ndata set ${activities}:`);
  const totals = new Map<string, { files: number; bytes: number; ms: number; points: number }>();
  for (const name of readdirSync(activities).sort()) {
    const bytes = new Uint8Array(readFileSync(join(activities, name)));
    const started = performance.now();
    const result = parseFile(name, bytes);
    const ms = performance.now() - started;
    const format = name.slice(name.indexOf(".") + 1);
    const t = totals.get(format) ?? { files: 0, bytes: 0, ms: 0, points: 0 };
    t.files++;
    t.bytes += bytes.length;
    t.ms += ms;
    t.points += points(result);
    totals.set(format, t);
  }
  const all = { files: 0, bytes: 0, ms: 0, points: 0 };
  for (const [format, t] of [...totals].sort()) {
    console.log(line(format, t.bytes, t.ms, t.points, `(${t.files} files)`));
    all.files += t.files;
    all.bytes += t.bytes;
    all.ms += t.ms;
    all.points += t.points;
  }
  console.log(line("all", all.bytes, all.ms, all.points, `(${all.files} files)`));
}
