/**
 * The map page as a daily driver, in Debian's Chromium against a real `hotpot serve --upload`
 * with a token, on the fixture database (three straight tracks around Zurich): the server going
 * away and coming back under an open page, links with unknown values and the Rust hotpot's
 * links, keyboard-only "which activities went here", explained empty results, deleting an
 * activity, and the phone's sheet. Screenshots go to tests/artifacts/.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { latToY, lngToX } from "../../src/tile.ts";
import { countColour, decodePng, launch, openPage, screenshotPath, type WatchedPage } from "./browser.ts";
import { ingestFiles } from "../../src/import/ingest.ts";
import { CROSSING, fixtureDatabase, lineGpx, type Line } from "../helpers/fixture.ts";
import { startServer, type RunningServer, type ServeFlags } from "../helpers/server.ts";

setDefaultTimeout(40_000);

const TOKEN = "owner-token-for-tests";
const FLAGS: ServeFlags = { upload: true, token: TOKEN };
const VIEWPORT = { width: 1280, height: 800 };
const HASH = `#map=14/${CROSSING.lat}/${CROSSING.lng}&basemap=none`;
const ORANGE: [number, number, number] = [252, 74, 26];

let db: ReturnType<typeof fixtureDatabase>;
let server: RunningServer;
let browser: Browser;
let watched: WatchedPage;
let page: Page;

beforeAll(async () => {
  browser = await launch();
});

afterAll(() => browser?.close());

// Tests here delete and add activities and stop the server: each gets a database, a server and a page of its own.
beforeEach(async () => {
  db = fixtureDatabase();
  server = await startServer(db.path, FLAGS);
  watched = await openPage(browser, { viewport: VIEWPORT, deviceScaleFactor: 1, colorScheme: "light" });
  page = watched.page;
});

afterEach(async () => {
  await watched?.close();
  await server?.stop();
  db?.cleanup();
});

async function load(p: Page, hash: string): Promise<void> {
  await p.goto("about:blank");
  await p.goto(`${server.origin}/${hash}`);
  await p.waitForSelector("html[data-ready]");
  await settled(p);
}

/** Waits until the map has drawn every tile it asked for (MapLibre marks it busy before asking for one). */
async function settled(p: Page = page): Promise<void> {
  await p.waitForSelector('#map[aria-busy="false"]', { timeout: 15_000 });
}

async function shot(name: string, p: Page = page) {
  return decodePng(await p.screenshot({ path: screenshotPath(name) }));
}

/** Orange pixels on the screen row of a latitude, right of the panel (test view: zoom 14 at the crossing). */
async function heatOnRow(name: string, lat: number): Promise<number> {
  const y = Math.round(VIEWPORT.height / 2 + (latToY(lat) - latToY(CROSSING.lat)) * 512 * 2 ** 14);
  return countColour(await shot(name), { x: 700, y: y - 3, w: 500, h: 7 }, ORANGE);
}

/** Orange pixels in a column, for track B (north-south through the crossing, at the screen's centre). */
async function heatOnCentreColumn(name: string): Promise<number> {
  return countColour(await shot(name), { x: VIEWPORT.width / 2 - 3, y: 100, w: 7, h: 200 }, ORANGE);
}

