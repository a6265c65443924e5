/**
 * Uploading and exporting from the map page, in Debian's Chromium against a
 * real `hotpot serve --upload --render` that requires a token.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Page } from "playwright-core";
import { latToY } from "../../src/tile.ts";
import { countColour, decodePng, screenshotPath, type WatchedPage } from "./browser.ts";
import { CROSSING, fixtureFile, lineGpx, type Line } from "../helpers/fixture.ts";
import type { RunningServer } from "../helpers/server.ts";
import { pagePerTest, startPageSession, type PageSession } from "./session.ts";

setDefaultTimeout(30_000);

const TOKEN = "s3cret-upload-token";
const HASH = `#map=14/${CROSSING.lat}/${CROSSING.lng}&basemap=none`;
/** A new track between A and C, 1.1 km north of the view's centre. */
const WALK: Line = { name: "d-walk.gpx", title: "Sunday walk", type: "walk", date: "2025-03-02", from: [47.38, 8.5], to: [47.38, 8.56] };
const DROPPED: Line = { name: "e-drop.gpx", title: "Dropped ride", type: "ride", date: "2025-04-01", from: [47.36, 8.5], to: [47.36, 8.56] };
const ORANGE: [number, number, number] = [252, 74, 26];

let session: PageSession;
let server: RunningServer;
let watched: WatchedPage;
let page: Page;

