/**
 * The map page in Debian's Chromium against a real `hotpot serve` on the
 * fixture database (three straight tracks around Zurich, see
 * tests/helpers/fixture.ts). Screenshots go to tests/artifacts/.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { latToY, lngToX } from "../../src/tile.ts";
import { countColour, decodePng, openPage, outsideRequests, screenshotPath, type Pixels, type Rgb, type WatchedPage } from "./browser.ts";
import { CROSSING, ON_A_ONLY } from "../helpers/fixture.ts";
import type { RunningServer } from "../helpers/server.ts";
import { pagePerTest, startPageSession, type PageSession } from "./session.ts";

const VIEWPORT = { width: 1280, height: 800 };
/** Centred on the crossing of tracks A (east-west) and B (north-south). */
const VIEW = { zoom: 14, ...CROSSING };
const HASH = `#map=${VIEW.zoom}/${VIEW.lat}/${VIEW.lng}&basemap=none`;

/** Orange, the default gradient's colour for a count of 1. */
const ORANGE: Rgb = [252, 74, 26];
const BLUE: Rgb = [0, 0, 255];
/** The highlighted track. */
const TRACK_BLUE: Rgb = [26, 124, 255];

// A browser step waits on tiles from a real server; the whole file still runs in well under a minute.
setDefaultTimeout(30_000);

let session: PageSession;
let server: RunningServer;
let browser: Browser;
let watched: WatchedPage;
let page: Page;

beforeAll(async () => {
  session = await startPageSession({}, { viewport: VIEWPORT, deviceScaleFactor: 1, colorScheme: "light" });
  ({ server, browser } = session);
});

afterAll(() => session?.close());

const currentPage = pagePerTest(() => session);
beforeEach(() => {
  watched = currentPage();
  page = watched.page;
});

/** Where a point is on screen in the test view. */
function toScreen(lat: number, lng: number, view = VIEW, viewport = VIEWPORT): { x: number; y: number } {
  const scale = 512 * 2 ** view.zoom;
  return {
    x: Math.round(viewport.width / 2 + (lngToX(lng) - lngToX(view.lng)) * scale),
    y: Math.round(viewport.height / 2 + (latToY(lat) - latToY(view.lat)) * scale),
  };
}

/** Opens the page afresh (a new document, not just a new hash). */
async function load(p: Page, hash: string): Promise<unknown> {
  await p.goto("about:blank");
  return p.goto(`${server.origin}/${hash}`);
}

/** Waits until the map has loaded every tile it wants. */
async function settled(p: Page = page): Promise<void> {
  await p.waitForSelector('#map[aria-busy="false"]', { timeout: 15_000 });
}

/**
 * Waits for a heat tile whose URL matches, then for the map to settle. MapLibre
 * marks the map busy ("dataloading") before it asks for a tile and idle only
 * once every tile is drawn, so after the response "idle" means this tile too.
 */
async function heatTile(match: (url: string) => boolean, action: () => Promise<unknown>, p: Page = page): Promise<string> {
  const response = p.waitForResponse((r) => r.url().includes("/tile/") && match(decodeURIComponent(r.url())), { timeout: 15_000 });
  await action();
  const url = (await response).url();
  await settled(p);
  return decodeURIComponent(url);
}

/** Opens the page at the test view and waits for its heat. */
const open = (hash = HASH) => heatTile(() => true, () => page.goto(`${server.origin}/${hash}`));

async function shot(name: string, p: Page = page): Promise<Pixels> {
  const png = await p.screenshot({ path: screenshotPath(name) });
  return decodePng(png);
}

/** A strip of screen across track A, right of the panel and clear of the crossing. */
const A_STRIP = () => {
  const { y } = toScreen(ON_A_ONLY.lat, ON_A_ONLY.lng);
  return { x: 800, y: y - 3, w: 300, h: 7 };
};
/** A strip across track B, below the crossing. */
const B_STRIP = () => {
  const { x } = toScreen(CROSSING.lat, CROSSING.lng);
  return { x: x - 3, y: 500, w: 7, h: 200 };
};