describe("resilience", () => {
  test("the server stopping and starting again under an open page: a notice, then the heat reloads", async () => {
    await load(page, HASH);
    expect(await heatOnRow("outage-before", CROSSING.lat)).toBeGreaterThan(100);
    const port = Number(new URL(server.origin).port);
    await server.stop();
    // Moving the map asks for tiles the stopped server cannot give.
    await page.evaluate(() => (location.hash = location.hash.replace(/^#map=14\.00/, "#map=13.00").replace(/^#map=14\//, "#map=13/")));
    await page.waitForSelector('#notices [data-id="server"]');
    expect(await page.textContent('#notices [data-id="server"]')).toContain("cannot be reached");
    // It is not a filter error, and "Retry now" is a real target.
    expect(await page.isHidden("#filter-error")).toBe(true);
    const retry = (await page.locator('#notices [data-id="server"] button:text("Retry now")').boundingBox())!;
    expect(Math.min(retry.width, retry.height)).toBeGreaterThanOrEqual(24);
    await shot("outage-down");

    server = await startServer(db.path, { ...FLAGS, port });
    const reloaded = page.waitForResponse((r) => r.url().includes("/tile/13/") && r.status() === 200, { timeout: 30_000 });
    await page.waitForSelector('#notices [data-id="server"]', { state: "detached", timeout: 30_000 });
    await reloaded;
    await settled();
    // At zoom 13 the crossing is still the centre; track A crosses the screen there.
    expect(await heatOnRow("outage-back", CROSSING.lat)).toBeGreaterThan(100);
    expect(await page.textContent("#count")).toBe("3 activities");
  });

  test("a link with unknown values: defaults instead, and a note naming each", async () => {
    await load(page, `#map=14/${CROSSING.lat}/${CROSSING.lng}&color=plaid&basemap=moon&size=7&after=2020-13-45&opacity=9`);
    const note = await page.textContent('#notices [data-id="link"]');
    for (const bad of ["plaid", "moon", "7", "2020-13-45", "9"]) expect(note).toContain(`“${bad}”`);
    // The basemap falls back to the light one, whose default colours are fire.
    const tiles = watched.requests.filter((u) => u.includes("/tile/"));
    expect(tiles.at(-1)).toContain("color=fire");
    expect(tiles.at(-1)).not.toContain("after=");
    expect(await page.textContent("#count")).toBe("3 activities");
    expect(await heatOnRow("link-unknown", CROSSING.lat)).toBeGreaterThan(100);
    expect(await page.inputValue("#tile-url")).toBe(`${server.origin}/tile/{z}/{x}/{y}?color=fire`);
  });

  test("the Rust hotpot's links read: its basemap names, size, color=custom and a MapLibre view with bearing and pitch", async () => {
    await load(page, `#map=14/${CROSSING.lat}/${CROSSING.lng}/0/0&basemap=positron-nolabels&size=256&color=custom&gradient=1:00f;10:fff`);
    expect(await page.isVisible('#notices [data-id="link"]')).toBe(false);
    expect(await page.inputValue("#basemap")).toBe("light-nolabels");
    expect(await page.inputValue("#tile-size")).toBe("256");
    expect(await page.inputValue("#tile-url")).toBe(`${server.origin}/tile/{z}/{x}/{y}@small?gradient=1%3A00f%3B10%3Afff`);
    const hash = await page.evaluate(() => location.hash);
    expect(hash).toContain("basemap=light-nolabels");
    expect(hash).not.toContain("color=");
  });
});

describe("legible heat", () => {
  test("on a light basemap the default colours darken with the count; a chosen preset stays chosen", async () => {
    await load(page, `#map=14/${CROSSING.lat}/${CROSSING.lng}&basemap=light`);
    expect(await page.inputValue("#tile-url")).toBe(`${server.origin}/tile/{z}/{x}/{y}?color=fire`);
    expect(await page.getAttribute('[data-name="fire"]', "aria-checked")).toBe("true");
    await page.click('[data-name="orange"]');
    await page.waitForFunction(() => location.hash.includes("color=orange"));
    await page.selectOption("#basemap", "dark");
    expect(await page.inputValue("#tile-url")).toBe(`${server.origin}/tile/{z}/{x}/{y}?color=orange`);
    // Back to the default on a dark map: the server's own, orange, and no color= at all.
    await page.click('[data-name="orange"]');
    await page.waitForFunction(() => !location.hash.includes("color="));
    expect(await page.inputValue("#tile-url")).toBe(`${server.origin}/tile/{z}/{x}/{y}`);
  });
});

describe("explained results", () => {
  test("a misspelt property, reversed dates and an empty range each say so at the field; Escape never hides the panel", async () => {
    await load(page, HASH);
    await page.fill("#filter", "activty_type = ride");
    await page.press("#filter", "Enter");
    await page.waitForFunction(() => /No activity has the property “activty_type”/.test(document.querySelector("#filter-error")?.textContent ?? ""));
    expect(await page.textContent("#count")).toBe("0 activities");
    // Escape with nothing pending leaves the field for the map; the panel stays.
    await page.press("#filter", "Escape");
    expect(await page.isVisible("#panel")).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.classList.contains("maplibregl-canvas"))).toBe(true);
    // An edit not yet applied is dropped by Escape.
    await page.fill("#filter", "activity_type = ri");
    await page.press("#filter", "Escape");
    expect(await page.inputValue("#filter")).toBe("activty_type = ride");
    expect(await page.isVisible("#panel")).toBe(true);
    // "Fit" with nothing matching says so, rather than suggesting to add activities.
    await page.click("#fit");
    await page.waitForFunction(() => /No activity matches the dates and filter/.test(document.querySelector("#toast")?.textContent ?? ""));
    await page.fill("#filter", "");
    await page.press("#filter", "Enter");
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "3 activities");

    await page.fill("#after", "2024-01-01");
    await page.fill("#before", "2023-01-01");
    await page.waitForFunction(() => /is not after “From”/.test(document.querySelector("#date-error")?.textContent ?? ""));
    await shot("explained-reversed-dates");
    await page.fill("#before", "");
    await page.fill("#after", "2025-01-01");
    await page.waitForFunction(() => /No activity between these dates; 3 match at other times/.test(document.querySelector("#date-error")?.textContent ?? ""));
    expect(await page.textContent("#count")).toBe("0 activities");
    await shot("explained-empty-range");
    await page.fill("#after", "");
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "3 activities");
  });

  test("typing a date digit by digit asks for no tiles until the date is complete", async () => {
    await load(page, HASH);
    const before = watched.requests.length;
    // Month, day, then the year's digits: 0002, 0020, 0202 on the way to 2022.
    await page.focus("#after");
    for (const key of "010120") await page.keyboard.press(key);
    await page.keyboard.press("2");
    expect(await page.inputValue("#after")).toBe("0202-01-01");
    // Waiting for something not to happen has no event: give the page longer than its typing pause.
    await page.waitForTimeout(500);
    expect(watched.requests.slice(before).filter((u) => u.includes("after="))).toEqual([]);
    await page.keyboard.press("2");
    await page.waitForFunction(() => location.hash.includes("after=2022-01-01"));
    expect(watched.requests.slice(before).filter((u) => u.includes("after=")).every((u) => u.includes("after=2022-01-01"))).toBe(true);
  });
});

