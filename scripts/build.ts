/**
 * Builds dist/hotpot: one executable holding the CLI, the server, the import
 * worker, the page with its assets and the native canvas module.
 */
import { mkdirSync, statSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
const outfile = `${root}dist/hotpot`;
mkdirSync(`${root}dist`, { recursive: true });

// The executable has no .git to ask, so the commit is baked in (CI and Docker pass HOTPOT_GIT_SHA).
const sha =
  process.env.HOTPOT_GIT_SHA ??
  (() => {
    const r = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: root, stderr: "ignore" });
    return r.exitCode === 0 ? r.stdout.toString().trim() : "";
  })();

const result = await Bun.build({
  entrypoints: [`${root}src/cli.ts`, `${root}src/import/worker.ts`],
  compile: { outfile },
  minify: true,
  sourcemap: "none",
  define: { HOTPOT_GIT_SHA: JSON.stringify(sha) },
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
console.log(`built ${outfile} (${(statSync(outfile).size / 1e6).toFixed(1)} MB${sha ? `, ${sha}` : ""})`);
