/** scripts/build.ts: finding the worker scripts that must become entrypoints of the executable, and compressing the page's assets. */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { precompress, workerEntrypoints } from "../../scripts/build.ts";
import { FILES } from "../../src/server/page.ts";
import { REPO } from "./ship-dockerfile.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A src/ folder holding `files` (path → text). */
function srcWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "hotpot-build-"));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const start = (name: string) => `const w = new Worker(new URL("./${name}", import.meta.url));\n`;

describe("workerEntrypoints", () => {
  test("finds the export, import, pyramid, tile-render and strip-render workers of the project", () => {
    const found = workerEntrypoints(join(REPO, "src")).map((p) => relative(REPO, p));
    expect(found).toEqual(["src/count-pyramid-worker.ts", "src/export/export-worker.ts", "src/import/worker.ts", "src/server/render-worker.ts", "src/server/tile-helper-worker.ts", "src/strip-worker.ts"]);
  });

  test.each([
    ["one worker, with a comment mentioning new Worker(", { "a/run.ts": `/** new Worker(...) here */\n// new Worker(x)\n${start("job.ts")}` }, ["a/job.ts"]],
    ["a worker started from a subfolder's parent", { "run.ts": start("b/job.ts"), "c/more.ts": start("../d/other.ts") }, ["b/job.ts", "d/other.ts"]],
    ["the same worker started twice", { "a.ts": start("job.ts"), "b.ts": start("job.ts") }, ["job.ts"]],
    ["a worker given a thread name", { "a.ts": 'new Worker(new URL("./job.ts", import.meta.url), { name: "job" });\n' }, ["job.ts"]],
    ["no workers", { "a.ts": "export const x = 1;\n" }, []],
  ])("%s", (_, files, expected) => {
    const src = srcWith(files);
    expect(workerEntrypoints(src).map((p) => relative(src, p))).toEqual(expected);
  });

  test.each([
    ["a worker started by a plain path", { "a/run.ts": 'new Worker("./job.ts");\n' }, /a\/run\.ts: expected every worker started as new Worker\(new URL/],
    ["two workers with one file name", { "a/run.ts": start("job.ts"), "b/run.ts": start("job.ts") }, /workers .*a\/job\.ts and .*b\/job\.ts share a file name/],
  ])("refuses %s", (_, files, message) => {
    const src = srcWith(files);
    expect(() => workerEntrypoints(src)).toThrow(message);
  });
});

describe("precompress", () => {
  test("writes brotli and gzip beside each other for every text asset worth it, each unpacking to the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "hotpot-pre-"));
    dirs.push(dir);
    const { files, bytes, packed } = precompress(join(dir, "pre"));
    expect(files).toBeGreaterThan(5);
    expect(packed).toBeLessThan(bytes / 3);
    for (const path of ["vendor/maplibre-gl.mjs", "js/main.js", "index.html", "style.css"]) {
      const source = readFileSync(FILES.get(path)!);
      expect(brotliDecompressSync(readFileSync(join(dir, "pre", `${path}.br`))).equals(source)).toBe(true);
      expect(gunzipSync(readFileSync(join(dir, "pre", `${path}.gz`))).equals(source)).toBe(true);
    }
    // Too small to gain: favicon.svg is under a kilobyte.
    expect(existsSync(join(dir, "pre", "favicon.svg.br"))).toBe(false);
    // Brotli's best quality takes seconds for MapLibre, more on a busy machine.
  }, 60_000);
});