beforeAll(async () => {
  session = await startPageSession({ upload: true, render: true, token: TOKEN }, { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  ({ server } = session);
});

afterAll(() => session?.close());

// Every test opens its own page (no stored token, no earlier results) and waits for the heat.
// The uploads add to the one database, so tests count what they add rather than a total.
const currentPage = pagePerTest(() => session);
beforeEach(async () => {
  watched = currentPage();
  page = watched.page;
  const heat = page.waitForResponse((r) => r.url().includes("/tile/14/"));
  await page.goto(`${server.origin}/${HASH}`);
  await page.waitForSelector("html[data-ready]");
  await heat;
});

afterEach(() => {
  // A refused (401) upload is reported by Chromium itself as a failed resource.
  expect(watched.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
});

const count = async () => Number(await (await fetch(`${server.origin}/api/activity-count`)).text());
/** Screen row of a latitude in the test view (1280 x 800, zoom 14). */
const rowOf = (lat: number) => Math.round(400 + (latToY(lat) - latToY(CROSSING.lat)) * 512 * 2 ** 14);
const file = (name: string, bytes: Uint8Array) => ({ name, mimeType: "application/octet-stream", buffer: Buffer.from(bytes) });

async function resultsTable(): Promise<string[][]> {
  const rows = page.locator("#upload-results .result");
  const out: string[][] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    out.push([await row.locator(".file").innerText(), await row.locator(".status").innerText(), (await row.locator(".reason").allInnerTexts())[0] ?? ""]);
  }
  return out;
}

describe("uploads from the page", () => {
  test("the page offers upload and export, and asks for the token this server needs", async () => {
    expect(await page.isVisible("#upload-open")).toBe(true);
    expect(await page.isVisible("#export-open")).toBe(true);
    await page.click("#upload-open");
    expect(await page.isVisible("#token")).toBe(true);
    expect(await page.getAttribute("#files", "multiple")).not.toBeNull();
  });

  test("a wrong token shows an error and adds nothing", async () => {
    const before = await count();
    await page.click("#upload-open");
    await page.fill("#token", "not-the-token");
    await page.setInputFiles("#files", [file(WALK.name, lineGpx(WALK)), file("sample.gpx", fixtureFile("sample.gpx"))]);
    await page.waitForFunction(() => /Wrong upload token/.test(document.querySelector("#upload-summary")?.textContent ?? ""));
    expect(await resultsTable()).toEqual([
      [WALK.name, "failed", "not sent: upload token needed"],
      ["sample.gpx", "failed", "not sent: upload token needed"],
    ]);
    await page.screenshot({ path: screenshotPath("upload-wrong-token") });
    expect(await count()).toBe(before);
  });

  test("files chosen in the file input are uploaded with each file's result, and their heat appears", async () => {
    const before = await count();
    await page.click("#upload-open");
    await page.fill("#token", TOKEN);
    const versionOf = (url: string) => new URL(url).searchParams.get("v");
    const loaded = versionOf(watched.requests.findLast((u) => u.includes("/tile/"))!);
    const newTiles = page.waitForResponse((r) => r.url().includes("/tile/14/") && versionOf(r.url()) !== loaded);
    await page.setInputFiles("#files", [
      file(WALK.name, lineGpx(WALK)),
      file("sample.gpx", fixtureFile("sample.gpx")),
      file("sample.tcx", fixtureFile("sample.tcx")),
      file("corrupted.gpx", fixtureFile("corrupted.gpx")),
      file("no_track_data.tcx", fixtureFile("no_track_data.tcx")),
      file("notes.txt", new TextEncoder().encode("not an activity")),
      file(WALK.name, lineGpx(WALK)),
    ]);
    await page.waitForFunction(() => /7 files done, 3 added/.test(document.querySelector("#upload-summary")?.textContent ?? ""));
    const table = await resultsTable();
    expect(table.map(([name, status]) => [name, status])).toEqual([
      [WALK.name, "added"],
      ["sample.gpx", "added"],
      ["sample.tcx", "added"],
      ["corrupted.gpx", "failed"],
      ["no_track_data.tcx", "skipped"],
      ["notes.txt", "failed"],
      [WALK.name, "already there"],
    ]);
    expect(table[3][2]).toMatch(/trkseg|truncated|unreadable|expected/i);
    expect(table[4][2]).toBe("no GPS track in the file");
    expect(table[5][2]).toMatch(/unsupported file type/);
    await page.screenshot({ path: screenshotPath("upload-results") });
    expect(await count()).toBe(before + 3);
    // The map asks for tiles again, with the new data version, and draws the new track.
    await newTiles;
    await page.waitForFunction((n) => document.querySelector("#count")?.textContent === `${n} activities`, before + 3);
    await page.keyboard.press("Escape");
    await page.waitForSelector('#map[aria-busy="false"]');
    const png = await page.screenshot({ path: screenshotPath("upload-heat") });
    const px = await decodePng(png);
    expect(countColour(px, { x: 800, y: rowOf(WALK.from[0]) - 3, w: 300, h: 7 }, ORANGE)).toBeGreaterThan(100);
    const versions = new Set(watched.requests.filter((u) => u.includes("/tile/")).map(versionOf));
    expect(versions.size).toBe(2);
  });

  test("the token is remembered by the browser", async () => {
    await page.click("#upload-open");
    await page.fill("#token", TOKEN);
    await page.press("#token", "Tab");
    await page.reload();
    await page.waitForSelector("html[data-ready]");
    expect(await page.inputValue("#token")).toBe(TOKEN);
  });

  test("files dropped anywhere on the map are uploaded", async () => {
    await page.evaluate((t) => localStorage.setItem("hotpot.uploadToken", t), TOKEN);
    await page.reload();
    await page.waitForSelector("html[data-ready]");
    const before = await count();
    const gpx = new TextDecoder().decode(lineGpx(DROPPED));
    await page.evaluate(
      ({ name, gpx }) => {
        const data = new DataTransfer();
        data.items.add(new File([gpx], name, { type: "application/gpx+xml" }));
        const target = document.querySelector("#map")!;
        target.dispatchEvent(new DragEvent("dragenter", { dataTransfer: data, bubbles: true, cancelable: true }));
        target.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
      },
      { name: DROPPED.name, gpx },
    );
    await page.waitForFunction(() => /1 file done, 1 added/.test(document.querySelector("#upload-summary")?.textContent ?? ""));
    expect(await page.isVisible("#upload")).toBe(true);
    expect(await page.isHidden("#drop")).toBe(true);
    expect(await count()).toBe(before + 1);
    // "Show on map" opens the new activity's card over the map, with its key in the link.
    await page.click("#upload-results .result:last-child .show");
    await page.waitForFunction(() => document.querySelector("#activity-title")?.textContent === "Dropped ride");
    expect(await page.isVisible("#upload")).toBe(false);
    expect(await page.evaluate(() => location.hash)).toContain("activity=file%3A");
    await page.screenshot({ path: screenshotPath("upload-show-on-map") });
    await page.click("#activity-close");
  });
});

describe("image export", () => {
  test("renders the current view at a chosen size through /render", async () => {
    await page.click("#export-open");
    await page.click('[data-long="1000"]');
    expect(await page.inputValue("#export-width")).toBe("1000");
    expect(await page.inputValue("#export-height")).toBe("625");
    await page.fill("#export-width", "400");
    expect(await page.inputValue("#export-height")).toBe("250");
    const render = page.waitForResponse((r) => r.url().includes("/render?"));
    await page.click("#export-go");
    const response = await render;
    expect(response.status()).toBe(200);
    const url = new URL(response.url());
    expect(url.searchParams.get("width")).toBe("400");
    expect(url.searchParams.get("height")).toBe("250");
    const [w, s, e, n] = url.searchParams.get("bounds")!.split(",").map(Number);
    expect(w).toBeLessThan(CROSSING.lng);
    expect(e).toBeGreaterThan(CROSSING.lng);
    expect(s).toBeLessThan(CROSSING.lat);
    expect(n).toBeGreaterThan(CROSSING.lat);
    await page.waitForSelector("#export-link:not([hidden])");
    expect(await page.getAttribute("#export-link", "href")).toStartWith("blob:");
    expect(await page.getAttribute("#export-link", "download")).toBe("hotpot-400x250.png");
    await page.waitForFunction(() => (document.querySelector("#export-preview") as HTMLImageElement).naturalWidth === 400);
    await page.screenshot({ path: screenshotPath("export") });
    await page.keyboard.press("Escape");
  });
});
