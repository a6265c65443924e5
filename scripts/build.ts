/**
 * Builds dist/hotpot: one executable holding the CLI, the server, the workers
 * and the page with its assets. The page's files and MapLibre are embedded by
 * their `with { type: "file" }` imports (src/server/page-files.ts,
 * src/server/vendor.ts). No native module is left to embed: images are drawn
 * into count buffers and encoded in TypeScript (src/raster.ts, src/encode.ts).
 *
 * The page's text files are also compressed here, brotli at its best quality
 * and gzip, into dist/precompressed/ and embedded as assets, so the server
 * sends them compressed without spending CPU on it (src/server/static.ts).
 *
 * Workers are the subtle part. Bun compiles each worker as an entrypoint of
 * its own, and code asks for it with `new Worker(new URL("./x.ts",
 * import.meta.url))`. Once bundled, import.meta.url is the CLI's place inside
 * the executable, /$bunfs/root/cli.js, not the source file's folder. So every
 * entrypoint is written flat into that root ([name].[ext]), where each
 * worker's relative URL finds it, and worker file names must be unique.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { FILES, PRECOMPRESSED_DIR } from "../src/server/page.ts";

const root = resolve(import.meta.dir, "..");
const outfile = join(root, "dist/hotpot");

/** `new Worker(new URL("./x.ts", import.meta.url))`, options such as the thread's `{ name }` allowed after it: the one form a worker may be started in. */
const WORKER_URL = /new Worker\(\s*new URL\(\s*"(\.\/[^"]+)",\s*import\.meta\.url\s*\)\s*(?:,\s*\{[^}]*\}\s*)?\)/g;

/** Every worker script under src/, found where it is started, so a new worker cannot be left out. */
export function workerEntrypoints(srcDir: string): string[] {
  const shown = (path: string) => relative(dirname(srcDir), path);
  const found = new Set<string>();
  for (const name of readdirSync(srcDir, { recursive: true, encoding: "utf8" })) {
    if (!name.endsWith(".ts")) continue;
    const file = join(srcDir, name);
    // Comments may mention workers; only code starts them.
    const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    const starts = text.split("new Worker(").length - 1;
    const matches = [...text.matchAll(WORKER_URL)];
    if (matches.length !== starts) {
      throw new Error(`${shown(file)}: expected every worker started as new Worker(new URL("./name.ts", import.meta.url)), found ${starts - matches.length} other`);
    }
    for (const m of matches) found.add(resolve(srcDir, name, "..", m[1]));
  }
  const workers = [...found].sort();
  const byName = new Map<string, string>();
  for (const path of workers) {
    const other = byName.get(basename(path));
    if (other) throw new Error(`workers ${shown(other)} and ${shown(path)} share a file name; they would collide in the executable`);
    byName.set(basename(path), path);
  }
  return workers;
}

/** The commit baked into `--version`: the executable has no .git to ask (CI and Docker pass HOTPOT_GIT_SHA). */
function gitSha(): string {
  if (process.env.HOTPOT_GIT_SHA !== undefined) return process.env.HOTPOT_GIT_SHA;
  const r = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: root, stderr: "ignore" });
  return r.exitCode === 0 ? r.stdout.toString().trim() : "";
}

/** Files worth compressing (other images are compressed already), and the size below which headers outweigh the gain. */
const COMPRESSIBLE = /\.(html|css|js|mjs|svg|json)$/;
const MIN_COMPRESS_BYTES = 1024;

/** Writes `<dir>/<path>.br` and `.gz` for every compressible page asset; returns how many files and bytes. */
export function precompress(dir: string): { files: number; bytes: number; packed: number } {
  rmSync(dir, { recursive: true, force: true });
  let [files, bytes, packed] = [0, 0, 0];
  for (const [path, source] of FILES) {
    const data = readFileSync(source);
    if (!COMPRESSIBLE.test(path) || data.byteLength < MIN_COMPRESS_BYTES) continue;
    const br = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: data.byteLength } });
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, `${path}.br`), br);
    writeFileSync(join(dir, `${path}.gz`), gzipSync(data, { level: 9 }));
    files++;
    bytes += data.byteLength;
    packed += br.byteLength;
  }
  return { files, bytes, packed };
}

if (import.meta.main) {
  const sha = gitSha();
  const workers = workerEntrypoints(join(root, "src"));
  mkdirSync(join(root, "dist"), { recursive: true });
  // Assets are embedded under their path relative to the working folder; the server looks them up beside its code.
  process.chdir(root);
  const packed = precompress(join(root, PRECOMPRESSED_DIR));
  const result = await Bun.build({
    entrypoints: [join(root, "src/cli.ts"), ...workers],
    compile: { outfile, assets: [PRECOMPRESSED_DIR] },
    naming: { entry: "[name].[ext]" },
    minify: true,
    sourcemap: "none",
    define: { HOTPOT_GIT_SHA: JSON.stringify(sha) },
  });
  if (!result.success) {
    for (const log of result.logs) console.error(log);
    process.exit(1);
  }
  const size = (statSync(outfile).size / 1e6).toFixed(1);
  console.log(`built ${relative(process.cwd(), outfile) || outfile} (${size} MB${sha ? `, ${sha}` : ""}; workers: ${workers.map((w) => basename(w)).join(", ")})`);
  console.log(`page assets precompressed: ${packed.files} files, ${(packed.bytes / 1e6).toFixed(2)} MB → ${(packed.packed / 1e6).toFixed(2)} MB (brotli)`);
}
