/**
 * The executable end to end. The Dockerfile's build stage runs as a script in
 * a copy of the repository (no Docker engine here) and its executable is then
 * used from an empty folder, with no Bun on the PATH and no node_modules in
 * reach: import the fixtures in worker threads, render a tile, serve the page,
 * its assets, tiles and /render, and run the demo. One build serves all.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, brotliDecompressSync, constants } from "node:zlib";
import { parseFile } from "../../src/parse/index.ts";
import { PAGE_FILES } from "../../src/server/page-files.ts";
import { VENDOR_FILES } from "../../src/server/vendor.ts";
import { latToY, lngToX } from "../../src/tile.ts";
import { readDockerfile, REPO, runStage } from "./ship-dockerfile.ts";

const SHA = "e2e0sha";
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const root = mkdtempSync(join(tmpdir(), "hotpot-ship-"));
/** Holds the executable and nothing else; the only folder on the PATH. */
const bin = join(root, "bin");
/** Where the commands run: the activity files and the database, nothing more. */
const work = join(root, "work");
/** The demo's TMPDIR, to see that it leaves nothing behind. */
const demoTmp = join(root, "tmp");
const exe = join(bin, "hotpot");
const env = { PATH: bin, HOME: work, TMPDIR: demoTmp, LANG: "C.UTF-8" };

