/**
 * The heat away from the server, in Debian's Chromium: `hotpot export-site`
 * served by a plain static file server (with range requests, as object
 * storage answers them), where MapLibre draws the PMTiles archive through
 * the vendored pmtiles library; and the live page's "Download for offline
 * use", whose command is run as shown.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import type { Browser } from "playwright-core";
import { latToY, lngToX } from "../../src/tile.ts";
import { countColour, decodePng, launch, openPage, outsideRequests, screenshotPath, type Rgb } from "./browser.ts";
import { CROSSING, fixtureDatabase, ON_A_ONLY } from "../helpers/fixture.ts";
import { startPageSession } from "./session.ts";

setDefaultTimeout(60_000);

const ROOT = join(import.meta.dir, "../..");
const VIEWPORT = { width: 1280, height: 800 };
const VIEW = { zoom: 14, ...CROSSING };
/** Orange, the default gradient's colour for a count of 1. */
const ORANGE: Rgb = [252, 74, 26];
const BLUE: Rgb = [0, 0, 255];

let dir: string;
let db: ReturnType<typeof fixtureDatabase>;
let browser: Browser;
let site: ReturnType<typeof Bun.serve>;
/** Range headers the static server was asked for, by path. */
const ranges: { path: string; range: string | null }[] = [];

async function hotpot(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn(["bun", "src/cli.ts", ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/** A static host: files of `root`, `/` is index.html, `Range: bytes=a-b` answered with 206. */
function staticServer(root: string) {
  return Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const path = decodeURIComponent(new URL(request.url).pathname);
      const file = Bun.file(join(root, normalize(path === "/" ? "/index.html" : path)));
      if (!(await file.exists())) return new Response("not found", { status: 404 });
      const range = request.headers.get("range");
      ranges.push({ path, range });
      const m = range && /^bytes=(\d+)-(\d+)$/.exec(range);
      if (!m) return new Response(file);
      const start = Number(m[1]);
      const end = Math.min(Number(m[2]), file.size - 1);
      return new Response(file.slice(start, end + 1), {
        status: 206,
        headers: { "Content-Range": `bytes ${start}-${end}/${file.size}`, "Content-Type": "application/octet-stream" },
      });
    },
  });
}

/** Where a point is on screen in the test view. */
function toScreen(lat: number, lng: number): { x: number; y: number } {
  const scale = 512 * 2 ** VIEW.zoom;
  return {
    x: Math.round(VIEWPORT.width / 2 + (lngToX(lng) - lngToX(VIEW.lng)) * scale),
    y: Math.round(VIEWPORT.height / 2 + (latToY(lat) - latToY(VIEW.lat)) * scale),
  };
}

/** A strip of screen across track A, clear of the crossing. */
const aStrip = () => ({ x: toScreen(ON_A_ONLY.lat, ON_A_ONLY.lng).x - 150, y: toScreen(ON_A_ONLY.lat, ON_A_ONLY.lng).y - 3, w: 300, h: 7 });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hotpot-offline-"));
  db = fixtureDatabase();
  const made = await hotpot("export-site", join(dir, "site"), "--db", db.path, "--zooms", "8-15");
  expect(made.stderr).toBe("");
  expect(made.code).toBe(0);
  // A second archive in other colours, for ?pmtiles=.
  expect((await hotpot("export", join(dir, "site", "blue.pmtiles"), "--db", db.path, "--zooms", "8-15", "-g", "1:0000FF;255:0000FF")).code).toBe(0);
  site = staticServer(join(dir, "site"));
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  site?.stop(true);
  db?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe("a static site from `hotpot export-site`", () => {
  test("has the page, the libraries and the archive, and nothing that needs a server", () => {
    for (const path of ["index.html", "static/js/main.js", "static/js/offline.js", "static/vendor/maplibre-gl.mjs", "static/vendor/pmtiles.js", "heatmap.pmtiles"]) {
      expect([path, existsSync(join(dir, "site", path))]).toEqual([path, true]);
    }
  });

  test("MapLibre draws the PMTiles archive's heat, read with range requests, asking no server", async () => {
    const origin = `http://127.0.0.1:${site.port}`;
    const watched = await openPage(browser, { viewport: VIEWPORT, deviceScaleFactor: 1 });
    try {
      const { page } = watched;
      await page.goto(`${origin}/#map=${VIEW.zoom}/${VIEW.lat}/${VIEW.lng}&basemap=none`);
      await page.waitForSelector("html[data-ready]");
      await page.waitForSelector('#map[aria-busy="false"]', { timeout: 15_000 });
      const px = await decodePng(await page.screenshot({ path: screenshotPath("offline-site") }));
      expect(countColour(px, aStrip(), ORANGE)).toBeGreaterThan(100);
      // Between the tracks the map stays empty.
      expect(countColour(px, { x: 800, y: 550, w: 300, h: 100 }, ORANGE, 80)).toBe(0);
      const archiveReads = ranges.filter((r) => r.path === "/heatmap.pmtiles");
      expect(archiveReads.length).toBeGreaterThan(1);
      expect(archiveReads.every((r) => r.range !== null)).toBe(true);
      expect(watched.requests.filter((u) => u.includes("/api/") || u.includes("/tile/"))).toEqual([]);
      // Only what still applies: the basemap and the opacity, not dates, filter or colours.
      expect(await page.isVisible("#basemap")).toBe(true);
      expect(await page.isVisible("#opacity")).toBe(true);
      expect(await page.isHidden("#filter")).toBe(true);
      expect(await page.isHidden("#after")).toBe(true);
      expect(watched.errors).toEqual([]);
      expect(outsideRequests(watched.requests, origin)).toEqual([]);
    } finally {
      await watched.close();
    }
  });

  test("?pmtiles=URL shows another archive", async () => {
    const origin = `http://127.0.0.1:${site.port}`;
    const watched = await openPage(browser, { viewport: VIEWPORT, deviceScaleFactor: 1 });
    try {
      const { page } = watched;
      await page.goto(`${origin}/?pmtiles=blue.pmtiles#map=${VIEW.zoom}/${VIEW.lat}/${VIEW.lng}&basemap=none`);
      await page.waitForSelector("html[data-ready]");
      await page.waitForSelector('#map[aria-busy="false"]', { timeout: 15_000 });
      const px = await decodePng(await page.screenshot());
      expect(countColour(px, aStrip(), BLUE)).toBeGreaterThan(100);
      expect(countColour(px, aStrip(), ORANGE)).toBe(0);
      expect(watched.errors).toEqual([]);
    } finally {
      await watched.close();
    }
  });
});