describe("the map page", () => {
  test("loads with no console errors, asks nothing outside 127.0.0.1, and draws the heat where the tracks are", async () => {
    await heatTile(() => true, () => page.goto(`${server.origin}/${HASH}`));
    await page.waitForSelector("html[data-ready]");
    const px = await shot("page-heat");
    expect(countColour(px, A_STRIP(), ORANGE)).toBeGreaterThan(100);
    expect(countColour(px, B_STRIP(), ORANGE)).toBeGreaterThan(100);
    // Empty map between the tracks stays empty.
    expect(countColour(px, { x: 800, y: 550, w: 300, h: 100 }, ORANGE, 80)).toBe(0);
    expect(await page.textContent("#count")).toBe("3 activities");
    const tiles = watched.requests.filter((u) => u.includes("/tile/14/"));
    expect(tiles.length).toBeGreaterThan(0);
    expect(watched.errors).toEqual([]);
    expect(outsideRequests(watched.requests, server.origin)).toEqual([]);
  });

  test("the MapLibre library and its worker come from hotpot itself", async () => {
    await open();
    const vendor = watched.requests.filter((u) => /\/static\/h-[0-9a-f]{12}\/vendor\//.test(u));
    expect(vendor.some((u) => u.includes("maplibre-gl.mjs"))).toBe(true);
    expect(vendor.some((u) => u.includes("maplibre-gl-worker.mjs"))).toBe(true);
  });

  test("a filter change updates the tile URLs and the count", async () => {
    await open();
    // A word may be half typed: the filter applies on Enter (or a space or closing bracket after it).
    const requestsBefore = watched.requests.length;
    await page.fill("#filter", "activity_type = ru");
    // Waiting for something not to happen has no event: give the page longer than its typing pause.
    await page.waitForTimeout(600);
    expect(watched.requests.slice(requestsBefore).filter((u) => u.includes("/tile/") || u.includes("/api/activity-count"))).toEqual([]);
    const url = await heatTile((u) => u.includes("filter=activity_type = run"), () => page.fill("#filter", "activity_type = run").then(() => page.press("#filter", "Enter")));
    expect(url).toMatch(/\/tile\/14\/\d+\/\d+\?filter=activity_type = run&v=\d+$/);
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "1 activity");
    expect(await page.isHidden("#filter-error")).toBe(true);
    const px = await shot("page-filter-run");
    expect(countColour(px, A_STRIP(), ORANGE)).toBe(0);
    expect(countColour(px, B_STRIP(), ORANGE)).toBeGreaterThan(100);
    expect(await page.inputValue("#tile-url")).toBe(`${server.origin}/tile/{z}/{x}/{y}?filter=activity_type%20%3D%20run`);
  });

  test("an invalid filter shows the server's message at the field and keeps the map as it was", async () => {
    const bad = "activity_type = ";
    const expected = (await (await fetch(`${server.origin}/api/activity-count?filter=${encodeURIComponent(bad)}`)).text()).trim();
    expect(expected).toMatch(/^filter: /);
    await open(`${HASH}&filter=activity_type%20%3D%20run`);
    const requestsBefore = watched.requests.length;
    await page.fill("#filter", bad);
    await page.waitForSelector("#filter-error:not([hidden])");
    expect(await page.textContent("#filter-error")).toBe(expected);
    expect(await page.getAttribute("#filter", "aria-invalid")).toBe("true");
    await shot("page-filter-invalid");
    // No tile was asked for with the broken filter; the hash keeps the last good one.
    expect(watched.requests.slice(requestsBefore).filter((u) => u.includes("/tile/"))).toEqual([]);
    expect(await page.evaluate(() => location.hash)).toContain("filter=activity_type%20%3D%20run");
    // Chromium reports the refused check itself as a failed resource; nothing else may appear.
    expect(watched.errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    watched.errors.length = 0;
    await heatTile((u) => !u.includes("filter="), () => page.fill("#filter", ""));
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "3 activities");
    expect(await page.isHidden("#filter-error")).toBe(true);
  });

  test("a link with a filter the server refuses shows why and draws everything meanwhile", async () => {
    const url = await heatTile(() => true, () => load(page, `${HASH}&filter=activity_type%20%3D`));
    expect(url).not.toContain("filter=");
    expect(await page.textContent("#filter-error")).toMatch(/^filter: /);
    expect(await page.inputValue("#filter")).toBe("activity_type =");
    expect(watched.errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    watched.errors.length = 0;
    await page.evaluate((h) => (location.hash = h), HASH);
    await page.waitForSelector("#filter-error", { state: "hidden" });
    expect(await page.inputValue("#filter")).toBe("");
  });

  test("a gradient change changes the drawn colours", async () => {
    await open();
    await heatTile((u) => u.includes("color=ice"), () => page.click('[data-name="ice"]'));
    let px = await shot("page-gradient-ice");
    expect(countColour(px, A_STRIP(), ORANGE)).toBe(0);
    // A custom gradient typed as text: pure blue for every count.
    await page.click('[data-name="custom"]');
    await heatTile((u) => u.includes("gradient=1:0000ff;255:0000ff"), () => page.fill("#gradient", "1:0000ff;255:0000ff"));
    px = await shot("page-gradient-custom");
    expect(countColour(px, A_STRIP(), BLUE)).toBeGreaterThan(100);
    expect(countColour(px, A_STRIP(), ORANGE)).toBe(0);
    expect(await page.inputValue("#tile-url")).toContain("gradient=1%3A0000ff%3B255%3A0000ff");
  });

  test("the gradient editor adds, moves and removes stops and writes the gradient string", async () => {
    await open();
    await page.click('[data-name="custom"]');
    await page.fill("#gradient", "1:ff0000;100:ffffff");
    await page.waitForFunction(() => (document.querySelector("#stops input[type=color]") as HTMLInputElement)?.value === "#ff0000");
    await page.click("#stop-add");
    expect(await page.locator("#stops .stop").count()).toBe(3);
    const added = await page.inputValue("#gradient");
    expect(added).toMatch(/^1:ff0000;\d+:[0-9a-f]{6};100:ffffff$/);
    // Move the last stop with the keyboard: its handle is a slider.
    await page.focus("#editor-track .handle >> nth=2");
    await page.keyboard.press("PageUp");
    expect(await page.inputValue("#gradient")).toMatch(/;110:ffffff$/);
    // Drag the first handle to the right end: it stops below its neighbour.
    const handle = page.locator("#editor-track .handle").first();
    const box = (await handle.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 400, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    const [first, second] = (await page.inputValue("#gradient")).split(";").map((s) => Number(s.split(":")[0]));
    expect(first).toBe(second - 1);
    await page.click("#stops .stop >> nth=1 >> button");
    expect(await page.locator("#stops .stop").count()).toBe(2);
    const url = await heatTile((u) => u.includes("gradient=") && u.includes(";110:ffffff"), () => page.fill("#stops .stop >> nth=1 >> input[type=number] >> nth=1", "50").then(() => page.press("#stops .stop >> nth=1 >> input[type=number] >> nth=1", "Enter")));
    expect(url).toMatch(/gradient=\d+:ff0000(80)?;110:ffffff/);
    await shot("page-gradient-editor");
  });

  test("the hash restores the view and the settings after a reload", async () => {
    await open();
    await page.click('[data-name="custom"]');
    await page.fill("#after", "2023-01-01");
    await page.dispatchEvent("#after", "change");
    await page.waitForFunction(() => location.hash.includes("after=2023-01-01"));
    await page.fill("#gradient", "1:00ff00;255:00ff00");
    await page.waitForFunction(() => location.hash.includes("gradient=1%3A00ff00"));
    const hash = await page.evaluate(() => location.hash);
    expect(hash).toStartWith(`#map=14.00/47.37000/8.53000&`);
    const url = await heatTile((u) => u.includes("after=2023-01-01"), () => page.reload());
    expect(url).toContain("gradient=1:00ff00;255:00ff00");
    expect(await page.inputValue("#after")).toBe("2023-01-01");
    expect(await page.inputValue("#gradient")).toBe("1:00ff00;255:00ff00");
    expect(await page.getAttribute('[data-name="custom"]', "aria-checked")).toBe("true");
    expect(await page.inputValue("#basemap")).toBe("none");
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "2 activities");
    const px = await shot("page-reloaded");
    expect(countColour(px, A_STRIP(), [0, 255, 0])).toBeGreaterThan(100);
  });

  test("colour by last visit on the adaptive scale: in the tile URLs, the tool URL and the hash, and back", async () => {
    await open();
    const tile = page.waitForResponse((r) => r.url().includes("/tile/") && r.url().includes("mode=recency"), { timeout: 15_000 });
    await page.selectOption("#mode", "recency");
    expect((await tile).status()).toBe(200);
    const url = await heatTile((u) => u.includes("mode=recency") && u.includes("scale=adaptive"), () => page.selectOption("#scale", "adaptive"));
    expect(url).toMatch(/\/tile\/14\/\d+\/\d+\?.*mode=recency&scale=adaptive/);
    expect(await page.inputValue("#tile-url")).toContain("mode=recency&scale=adaptive");
    await page.waitForFunction(() => location.hash.includes("mode=recency") && location.hash.includes("scale=adaptive"));
    await page.reload();
    expect(await page.inputValue("#mode")).toBe("recency");
    expect(await page.inputValue("#scale")).toBe("adaptive");
    await page.selectOption("#mode", "");
    await heatTile((u) => !u.includes("mode=") && !u.includes("scale="), () => page.selectOption("#scale", ""));
    expect(await page.evaluate(() => location.hash)).not.toContain("mode=");
  });

  test("clicking on a track lists the activities passing there and highlights the chosen one", async () => {
    // A pasted link: the page takes view and settings from the new hash without reloading.
    await open(`${HASH}&after=2023-01-01`);
    await heatTile((u) => !u.includes("after="), () => page.evaluate((h) => (location.hash = h), HASH));
    expect(await page.inputValue("#after")).toBe("");
    const a = toScreen(ON_A_ONLY.lat, ON_A_ONLY.lng);
    await page.mouse.click(a.x, a.y);
    await page.waitForSelector("#near .near-item");
    const items = await page.locator("#near .near-item .title").allTextContents();
    expect(items).toEqual(["Morning ride"]);
    expect(await page.textContent("#near .near-item .meta")).toMatch(/2024 · 4\.5 km · ride$/);
    await page.click("#near .near-item");
    await page.waitForFunction(() => document.querySelector("#activity-title")?.textContent === "Morning ride");
    expect(await page.isHidden("#near")).toBe(true);
    expect(await page.evaluate(() => location.hash)).toMatch(/&activity=file%3A[0-9a-f]+/);
    // The card's title is written after the track is handed to the map, so the map is busy until it is drawn.
    await settled();
    const px = await shot("page-near");
    expect(countColour(px, A_STRIP(), TRACK_BLUE, 30)).toBeGreaterThan(100);
    // Back returns to the list.
    await page.click("#activity-back");
    expect(await page.isVisible("#near .near-item")).toBe(true);
    expect(await page.evaluate(() => location.hash)).not.toContain("activity=");
    // At the crossing both are listed, newest first; Escape closes the list and the highlight.
    const c = toScreen(CROSSING.lat, CROSSING.lng);
    await page.mouse.click(c.x, c.y);
    await page.waitForFunction(() => document.querySelectorAll("#near .near-item").length === 2);
    expect(await page.locator("#near .near-item .title").allTextContents()).toEqual(["Morning ride", "Lunch run"]);
    await page.focus("#near-close");
    await page.keyboard.press("Escape");
    expect(await page.isHidden("#near")).toBe(true);
  });

  test("the help lists every property with its type and count, and its examples fill the filter", async () => {
    await open();
    await page.click("#filter-help");
    await page.waitForSelector("#properties tbody tr th");
    const rows = await page.locator("#properties tbody tr").allInnerTexts();
    expect(rows.some((r) => /^activity_type\s+string\s+3$/.test(r))).toBe(true);
    expect(rows.some((r) => /^total_distance\s+number\s+3$/.test(r))).toBe(true);
    await shot("page-help");
    await page.keyboard.press("Escape");
    expect(await page.isVisible("#help")).toBe(false);
    await page.click("#filter-help");
    await heatTile((u) => u.includes("filter=has? heart_rate"), () => page.click('.example:text-is("has? heart_rate")'));
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "0 activities");
    await heatTile((u) => !u.includes("filter="), () => page.fill("#filter", ""));
  });

  test("works in dark mode and with the keyboard", async () => {
    const dark = await openPage(browser, { viewport: VIEWPORT, colorScheme: "dark" });
    try {
      await heatTile(() => true, () => dark.page.goto(`${server.origin}/${HASH}`), dark.page);
      const bg = await dark.page.evaluate(() => getComputedStyle(document.querySelector("#panel")!).backgroundColor);
      expect(bg).toMatch(/rgba\(28, 28, 31/);
      // Tab reaches the panel's fields, and each has a visible focus ring.
      await dark.page.focus("#after");
      const outline = await dark.page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
      expect(outline).toBe("solid");
      // Every form control has an accessible name.
      const unnamed = await dark.page.evaluate(() =>
        [...document.querySelectorAll("input, select, button")]
          .filter((el) => (el as HTMLElement).offsetParent !== null)
          .filter((el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute("aria-label") && !el.textContent?.trim())
          .map((el) => el.outerHTML.slice(0, 80)),
      );
      expect(unnamed).toEqual([]);
      await shot("page-dark", dark.page);
      expect(dark.errors).toEqual([]);
      expect(outsideRequests(dark.requests, server.origin)).toEqual([]);
    } finally {
      await dark.close();
    }
  });

  test("a phone-sized viewport works: the panel folds away, touch lists what passes", async () => {
    const phone = await openPage(browser, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, colorScheme: "light" });
    try {
      const url = await heatTile(() => true, () => phone.page.goto(`${server.origin}/${HASH}`), phone.page);
      // Dense screens get 1024-px tiles drawn in 512 CSS px.
      expect(url).toMatch(/\/tile\/14\/\d+\/\d+@2x\?/);
      expect(await phone.page.isVisible("#panel")).toBe(false);
      await shot("page-phone", phone.page);
      // On track A, a little east of the crossing: the narrow screen shows only the middle.
      const a = toScreen(CROSSING.lat, CROSSING.lng + 0.004, VIEW, { width: 390, height: 844 });
      await phone.page.touchscreen.tap(a.x, a.y);
      await phone.page.waitForSelector("#near .near-item");
      expect(await phone.page.locator("#near .near-item .title").allTextContents()).toEqual(["Morning ride"]);
      await shot("page-phone-near", phone.page);
      await phone.page.tap("#panel-open");
      expect(await phone.page.isVisible("#panel")).toBe(true);
      const width = await phone.page.evaluate(() => document.querySelector("#panel")!.getBoundingClientRect().width);
      expect(width).toBe(390);
      await shot("page-phone-panel", phone.page);
      await phone.page.tap("#panel-close");
      expect(await phone.page.isVisible("#panel")).toBe(false);
      expect(phone.errors).toEqual([]);
      expect(outsideRequests(phone.requests, server.origin)).toEqual([]);
    } finally {
      await phone.close();
    }
  });
});