beforeAll(() => {
  const build = join(root, "build");
  const stage = readDockerfile().find((s) => s.name === "build");
  if (!stage) throw new Error("Dockerfile: expected a stage named build");
  runStage(stage, build, { HOTPOT_GIT_SHA: SHA });
  for (const dir of [bin, work, demoTmp]) mkdirSync(dir);
  copyFileSync(join(build, "dist/hotpot"), exe);
  // node_modules alone is 150 MB; the executable must not need it anyway.
  rmSync(build, { recursive: true, force: true });
  cpSync(join(REPO, "tests/fixtures/activities"), join(work, "activities"), { recursive: true });
}, 180_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(...args: string[]): { code: number; out: string } {
  const r = Bun.spawnSync([exe, ...args], { cwd: work, env, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, out: r.stdout.toString() + r.stderr.toString() };
}

/** The tile at zoom z holding the first point of a fixture track. */
function fixtureTile(z: number): string {
  const name = "sample.gpx";
  const parsed = parseFile(name, new Uint8Array(readFileSync(join(REPO, "tests/fixtures/activities", name))));
  if ("skip" in parsed) throw new Error(`${name}: skipped (${parsed.skip})`);
  const { lat, lon } = parsed.segments[0];
  return tileAt(z, lon[0], lat[0]);
}

function tileAt(z: number, lng: number, lat: number): string {
  const n = 2 ** z;
  return `${z}/${Math.floor(lngToX(lng) * n)}/${Math.floor(latToY(lat) * n)}`;
}

/** Starts a long-running command and waits for the line saying where it serves; the rest of its output is drained. */
async function start(args: string[]): Promise<{ proc: Subprocess<"ignore", "pipe", "pipe">; url: string; db: string; output: () => string }> {
  const proc = Bun.spawn([exe, ...args], { cwd: work, env, stdout: "pipe", stderr: "pipe" });
  let text = "";
  const errors = new Response(proc.stderr).text();
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  const deadline = Date.now() + 30_000;
  let match: RegExpExecArray | null = null;
  while (!match && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    match = /serving (\S+) at (http:\/\/\S+\/)/.exec(text);
  }
  if (!match) {
    proc.kill();
    throw new Error(`${args.join(" ")}: no "serving ... at" line; output:\n${text}${await errors}`);
  }
  (async () => {
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value, { stream: true });
  })();
  return { proc, url: match[2], db: match[1], output: () => text };
}

async function stop(proc: Subprocess): Promise<number> {
  proc.kill("SIGTERM");
  return await proc.exited;
}

async function expectPng(response: Response): Promise<void> {
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("image/png");
  expect([...new Uint8Array(await response.arrayBuffer()).subarray(0, 8)]).toEqual(PNG);
}

describe("the executable built by the Dockerfile's steps", () => {
  test("tells its version and the commit it was built from", () => {
    expect(run("--version")).toEqual({ code: 0, out: `hotpot 0.1.0 (${SHA})\n` });
  });

  test("imports the fixtures in worker threads", () => {
    const r = run("--db", "hotpot.sqlite3", "import", "activities", "--jobs", "2");
    expect(r.code).toBe(0);
    expect(r.out).toContain("Imported 3 activities from 5 files");
    // Only the truncated file fails; a worker the executable cannot start would fail every file.
    expect(r.out).toContain("Failed: 1 file");
    expect(r.out).toContain("activities/corrupted.gpx: expected </trkseg>");
  });

  test("renders a tile with the embedded canvas module", () => {
    const r = run("--db", "hotpot.sqlite3", "tile", fixtureTile(12), "-o", "tile.png");
    expect(r.code).toBe(0);
    expect(r.out).not.toContain("empty");
    expect([...readFileSync(join(work, "tile.png")).subarray(0, 8)]).toEqual(PNG);
  });

  test("exports a tile archive on its worker threads", () => {
    const r = run("--db", "hotpot.sqlite3", "export", "heat.pmtiles", "--zooms", "8-14", "--jobs", "2");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/heat\.pmtiles: [1-9]\d* tiles, zooms 8-14/);
  });

  test("writes a static site with the page and libraries it embeds", () => {
    const r = run("--db", "hotpot.sqlite3", "export-site", "site", "--zooms", "8-12");
    expect(r.code).toBe(0);
    for (const path of ["index.html", "static/js/offline.js", "static/vendor/maplibre-gl.mjs", "static/vendor/pmtiles.js", "heatmap.pmtiles"]) {
      expect([path, statSync(join(work, "site", path)).size > 0]).toEqual([path, true]);
    }
  });

  test("serves health, tiles, /render, the page and every asset", async () => {
    const { proc, url } = await start(["--db", "hotpot.sqlite3", "serve", "--port", "0", "--workers", "1", "--render", "--quiet"]);
    try {
      expect(await (await fetch(`${url}healthz`)).json()).toMatchObject({ status: "ok", activities: 3 });
      await expectPng(await fetch(`${url}tile/${fixtureTile(12)}.png`));
      // A render worker, an entrypoint of its own in the executable, draws this one.
      await expectPng(await fetch(`${url}render?bounds=-180,-80,180,80&width=300&height=200`));

      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toStartWith("text/html");
      // The page as written, its /static/ references pointing at the content-hashed folder.
      const html = await page.text();
      const hash = /"\/static\/(h-[0-9a-f]{12})\//.exec(html)?.[1];
      expect(hash).toBeDefined();
      expect(html.replaceAll(`"/static/${hash}/`, '"/static/')).toBe(readFileSync(PAGE_FILES["index.html"], "utf8"));
      const assets = [...Object.entries(PAGE_FILES), ...Object.entries(VENDOR_FILES).map(([name, path]) => [`vendor/${name}`, path])];
      expect(assets.length).toBeGreaterThan(5);
      // The build compressed MapLibre at brotli's best, which the server does not spend CPU on.
      const lib = readFileSync(VENDOR_FILES["maplibre-gl.mjs"]);
      const packed = await fetch(`${url}static/${hash}/vendor/maplibre-gl.mjs`, { headers: { "Accept-Encoding": "br" }, decompress: false });
      expect(packed.headers.get("content-encoding")).toBe("br");
      const packedBytes = new Uint8Array(await packed.arrayBuffer());
      expect(Buffer.from(brotliDecompressSync(packedBytes)).equals(lib)).toBe(true);
      expect(packedBytes.byteLength).toBeLessThan(brotliCompressSync(lib, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }).byteLength);
      // Under both names, compressed where that pays (fetch unpacks it).
      for (const [name, source] of assets) {
        for (const path of [`static/${name}`, `static/${hash}/${name}`]) {
          const response = await fetch(`${url}${path}`);
          expect({ path, status: response.status }).toEqual({ path, status: 200 });
          expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(source))).toBe(true);
        }
      }
    } finally {
      expect(await stop(proc)).toBe(0);
    }
  });

  test("demo serves a few hundred generated activities and removes its database on exit", async () => {
    const { proc, url, db, output } = await start(["demo", "-p", "0"]);
    let code: number | null = null;
    try {
      expect(output()).toMatch(/hotpot demo: \d+ generated activities/);
      expect(db.startsWith(demoTmp)).toBe(true);
      const health = (await (await fetch(`${url}healthz`)).json()) as { activities: number };
      expect(health.activities).toBeGreaterThan(200);
      expect(health.activities).toBeLessThan(400);

      const { activities } = (await (await fetch(`${url}api/activities?limit=1`)).json()) as { activities: { key: string }[] };
      const track = (await (await fetch(`${url}api/activities/${encodeURIComponent(activities[0].key)}.geojson`)).json()) as {
        geometry: { type: string; coordinates: number[][] | number[][][] };
      };
      const first = (track.geometry.type === "MultiLineString" ? (track.geometry.coordinates as number[][][])[0] : (track.geometry.coordinates as number[][]))[0];
      await expectPng(await fetch(`${url}tile/${tileAt(12, first[0], first[1])}`));
    } finally {
      code = await stop(proc);
    }
    expect(code).toBe(0);
    expect(existsSync(db)).toBe(false);
    expect(readdirSync(demoTmp).filter((f) => f.startsWith("hotpot-demo-"))).toEqual([]);
  });
});