describe("quick filters", () => {
  test("chips for the activity types and years in the data set the filter and the dates", async () => {
    await load(page, HASH);
    await page.waitForSelector("#type-chips button");
    expect(await page.locator("#type-chips button").allTextContents()).toEqual(["Hike1", "Ride1", "Run1"]);
    expect(await page.locator("#year-chips button").allTextContents()).toEqual(["20221", "20231", "20241"]);
    await page.click('#type-chips [data-label="Ride"]');
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "1 activity");
    expect(await page.inputValue("#filter")).toBe("activity_type = ride");
    await page.click('#type-chips [data-label="Run"]');
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "2 activities");
    expect(await page.inputValue("#filter")).toBe("activity_type in [ride, run]");
    expect(await page.locator('#type-chips [aria-pressed="true"]').allTextContents()).toEqual(["Ride1", "Run1"]);
    await page.click('#year-chips [data-label="2023"]');
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "1 activity");
    expect([await page.inputValue("#after"), await page.inputValue("#before")]).toEqual(["2023-01-01", "2024-01-01"]);
    await shot("quick-filters");
    await page.click('#year-chips [data-label="2023"]');
    await page.click('#type-chips [data-label="Ride"]');
    await page.click('#type-chips [data-label="Run"]');
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "3 activities");
    expect(await page.inputValue("#filter")).toBe("");
  });
});

