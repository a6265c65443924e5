/**
 * Generates the synthetic benchmark data set (skipped when it exists with the same parameters).
 *
 *   bun run bench generate [--km 100000] [--seed 1] [--out tests/bench/data]
 *
 * Prints the generation time, the files per format and the realism figures
 * (distance and speed per type, sampling intervals, shared roads).
 */
import { relative } from "node:path";
import { parseArgs } from "node:util";
import type { DatasetSummary } from "../../src/synth/generate.ts";
import { DATA_ROOT, DEFAULT_DATASET, ensureDataset } from "./_data.ts";

const { values } = parseArgs({
  options: {
    km: { type: "string", default: String(DEFAULT_DATASET.km) },
    seed: { type: "string", default: String(DEFAULT_DATASET.seed) },
    out: { type: "string", default: relative(process.cwd(), DATA_ROOT) },
  },
});
const km = Number(values.km);
const seed = Number(values.seed);
if (!(km > 0) || !Number.isInteger(seed)) {
  console.error(`bench generate: --km must be a positive number and --seed an integer, found --km ${values.km} --seed ${values.seed}`);
  process.exit(1);
}

let lastReport = 0;
const progress = (done: number, target: number) => {
  const now = performance.now();
  if (now - lastReport < 2000) return;
  lastReport = now;
  console.error(`  ${Math.round(done).toLocaleString("en")} / ${target.toLocaleString("en")} km`);
};
const { dir, manifest, generated } = await ensureDataset({ seed, km, root: values.out, onProgress: progress });
const s = manifest.summary;
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

console.log(generated ? `Generated in ${manifest.seconds} s: ${dir}` : `Already there (made in ${manifest.seconds} s on ${manifest.createdAt}): ${dir}`);
console.log(
  `seed ${seed}, ${s.totalKm.toLocaleString("en")} km of ${km.toLocaleString("en")} asked, ${s.files} files, ` +
    `${s.points.toLocaleString("en")} points, ${mb(s.rawBytes)} MB raw, ${mb(s.diskBytes)} MB on disk; ` +
    `activities.csv: ${s.rows} rows (${s.manual} manual, ${s.missing} with a missing file)`,
);
console.table(formatTable(s));
console.log("Per activity type (all CSV rows with a track, including the missing file):");
console.table(s.realism.byType);
console.log("km per region:", s.realism.kmByRegion);
console.log("Sampling intervals (s → count):", s.realism.intervals);
console.log("Share of distance on roads that at least N activities use:", s.realism.shared);

function formatTable(summary: DatasetSummary) {
  const rows: Record<string, Record<string, number | string>> = {};
  for (const [format, f] of Object.entries(summary.byFormat)) {
    rows[format] = { files: f.files, gz: f.gz, km: f.km, points: f.points, "raw MB": mb(f.rawBytes), "disk MB": mb(f.diskBytes) };
  }
  return rows;
}
