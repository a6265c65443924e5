/**
 * The benchmark data, shared by every benchmark: the synthetic Strava-like
 * export and the database imported from it, each made once and reused while
 * its inputs are unchanged.
 *
 *   tests/bench/data/            (gitignored)
 *     manifest.json              parameters and summary of the export below
 *     export/activities.csv
 *     export/activities/<id>.gpx|.tcx|.fit[.gz]
 *     bench.sqlite3              `hotpot import export/`
 *     bench.sqlite3.json         what bench.sqlite3 was imported from
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { generateDataset, GENERATOR_VERSION, type DatasetSummary } from "../../src/synth/generate.ts";

export const DATA_ROOT = join(import.meta.dir, "data");
const REPO = join(import.meta.dir, "..", "..");

/** The data set every benchmark uses unless told otherwise. */
export const DEFAULT_DATASET = { seed: 1, km: 100_000 } as const;

export interface DatasetManifest {
  generator: number;
  seed: number;
  km: number;
  /** Wall time of the generation (s). */
  seconds: number;
  createdAt: string;
  summary: DatasetSummary;
}

export interface DatasetOptions {
  seed?: number;
  km?: number;
  /** Data root (default tests/bench/data); the export goes to <root>/export. */
  root?: string;
  /** Called while generating, with the km done so far. */
  onProgress?: (km: number, targetKm: number) => void;
}

function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return null;
  }
}

/**
 * The export folder and its manifest, generating it first when it is missing
 * or was made with other parameters or an older generator. The export is
 * written beside and renamed into place, so an interrupted run never looks
 * complete.
 */
export async function ensureDataset(options: DatasetOptions = {}): Promise<{ dir: string; manifest: DatasetManifest; generated: boolean }> {
  const seed = options.seed ?? DEFAULT_DATASET.seed;
  const km = options.km ?? DEFAULT_DATASET.km;
  const root = options.root ?? DATA_ROOT;
  const dir = join(root, "export");
  const manifestPath = join(root, "manifest.json");
  const existing = readJson<DatasetManifest>(manifestPath);
  if (existing && existing.generator === GENERATOR_VERSION && existing.seed === seed && existing.km === km && existsSync(dir)) {
    return { dir, manifest: existing, generated: false };
  }
  rmSync(manifestPath, { force: true });
  rmSync(dir, { recursive: true, force: true });
  const partial = join(root, "export.partial");
  rmSync(partial, { recursive: true, force: true });
  const started = performance.now();
  const summary = await generateDataset({ seed, targetKm: km, outDir: partial, onProgress: options.onProgress });
  const manifest: DatasetManifest = {
    generator: GENERATOR_VERSION,
    seed,
    km,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    createdAt: new Date().toISOString(),
    summary,
  };
  renameSync(partial, dir);
  await Bun.write(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
  return { dir, manifest, generated: true };
}

/** Source files whose change can change what an import stores. */
const IMPORT_SOURCES = ["src/parse", "src/import", "src/track.ts", "src/clip.ts", "src/codec.ts", "src/store.ts", "src/store", "src/tile.ts", "src/types.ts"];

function importFingerprint(manifest: DatasetManifest): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify({ generator: manifest.generator, seed: manifest.seed, km: manifest.km, createdAt: manifest.createdAt }));
  const files: string[] = [];
  const walk = (path: string) => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) for (const entry of readdirSync(path).sort()) walk(join(path, entry));
    else files.push(path);
  };
  for (const source of IMPORT_SOURCES) walk(join(REPO, source));
  for (const file of files) hash.update(relative(REPO, file)).update(readFileSync(file));
  return hash.digest("hex");
}

/**
 * The benchmark database: `hotpot import` of the data set (default: the
 * default one) into <root>/bench.sqlite3, redone when the data set or the importing
 * code changed since, or when an earlier import did not finish (the stamp
 * file is written only after a successful import).
 */
export async function ensureBenchDb(
  options: DatasetOptions = {},
): Promise<{ db: string; dir: string; manifest: DatasetManifest; imported: boolean }> {
  const { dir, manifest } = await ensureDataset(options);
  const db = join(options.root ?? DATA_ROOT, "bench.sqlite3");
  const stampPath = `${db}.json`;
  const fingerprint = importFingerprint(manifest);
  if (existsSync(db) && readJson<{ fingerprint: string }>(stampPath)?.fingerprint === fingerprint) {
    return { db, dir, manifest, imported: false };
  }
  for (const path of [stampPath, db, `${db}-wal`, `${db}-shm`]) rmSync(path, { force: true });
  console.error(`bench: importing ${relative(process.cwd(), dir)} into ${relative(process.cwd(), db)} ...`);
  const child = Bun.spawn(["bun", join(REPO, "src/cli.ts"), "import", dir, "--db", db], {
    cwd: REPO,
    stdio: ["ignore", "inherit", "inherit"],
  });
  const code = await child.exited;
  if (code !== 0) throw new Error(`bench: "hotpot import ${dir} --db ${db}" exited with code ${code}`);
  await Bun.write(stampPath, JSON.stringify({ fingerprint, importedAt: new Date().toISOString() }) + "\n");
  return { db, dir, manifest, imported: true };
}