describe("keyboard", () => {
  test("keyboard only: Tab to the map, a centre marker, Enter lists what passes, focus moves to the results, Escape goes back", async () => {
    await load(page, HASH);
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press("Tab");
      if (await page.evaluate(() => document.activeElement?.classList.contains("maplibregl-canvas"))) break;
    }
    expect(await page.evaluate(() => document.activeElement?.classList.contains("maplibregl-canvas"))).toBe(true);
    expect(await page.getAttribute("#map", "class")).toContain("keyboard");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.activeElement?.classList.contains("near-item"));
    expect(await page.locator("#near .near-item .title").allTextContents()).toEqual(["Morning ride", "Lunch run"]);
    await shot("keyboard-near");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector("#activity-title")?.textContent === "Lunch run");
    await page.keyboard.press("Escape");
    expect(await page.isHidden("#activity")).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.classList.contains("maplibregl-canvas"))).toBe(true);
  });
});

describe("activities", () => {
  test("the list of activities searches and sorts, and opens one on the map", async () => {
    await load(page, HASH);
    await page.click("#list-open");
    await page.waitForFunction(() => document.querySelectorAll("#list-rows .near-item").length === 3);
    const titles = () => page.locator("#list-rows .title").allTextContents();
    expect(await titles()).toEqual(["Morning ride", "Lunch run", "Evening hike"]);
    expect(await page.textContent("#list-rows .meta")).toMatch(/ride · 4\.5 km · \d+ m up$/);
    await page.selectOption("#list-sort", "title");
    expect(await titles()).toEqual(["Evening hike", "Lunch run", "Morning ride"]);
    await page.fill("#list-search", "run");
    await page.waitForFunction(() => document.querySelectorAll("#list-rows .near-item").length === 1);
    expect(await page.textContent("#list-status")).toBe("1 of 3 activities");
    await shot("activity-list");
    await page.click("#list-rows .near-item");
    await page.waitForFunction(() => document.querySelector("#activity-title")?.textContent === "Lunch run");
    expect(await page.isVisible("#list")).toBe(false);
    await page.click("#activity-close");
  });

  test("deleting an activity from its card asks for the owner's token, and its heat goes at once", async () => {
    await load(page, HASH);
    expect(await heatOnCentreColumn("delete-before")).toBeGreaterThan(100);
    await page.mouse.click(VIEWPORT.width / 2, VIEWPORT.height / 2);
    await page.waitForFunction(() => document.querySelectorAll("#near .near-item").length === 2);
    await page.click('#near .near-item:has-text("Lunch run")');
    await page.waitForFunction(() => document.querySelector("#activity-title")?.textContent === "Lunch run");
    const body = await page.textContent("#activity-body");
    expect(body).toContain("Distance");
    // A file import has no Strava link and no source file name to show, and shows nothing in their place.
    expect(body).not.toContain("null");
    expect(await page.isVisible("#activity-body a")).toBe(false);
    await shot("activity-card");
    page.once("dialog", (d) => d.accept());
    await page.click("#activity-delete");
    // No token in this browser yet: the server refuses, and the page asks for it.
    await page.waitForSelector("#token-dialog[open]");
    await page.fill("#token-ask", TOKEN);
    const newTiles = page.waitForResponse((r) => r.url().includes("/tile/") && r.status() === 200);
    await page.click('#token-dialog button[value="ok"]');
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "2 activities");
    await newTiles;
    await settled();
    expect(await page.isHidden("#activity")).toBe(true);
    expect(await heatOnCentreColumn("delete-after")).toBe(0);
    expect(await heatOnRow("delete-after-a", CROSSING.lat)).toBeGreaterThan(100);
    expect(await page.evaluate(() => localStorage.getItem("hotpot.uploadToken"))).toBe(TOKEN);
    const res = await fetch(`${server.origin}/api/activities?filter=${encodeURIComponent("activity_type = run")}`, { headers: { Accept: "application/json" } });
    expect(((await res.json()) as { total: number }).total).toBe(0);
  });
});

describe("a link to an activity", () => {
  test("opens on that activity's card and track, with a link to Strava for a strava: key", async () => {
    const crete: Line = { name: "crete.gpx", title: "Crete hike", type: "hike", date: "2021-08-01", from: [35.3, 24.9], to: [35.32, 25.0] };
    ingestFiles(db.store, [{ name: crete.name, bytes: lineGpx(crete), key: "strava:42" }]);
    await load(page, "#activity=strava%3A42&basemap=none");
    await page.waitForFunction(() => document.querySelector("#activity-title")?.textContent === "Crete hike");
    expect(await page.getAttribute("#activity-body a", "href")).toBe("https://www.strava.com/activities/42");
    // The link had no view: the map goes to the activity.
    await page.waitForFunction(() => Math.abs(Number(location.hash.slice(5).split("/")[1]) - 35.31) < 0.05);
    expect(await page.evaluate(() => location.hash)).toContain("activity=strava%3A42");
    await shot("activity-link");
  });
});