describe("Download for offline use", () => {
  test("shows the export command for the page's settings, and that command works", async () => {
    const session = await startPageSession({}, { viewport: VIEWPORT, deviceScaleFactor: 1 });
    try {
      const { page } = session.watched;
      await page.goto(`${session.server.origin}/#map=${VIEW.zoom}/${VIEW.lat}/${VIEW.lng}&basemap=none&filter=activity_type%20%3D%20ride&color=magma`);
      await page.waitForSelector("html[data-ready]");
      await page.click("#offline-open");
      // Without --render the server cannot write it: only the command is offered.
      expect(await page.isHidden("#offline-run")).toBe(true);
      await page.selectOption("#offline-format", { label: "PMTiles: a static website, object storage, a CDN" });
      await page.check("#offline-view");
      const command = await page.inputValue("#offline-command");
      expect(command).toStartWith("hotpot export heatmap.pmtiles --zooms 2-16 --bounds ");
      expect(command).toContain("-f 'activity_type = ride' --color magma");
      // Run as shown (with this test's database, in a scratch folder).
      const out = join(dir, "from-page");
      const shell = Bun.spawn(["sh", "-c", `mkdir -p ${out} && cd ${out} && ${command.replace(/^hotpot/, `bun ${join(ROOT, "src/cli.ts")}`)} --db ${db.path}`], {
        stdout: "pipe",
        stderr: "pipe",
      });
      expect(await shell.exited).toBe(0);
      expect(await new Response(shell.stdout).text()).toMatch(/heatmap\.pmtiles: [1-9]\d* tiles/);
    } finally {
      await session.close();
    }
  });

  test("with --render the server writes the view's archive, with progress and a download link", async () => {
    const session = await startPageSession({ render: true }, { viewport: VIEWPORT, deviceScaleFactor: 1 });
    try {
      const { page } = session.watched;
      await page.goto(`${session.server.origin}/#map=${VIEW.zoom}/${VIEW.lat}/${VIEW.lng}&basemap=none`);
      await page.waitForSelector("html[data-ready]");
      await page.click("#offline-open");
      await page.fill("#offline-zooms", "10-15");
      await page.click("#offline-run");
      const link = await page.waitForSelector("#offline-link:not([hidden])", { timeout: 30_000 });
      expect(await page.textContent("#offline-status")).toMatch(/^[1-9]\d* tiles, [\d.]+ MB$/);
      const href = (await link.getAttribute("href"))!;
      expect(href).toMatch(/^\/exports\/[0-9a-f-]{36}\/heatmap\.mbtiles$/);
      const download = await fetch(`${session.server.origin}${href}`);
      expect(download.status).toBe(200);
      // An MBTiles file is SQLite.
      expect(new TextDecoder().decode((await download.bytes()).subarray(0, 15))).toBe("SQLite format 3");
      expect(session.watched.errors).toEqual([]);
    } finally {
      await session.close();
    }
  });
});
