/**
 * Builds dist/hotpot: one executable holding the CLI, the server, the workers,
 * the page with its assets and the native canvas module. The page's files and
 * MapLibre are embedded by their `with { type: "file" }` imports
 * (src/server/page-files.ts, src/server/vendor.ts); the canvas module's .node
 * file is embedded by the bundler on its own.
 *
 * Workers are the subtle part. Bun compiles each worker as an entrypoint of
 * its own, and code asks for it with `new Worker(new URL("./x.ts",
 * import.meta.url))`. Once bundled, import.meta.url is the CLI's place inside
 * the executable, /$bunfs/root/cli.js, not the source file's folder. So every
 * entrypoint is written flat into that root ([name].[ext]), where each
 * worker's relative URL finds it, and worker file names must be unique.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
const outfile = join(root, "dist/hotpot");

/** `new Worker(new URL("./x.ts", import.meta.url))`: the one form a worker may be started in. */
const WORKER_URL = /new Worker\(\s*new URL\(\s*"(\.\/[^"]+)",\s*import\.meta\.url\s*\)\s*\)/g;

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

if (import.meta.main) {
  const sha = gitSha();
  const workers = workerEntrypoints(join(root, "src"));
  mkdirSync(join(root, "dist"), { recursive: true });
  const result = await Bun.build({
    entrypoints: [join(root, "src/cli.ts"), ...workers],
    compile: { outfile },
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
}