describe("phone", () => {
  test("the settings sheet is half the screen and draggable, notices stay outside it, wording fits touch", async () => {
    const phone = await openPage(browser, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    try {
      await load(phone.page, `${HASH}&color=plaid`);
      // The note about the link shows with the sheet folded.
      expect(await phone.page.isVisible('#notices [data-id="link"]')).toBe(true);
      await phone.page.click("#panel-open");
      const sheet = (await phone.page.locator("#panel").boundingBox())!;
      expect(sheet.height).toBeGreaterThan(844 * 0.4);
      expect(sheet.height).toBeLessThan(844 * 0.6);
      const grip = (await phone.page.locator("#sheet-grip").boundingBox())!;
      expect(grip.height).toBeGreaterThanOrEqual(24);
      await phone.page.mouse.move(195, grip.y + grip.height / 2);
      await phone.page.mouse.down();
      await phone.page.mouse.move(195, 300, { steps: 5 });
      await phone.page.mouse.up();
      const dragged = (await phone.page.locator("#panel").boundingBox())!;
      expect(dragged.height).toBeLessThan(sheet.height - 100);
      // The link's note sits below the sheet, not over it.
      const note = (await phone.page.locator('#notices [data-id="link"]').boundingBox())!;
      expect(note.y).toBeGreaterThanOrEqual(dragged.y + dragged.height);
      await shot("phone-sheet", phone.page);
      expect(await phone.page.textContent("#dropzone")).not.toContain("drop them");
      // Every visible control is at least 24 px in both directions (WCAG 2.2 target size).
      const small = await phone.page.evaluate(() =>
        [...document.querySelectorAll("button, a[href], input, select")]
          .filter((el) => (el as HTMLElement).offsetParent !== null)
          .map((el) => ({ el: el.outerHTML.slice(0, 70), r: el.getBoundingClientRect() }))
          .filter(({ r }) => r.width > 0 && (r.width < 24 || r.height < 24))
          .map(({ el, r }) => `${el} ${Math.round(r.width)}x${Math.round(r.height)}`),
      );
      expect(small).toEqual([]);
      await phone.page.click("#panel-close");

      // An activity's card is a sheet at the bottom; "Zoom to track" frames the track above it.
      // The ride and the run pass the crossing at the screen's centre: choose the ride.
      await phone.page.touchscreen.tap(195, 422);
      await phone.page.waitForSelector("#near .near-item");
      await phone.page.tap('#near .near-item:has-text("Morning ride")');
      await phone.page.waitForFunction(() => document.querySelector("#activity-title")?.textContent === "Morning ride");
      // The hash is written when the map stops moving: once it changes, the track is framed.
      const framed = phone.page.waitForFunction((h) => location.hash !== h, await phone.page.evaluate(() => location.hash));
      await phone.page.tap("#activity-zoom");
      await framed;
      await settled(phone.page);
      const card = (await phone.page.locator("#activity").boundingBox())!;
      const hash = await phone.page.evaluate(() => location.hash);
      const [zoom, lat, lng] = hash.slice(5).split("&")[0].split("/").map(Number);
      // Track A runs east-west at 47.37 from 8.50 to 8.56: both ends on screen, the line above the card.
      const scale = 512 * 2 ** zoom;
      const colOf = (ln: number) => 195 + (lngToX(ln) - lngToX(lng)) * scale;
      expect(colOf(8.5)).toBeGreaterThanOrEqual(0);
      expect(colOf(8.56)).toBeLessThanOrEqual(390);
      expect(422 + (latToY(47.37) - latToY(lat)) * scale).toBeLessThan(card.y);
      await shot("phone-card", phone.page);
    } finally {
      await phone.close();
    }
  });
});
