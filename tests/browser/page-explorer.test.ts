/**
 * Explorer tiles on the map page, in Debian's Chromium against a real
 * `hotpot serve` on the fixture database (tests/helpers/fixture.ts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Page } from "playwright-core";
import { latToY, lngToX } from "../../src/tile.ts";
import { decodePng, screenshotPath, type Pixels, type WatchedPage } from "./browser.ts";
import { CROSSING } from "../helpers/fixture.ts";
import type { RunningServer } from "../helpers/server.ts";
import { pagePerTest, startPageSession, type PageSession } from "./session.ts";

setDefaultTimeout(30_000);

const VIEWPORT = { width: 1280, height: 800 };
const VIEW = { zoom: 14, ...CROSSING };

let session: PageSession;
let server: RunningServer;
let watched: WatchedPage;
let page: Page;

beforeAll(async () => {
  session = await startPageSession({}, { viewport: VIEWPORT, deviceScaleFactor: 1, colorScheme: "light" });
  ({ server } = session);
});
afterAll(() => session?.close());

// A page of its own for every test, opened at the state the test needs.
const currentPage = pagePerTest(() => session);
beforeEach(() => {
  watched = currentPage();
  page = watched.page;
});

const api = async (query: string) => (await fetch(`${server.origin}/api/explorer?${query}`)).json();

/** Waits until the map has drawn every tile it asked for (MapLibre marks it busy before asking). */
async function settled(): Promise<void> {
  await page.waitForSelector('#map[aria-busy="false"]', { timeout: 15_000 });
}

/**
 * Opens the page on a link with the explorer layer at `zoom` and waits for its tiles and card.
 * Tiles answer in any order, and a view's tile without explored squares is a 204: so it waits
 * for one with squares, and no explorer tile may fail.
 */
async function openExplorer(zoom: number): Promise<void> {
  const isExplorer = (url: string) => url.includes(`/explorer/${VIEW.zoom}/`) && url.includes(`zoom=${zoom}`);
  const failed: string[] = [];
  page.on("response", (r) => isExplorer(r.url()) && r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`));
  const explorerTile = page.waitForResponse((r) => isExplorer(r.url()) && r.status() === 200);
  await page.goto(`${server.origin}/#map=${VIEW.zoom}/${VIEW.lat}/${VIEW.lng}&basemap=none&explorer=${zoom}`);
  await explorerTile;
  await page.waitForSelector("#explorer-card:not([hidden]) #explorer-explored");
  await settled();
  expect(failed).toEqual([]);
}

/** What the card shows, as numbers. */
async function card(): Promise<{ explored: number; square: string; cluster: number }> {
  const text = async (id: string) => (await page.textContent(id))!.replace(/[^\d×–]/g, "");
  return { explored: Number(await text("#explorer-explored")), square: (await page.textContent("#explorer-square"))!, cluster: Number(await text("#explorer-cluster")) };
}

const expected = (n: { explored: number; max_square: { size: number }; max_cluster: { size: number } }) => ({
  explored: n.explored,
  square: `${n.max_square.size} × ${n.max_square.size}`,
  cluster: n.max_cluster.size,
});

/** The screen point of a world position in the test view. */
function toScreen(lat: number, lng: number): { x: number; y: number } {
  const scale = 512 * 2 ** VIEW.zoom;
  return {
    x: Math.round(VIEWPORT.width / 2 + (lngToX(lng) - lngToX(VIEW.lng)) * scale),
    y: Math.round(VIEWPORT.height / 2 + (latToY(lat) - latToY(VIEW.lat)) * scale),
  };
}

function rgbAt(px: Pixels, x: number, y: number): [number, number, number] {
  const i = (y * px.width + x) * 4;
  return [px.data[i], px.data[i + 1], px.data[i + 2]];
}

describe("explorer tiles on the page", () => {
  test("opened from a link: the layer over the heat and the card with the API's numbers", async () => {
    await openExplorer(14);
    expect(await card()).toEqual(expected(await api("zoom=14")));
    expect(await page.getAttribute('[data-explorer="14"]', "aria-pressed")).toBe("true");
    expect(await page.getAttribute("#explorer-card .explorer-chart", "aria-label")).toMatch(/^Tiles gained per year: 2022 \d+, 2023 \d+, 2024 \d+$/);

    // Half-way between the crossing and the cell's corner: no track there, only the cluster's fill on the light background.
    const png = await page.screenshot({ path: screenshotPath("page-explorer-14") });
    const side = 2 ** 14;
    const cornerLng = ((Math.floor(lngToX(CROSSING.lng) * side) + 1) / side) * 360 - 180;
    const p = toScreen(CROSSING.lat, (CROSSING.lng + cornerLng) / 2);
    const [r, g, b] = rgbAt(await decodePng(png), p.x, p.y - 40);
    expect(b).toBeGreaterThan(r);
    expect(b).toBeGreaterThan(g + 30);
    expect(watched.errors).toEqual([]);
  });

  test("zoom 17 from the toggle: new tiles, new numbers, written to the link", async () => {
    await openExplorer(14);
    const tile = page.waitForResponse((r) => r.url().includes("/explorer/") && r.url().includes("zoom=17"));
    await page.click('[data-explorer="17"]');
    await tile;
    await page.waitForFunction(() => location.hash.includes("explorer=17"));
    await settled();
    await page.waitForFunction((n) => document.querySelector("#explorer-explored")?.textContent?.replace(/\D/g, "") === String(n), (await api("zoom=17")).explored);
    expect(await card()).toEqual(expected(await api("zoom=17")));
    await page.screenshot({ path: screenshotPath("page-explorer-17") });
  });

  test("the page's filter and dates apply to the explorer tiles", async () => {
    await openExplorer(17);
    const tile = page.waitForResponse((r) => r.url().includes("/explorer/") && decodeURIComponent(r.url()).includes("filter=activity_type = run"));
    await page.fill("#filter", "activity_type = run");
    // A filter applies on a complete word: Enter completes it.
    await page.press("#filter", "Enter");
    await tile;
    const runs = await api(`zoom=17&filter=${encodeURIComponent("activity_type = run")}`);
    await page.waitForFunction((n) => document.querySelector("#explorer-explored")?.textContent?.replace(/\D/g, "") === String(n), runs.explored);
    expect(await card()).toEqual(expected(runs));
    expect(Object.keys(runs.by_year)).toEqual(["2023"]);
    await page.fill("#filter", "");
    await page.press("#filter", "Enter");
    await page.fill("#after", "2024-01-01");
    const rides = await api("zoom=17&after=2024-01-01");
    await page.waitForFunction((n) => document.querySelector("#explorer-explored")?.textContent?.replace(/\D/g, "") === String(n), rides.explored);
    expect(Object.keys(rides.by_year)).toEqual(["2024"]);
  });

  test("off: the layer and the card go", async () => {
    await openExplorer(14);
    await page.click('[data-explorer=""]');
    await page.waitForSelector("#explorer-card", { state: "hidden" });
    expect(await page.evaluate(() => location.hash.includes("explorer="))).toBe(false);
    expect(watched.errors).toEqual([]);
  });
});
