/**
 * Cold start of the map page: `bun run bench page [--ref REV] [--runs 3] [--db PATH]`.
 *
 * `hotpot serve` on the benchmark database (tests/bench/_data.ts), one
 * process, no tile cache (every tile is rendered, as on a fresh server), and
 * Debian's Chromium opening `/#basemap=none` (a first visit: the page picks
 * the view) in a fresh browser context each run, so nothing is cached:
 *   - desktop: 1440 x 900 at 1x, the loopback network as it is;
 *   - phone: 390 x 844 at 3x, touch, and CDP network emulation of a 9 Mbit/s
 *     link with 60 ms latency (download and upload).
 * Reported per profile, median over the runs: time to the first heat tile
 * (its response finished), time until the map is idle with every visible
 * tile drawn, and the bytes the page transferred until then.
 *
 * `--ref REV` measures another revision of hotpot instead (e.g. the commit
 * before a change, for a before/after comparison): its tree is exported with
 * `git archive` to a temporary folder sharing this checkout's node_modules.
 */
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Browser } from "playwright-core";
import { launch } from "../browser/browser.ts";
import { startServer } from "../helpers/server.ts";
import { ensureBenchDb } from "./_data.ts";

const REPO = join(import.meta.dir, "..", "..");
/** 9 Mbit/s in bytes per second, and the round-trip latency CDP adds to every request. */
const PHONE_NETWORK = { offline: false, latency: 60, downloadThroughput: 9_000_000 / 8, uploadThroughput: 9_000_000 / 8 };

const { values: args } = parseArgs({
  options: {
    ref: { type: "string" },
    runs: { type: "string", default: "3" },
    db: { type: "string" },
  },
});

interface Profile {
  name: string;
  context: Parameters<Browser["newContext"]>[0];
  network: typeof PHONE_NETWORK | null;
}

const PROFILES: Profile[] = [
  { name: "desktop 1440x900", context: { viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 }, network: null },
  { name: "phone 390x844 @3x, 9 Mbit/s, 60 ms", context: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true }, network: PHONE_NETWORK },
];

interface Load {
  firstTileMs: number;
  allTilesMs: number;
  bytes: number;
  tiles: number;
}

/** One cold load: a new context (empty cache), the page, until the map is idle. */
async function coldLoad(browser: Browser, origin: string, profile: Profile): Promise<Load> {
  const context = await browser.newContext(profile.context);
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    if (profile.network) await cdp.send("Network.emulateNetworkConditions", profile.network);
    let bytes = 0;
    cdp.on("Network.loadingFinished", (e: { encodedDataLength: number }) => (bytes += e.encodedDataLength));
    let firstTile = 0;
    let tiles = 0;
    const start = performance.now();
    page.on("requestfinished", async (r) => {
      if (!r.url().includes("/tile/")) return;
      if ((await r.response())?.status() !== 200) return;
      tiles++;
      firstTile ||= performance.now() - start;
    });
    await page.goto(`${origin}/#basemap=none`, { timeout: 120_000 });
    await page.waitForSelector("html[data-ready]", { timeout: 120_000 });
    // Idle: no tile loading, every visible one drawn (the page sets aria-busy from MapLibre's events).
    await page.waitForFunction(() => document.querySelector("#map")?.getAttribute("aria-busy") === "false", undefined, { timeout: 120_000, polling: 20 });
    const allTiles = performance.now() - start;
    return { firstTileMs: firstTile, allTilesMs: allTiles, bytes, tiles };
  } finally {
    await context.close();
  }
}

/** The CLI of another revision, exported to a temporary folder; `cleanup` removes it. */
function exportRevision(ref: string): { cli: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "hotpot-ref-"));
  const archive = Bun.spawnSync(["sh", "-c", `git -C '${REPO}' archive '${ref}' | tar -x -C '${dir}'`], { stderr: "pipe" });
  if (archive.exitCode !== 0) throw new Error(`bench: could not export ${ref}: ${archive.stderr.toString().trim()}`);
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"));
  return { cli: join(dir, "src/cli.ts"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];

const runs = Number(args.runs);
const db = args.db ?? (await ensureBenchDb()).db;
const revision = args.ref ? exportRevision(args.ref) : null;
const server = await startServer(db, { cli: revision?.cli, cacheMb: 0 });
const browser = await launch();
try {
  const label = args.ref ?? "this checkout";
  console.log(`page cold load, ${label}, ${runs} runs each (median):`);
  console.log("| profile | first heat tile | all visible tiles | transferred | heat tiles |");
  console.log("|---|---|---|---|---|");
  for (const profile of PROFILES) {
    const loads: Load[] = [];
    for (let i = 0; i < runs; i++) loads.push(await coldLoad(browser, server.origin, profile));
    const ms = (xs: number[]) => `${Math.round(median(xs))} ms`;
    console.log(
      `| ${profile.name} | ${ms(loads.map((l) => l.firstTileMs))} | ${ms(loads.map((l) => l.allTilesMs))} | ${(median(loads.map((l) => l.bytes)) / 1e6).toFixed(2)} MB | ${median(loads.map((l) => l.tiles))} |`,
    );
  }
} finally {
  await browser.close();
  await server.stop();
  revision?.cleanup();
}
