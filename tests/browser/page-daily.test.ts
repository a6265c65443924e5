/**
 * The map page as a daily driver, in Debian's Chromium against a real `hotpot serve --upload`
 * with a token, on the fixture database (three straight tracks around Zurich): opening on the
 * heat, the server going away and coming back under an open page, links with unknown values and
 * the Rust hotpot's links, explained empty results, quick filters, keyboard-only "which
 * activities went here", the list of activities, deleting an activity, and the phone's sheet.
 * Most run at desktop (1280x800) and phone (390x844, touch) sizes. Screenshots go to
 * tests/artifacts/, the phone's named phone-….
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { latToY, lngToX } from "../../src/tile.ts";
import { countColour, decodePng, launch, openPage, screenshotPath, type Rgb, type WatchedPage } from "./browser.ts";
import { ingestFiles } from "../../src/import/ingest.ts";
import { CROSSING, fixtureDatabase, LINES, lineGpx, type Line } from "../helpers/fixture.ts";
import { startServer, type RunningServer, type ServeFlags } from "../helpers/server.ts";

setDefaultTimeout(40_000);

const TOKEN = "owner-token-for-tests";
const FLAGS: ServeFlags = { upload: true, token: TOKEN };
/**
 * The sizes the daily-driver tests run at. `band` is a stretch of every map row clear of the
 * panel, the folded sheet and the map's buttons, for counting heat; `tap` is how a finger or
 * the mouse presses a point or an element.
 */
interface Size {
  name: string;
  /** Before each screenshot's name; the desktop's keep their names. */
  prefix: string;
  options: BrowserContextOptions & { viewport: { width: number; height: number } };
  band: { x: number; w: number };
  /** What of the settings is over the map while they are folded away: the panel, or the sheet's button. */
  folded: string;
  tap(p: Page, target: string | { x: number; y: number }): Promise<void>;
}
const DESKTOP: Size = {
  name: "desktop",
  prefix: "",
  options: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, colorScheme: "light" },
  band: { x: 700, w: 500 },
  folded: "#panel",
  tap: (p, t) => (typeof t === "string" ? p.click(t) : p.mouse.click(t.x, t.y)),
};
const PHONE: Size = {
  name: "phone",
  prefix: "phone-",
  options: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  band: { x: 20, w: 350 },
  folded: "#panel-open",
  tap: (p, t) => (typeof t === "string" ? p.tap(t) : p.touchscreen.tap(t.x, t.y)),
};
const SIZES = [DESKTOP, PHONE];
/** The test view: zoom 14 at the crossing, at the map's centre. */
const TEST_VIEW: View = { zoom: 14, ...CROSSING };
const HASH = `#map=14/${CROSSING.lat}/${CROSSING.lng}&basemap=none`;
const ORANGE: Rgb = [252, 74, 26];
/** The highlighted track. */
const TRACK_BLUE: Rgb = [26, 124, 255];
/** The map's own controls (zoom, explorer, Home, Fit everything), each a box of its own. */
const BUTTONS = ".maplibregl-ctrl-top-right > .maplibregl-ctrl";

let db: ReturnType<typeof fixtureDatabase>;
let server: RunningServer;
let browser: Browser;
/** One open page per size, for the test that is running. */
const pages = new Map<Size, WatchedPage>();
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
  for (const size of SIZES) pages.set(size, await openPage(browser, size.options));
  watched = pages.get(DESKTOP)!;
  page = watched.page;
});

afterEach(async () => {
  for (const open of pages.values()) await open.close();
  pages.clear();
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

/** Pixels of a colour (orange heat unless said) in a box given in CSS pixels, on a screenshot at the size's device pixels. */
async function heatIn(size: Size, name: string, box: { x: number; y: number; w: number; h: number }, colour = ORANGE): Promise<number> {
  const k = size.options.deviceScaleFactor ?? 1;
  const px = await shot(size.prefix + name, pages.get(size)!.page);
  return countColour(px, { x: box.x * k, y: box.y * k, w: box.w * k, h: box.h * k }, colour);
}

interface View {
  zoom: number;
  lat: number;
  lng: number;
}

/** Where a point is on the screen at a view (the test view unless said). */
function screenOf(size: Size, lat: number, lng: number, view = TEST_VIEW): { x: number; y: number } {
  const scale = 512 * 2 ** view.zoom;
  const { width, height } = size.options.viewport;
  return { x: Math.round(width / 2 + (lngToX(lng) - lngToX(view.lng)) * scale), y: Math.round(height / 2 + (latToY(lat) - latToY(view.lat)) * scale) };
}

/** Pixels of a colour (orange heat unless said) on the screen row of a latitude, in the size's clear band. */
async function heatOnRow(size: Size, name: string, lat: number, view = TEST_VIEW, colour = ORANGE): Promise<number> {
  const { y } = screenOf(size, lat, CROSSING.lng, view);
  return heatIn(size, name, { ...size.band, y: y - 3, h: 7 }, colour);
}

/** Orange pixels in the screen column of a longitude, from 100 to 300 px down (above the crossing's row in the test view). */
async function heatOnColumn(size: Size, name: string, lng: number): Promise<number> {
  const { x } = screenOf(size, CROSSING.lat, lng);
  return heatIn(size, name, { x: x - 3, y: 100, w: 7, h: 200 });
}

/** Orange pixels within 7 px of a point (at the test view unless said). */
async function heatAt(size: Size, name: string, lat: number, lng: number, view = TEST_VIEW): Promise<number> {
  const { x, y } = screenOf(size, lat, lng, view);
  return heatIn(size, name, { x: x - 7, y: y - 7, w: 15, h: 15 });
}

/** The map's view, from the hash the page writes when a move ends. */
async function viewOf(p: Page): Promise<View> {
  const [zoom, lat, lng] = (await p.evaluate(() => location.hash)).slice(5).split("&")[0].split("/").map(Number);
  return { zoom, lat, lng };
}

/** Does something that moves the map; resolves with the new view once the move has ended and the tiles are in. */
async function moved(p: Page, action: () => Promise<unknown>): Promise<View> {
  const before = await p.evaluate(() => location.hash.split("&")[0]);
  await action();
  await p.waitForFunction((h) => location.hash.split("&")[0] !== h, before, { timeout: 15_000 });
  await settled(p);
  return viewOf(p);
}

/**
 * Each line, at every tenth of its length, is on the screen and clear of these boxes drawn over
 * the map (the panel or the folded sheet's button, the map's buttons, a card); every one of
 * them must be showing.
 */
async function expectFramed(size: Size, p: Page, lines: Line[], covers: string[]): Promise<void> {
  const view = await viewOf(p);
  const boxes: { selector: string; box: { x: number; y: number; width: number; height: number } }[] = [];
  for (const selector of covers) {
    const found = (await Promise.all((await p.locator(selector).all()).map((el) => el.boundingBox()))).filter((b) => b !== null);
    expect({ selector, showing: found.length > 0 }).toEqual({ selector, showing: true });
    boxes.push(...found.map((box) => ({ selector, box })));
  }
  const { width, height } = size.options.viewport;
  const hidden: string[] = [];
  for (const line of lines) {
    for (let i = 0; i <= 10; i++) {
      const { x, y } = screenOf(size, line.from[0] + ((line.to[0] - line.from[0]) * i) / 10, line.from[1] + ((line.to[1] - line.from[1]) * i) / 10, view);
      if (x < 0 || x > width || y < 0 || y > height) hidden.push(`${line.title} ${i}/10 off the screen at ${x},${y}`);
      for (const { selector, box: b } of boxes) if (x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height) hidden.push(`${line.title} ${i}/10 under ${selector} at ${x},${y}`);
    }
  }
  expect(hidden).toEqual([]);
}

/** Opens the panel if it is folded (the phone's sheet); returns how to fold it again. */
async function unfold(size: Size, p: Page): Promise<() => Promise<void>> {
  if (!(await p.isVisible("#panel-open"))) return async () => {};
  await size.tap(p, "#panel-open");
  await p.waitForSelector("#panel", { state: "visible" });
  return () => size.tap(p, "#panel-close");
}

/** Whether an element shows where it is: not hidden under another, not scrolled out of its box. */
function onTop(p: Page, selector: string): Promise<boolean> {
  return p.evaluate((sel) => {
    const el = document.querySelector(sel);
    const r = el?.getBoundingClientRect();
    return !!el && !!r && r.width > 0 && el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
  }, selector);
}

/**
 * A notice is on top where it shows, with the panel as the page opened it (on a phone: folded,
 * so not hidden inside the sheet) and with the panel open (outside it, not under it).
 */
async function expectNoticeInView(size: Size, p: Page, id: string, shotName: string): Promise<void> {
  const selector = `#notices [data-id="${id}"]`;
  expect(await onTop(p, selector)).toBe(true);
  const fold = await unfold(size, p);
  const note = (await p.locator(selector).boundingBox())!;
  const panel = (await p.locator("#panel").boundingBox())!;
  const apart = note.y >= panel.y + panel.height || note.x >= panel.x + panel.width || note.y + note.height <= panel.y || note.x + note.width <= panel.x;
  expect(apart).toBe(true);
  expect(await onTop(p, selector)).toBe(true);
  await shot(size.prefix + shotName, p);
  await fold();
}

/** A field's message, inside the open panel and readable there (not under the sheet's edge or scrolled away). */
async function expectAtField(p: Page, selector: string, message: RegExp): Promise<void> {
  await p.waitForFunction(([sel, re]) => new RegExp(re).test(document.querySelector(sel)?.textContent ?? ""), [selector, message.source] as const);
  expect(await onTop(p, selector)).toBe(true);
  const box = (await p.locator(selector).boundingBox())!;
  const panel = (await p.locator("#panel").boundingBox())!;
  expect(box.y).toBeGreaterThanOrEqual(panel.y);
  expect(box.y + box.height).toBeLessThanOrEqual(panel.y + panel.height);
}

describe("open on the heat", () => {
  for (const size of SIZES) {
    test(`a first visit (${size.name}) opens on the heat; “Home” goes back there; “Fit everything” and “Zoom to track” frame the tracks clear of the panel and the map buttons`, async () => {
      // A holiday far away: "Fit everything" takes it in, the opening view and "Home" leave it out.
      const holiday: Line = { name: `${size.name}-holiday.gpx`, title: `Holiday on the ${size.name}`, type: "hike", date: "2020-08-01", from: [38.7, -9.2], to: [38.72, -9.14] };
      const [added] = ingestFiles(db.store, [{ name: holiday.name, bytes: lineGpx(holiday) }]);
      const { page: p } = pages.get(size)!;
      const [ride] = LINES;
      const covers = [size.folded, BUTTONS];
      try {
        await load(p, "#basemap=none");
        const first = await viewOf(p);
        expect(first.zoom).toBeGreaterThan(11);
        expect(first.lat).toBeGreaterThan(47.35);
        expect(first.lat).toBeLessThan(47.4);
        expect(first.lng).toBeGreaterThan(8.48);
        expect(first.lng).toBeLessThan(8.58);
        await expectFramed(size, p, LINES, covers);
        expect(await heatOnRow(size, "page-first-visit", ride.from[0], first)).toBeGreaterThan(100);

        const all = await moved(p, () => size.tap(p, "#fit"));
        expect(all.zoom).toBeLessThan(8);
        await expectFramed(size, p, [...LINES, holiday], covers);
        expect(await heatAt(size, "fit-everything", ride.from[0], ride.from[1], all)).toBeGreaterThan(0);
        expect(await heatAt(size, "fit-everything", holiday.from[0], holiday.from[1], all)).toBeGreaterThan(0);

        const home = await moved(p, () => size.tap(p, "#home"));
        expect(home.zoom).toBeCloseTo(first.zoom, 1);
        expect(home.lat).toBeCloseTo(first.lat, 3);
        expect(home.lng).toBeCloseTo(first.lng, 3);

        // The ride, a little east of the crossing, opened from the heat: "Zoom to track" frames it clear of its card too.
        await size.tap(p, screenOf(size, CROSSING.lat, CROSSING.lng + 0.004, home));
        await size.tap(p, '#near .near-item:has-text("Morning ride")');
        await p.waitForFunction(() => document.querySelector("#activity-title")?.textContent === "Morning ride");
        const zoomed = await moved(p, () => size.tap(p, "#activity-zoom"));
        expect(zoomed.zoom).toBeGreaterThan(home.zoom - 1);
        await expectFramed(size, p, [ride], [...covers, "#activity"]);
        expect(await heatOnRow(size, "zoom-to-track", ride.from[0], zoomed, TRACK_BLUE)).toBeGreaterThan(100);
        await size.tap(p, "#activity-close");
      } finally {
        db.store.deleteActivity(added.key!);
      }
    });
  }
});

describe("resilience", () => {
  for (const size of SIZES) {
    test(`the server stopping and starting again under an open page (${size.name}): a notice clear of the panel, then the heat reloads`, async () => {
      const { page: p } = pages.get(size)!;
      await load(p, HASH);
      expect(await heatOnRow(size, "outage-before", CROSSING.lat)).toBeGreaterThan(100);
      const port = Number(new URL(server.origin).port);
      await server.stop();
      // Moving the map asks for tiles the stopped server cannot give.
      await p.evaluate(() => (location.hash = location.hash.replace(/^#map=14\.00/, "#map=13.00").replace(/^#map=14\//, "#map=13/")));
      await p.waitForSelector('#notices [data-id="server"]');
      expect(await p.textContent('#notices [data-id="server"]')).toContain("cannot be reached");
      // It is not a filter error, and "Retry now" is a real target.
      expect(await p.isHidden("#filter-error")).toBe(true);
      const retry = (await p.locator('#notices [data-id="server"] button:text("Retry now")').boundingBox())!;
      expect(Math.min(retry.width, retry.height)).toBeGreaterThanOrEqual(24);
      await expectNoticeInView(size, p, "server", "outage-down");

      server = await startServer(db.path, { ...FLAGS, port });
      const reloaded = p.waitForResponse((r) => r.url().includes("/tile/13/") && r.status() === 200, { timeout: 30_000 });
      await p.waitForSelector('#notices [data-id="server"]', { state: "detached", timeout: 30_000 });
      await reloaded;
      await settled(p);
      // At zoom 13 the crossing is still the centre; track A crosses the screen there.
      expect(await heatOnRow(size, "outage-back", CROSSING.lat)).toBeGreaterThan(100);
      expect(await p.textContent("#count")).toBe("3 activities");
    });
  }

  for (const size of SIZES) {
    test(`a link with unknown values (${size.name}): defaults instead, and a note naming each`, async () => {
      const { page: p, requests } = pages.get(size)!;
      await load(p, `#map=14/${CROSSING.lat}/${CROSSING.lng}&color=plaid&basemap=moon&size=7&after=2020-13-45&opacity=9`);
      const note = await p.textContent('#notices [data-id="link"]');
      for (const bad of ["plaid", "moon", "7", "2020-13-45", "9"]) expect(note).toContain(`“${bad}”`);
      await expectNoticeInView(size, p, "link", "link-unknown-note");
      // The basemap falls back to the light one, whose default colours are fire.
      const tiles = requests.filter((u) => u.includes("/tile/"));
      expect(tiles.at(-1)).toContain("color=fire");
      expect(tiles.at(-1)).not.toContain("after=");
      expect(await p.textContent("#count")).toBe("3 activities");
      expect(await heatOnRow(size, "link-unknown", CROSSING.lat)).toBeGreaterThan(100);
      expect(await p.inputValue("#tile-url")).toBe(`${server.origin}/tile/{z}/{x}/{y}?color=fire`);
    });
  }

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

  test("a phone in dark mode opens on the dark basemap with the server's default colours, which read on it, in a dark sheet", async () => {
    const dark: Size = { ...PHONE, name: "dark phone", prefix: "phone-dark-", options: { ...PHONE.options, colorScheme: "dark" } };
    const watchedDark = await openPage(browser, dark.options);
    pages.set(dark, watchedDark);
    const { page: p, requests } = watchedDark;
    try {
      // No basemap in the link: it follows the phone's scheme (offline, its dark background stays).
      await load(p, `#map=14/${CROSSING.lat}/${CROSSING.lng}`);
      expect(await p.inputValue("#basemap")).toBe("dark");
      const tiles = requests.filter((u) => u.includes("/tile/"));
      expect(tiles.length).toBeGreaterThan(0);
      expect(tiles.filter((u) => u.includes("color="))).toEqual([]);
      expect(await heatOnRow(dark, "heat", CROSSING.lat)).toBeGreaterThan(100);
      // The map between the tracks is the dark basemap's near-black, not the light page's.
      expect(await heatIn(dark, "heat", { x: 20, y: 600, w: 150, h: 100 }, [14, 14, 16])).toBe(150 * 100 * 4);
      await unfold(dark, p);
      expect(await p.evaluate(() => getComputedStyle(document.querySelector("#panel")!).backgroundColor)).toMatch(/rgba\(28, 28, 31/);
      expect(await p.getAttribute('[data-name="orange"]', "aria-checked")).toBe("true");
      await shot("phone-dark-sheet", p);
    } finally {
      pages.delete(dark);
      await watchedDark.close();
    }
  });
});

describe("explained results", () => {
  for (const size of SIZES) {
    test(`a misspelt property, reversed dates and an empty range each say so at the field (${size.name}); Escape never hides the panel`, async () => {
      const { page: p } = pages.get(size)!;
      await load(p, HASH);
      let fold = await unfold(size, p);
      await p.fill("#filter", "activty_type = ride");
      await p.press("#filter", "Enter");
      await expectAtField(p, "#filter-error", /No activity has the property “activty_type”/);
      expect(await p.textContent("#count")).toBe("0 activities");
      // Escape with nothing pending leaves the field for the map; the panel stays.
      await p.press("#filter", "Escape");
      expect(await p.isVisible("#panel")).toBe(true);
      expect(await p.evaluate(() => document.activeElement?.classList.contains("maplibregl-canvas"))).toBe(true);
      // An edit not yet applied is dropped by Escape.
      await p.fill("#filter", "activity_type = ri");
      await p.press("#filter", "Escape");
      expect(await p.inputValue("#filter")).toBe("activty_type = ride");
      expect(await p.isVisible("#panel")).toBe(true);
      // "Fit" with nothing matching says so, rather than suggesting to add activities (a phone folds its sheet to reach the button).
      await fold();
      await size.tap(p, "#fit");
      await p.waitForFunction(() => /No activity matches the dates and filter/.test(document.querySelector("#toast")?.textContent ?? ""));
      fold = await unfold(size, p);
      await p.fill("#filter", "");
      await p.press("#filter", "Enter");
      await p.waitForFunction(() => document.querySelector("#count")?.textContent === "3 activities");

      await p.fill("#after", "2024-01-01");
      await p.fill("#before", "2023-01-01");
      await expectAtField(p, "#date-error", /is not after “From”/);
      await shot(size.prefix + "explained-reversed-dates", p);
      await p.fill("#before", "");
      await p.fill("#after", "2025-01-01");
      await expectAtField(p, "#date-error", /No activity between these dates; 3 match at other times/);
      expect(await p.textContent("#count")).toBe("0 activities");
      await shot(size.prefix + "explained-empty-range", p);
      await fold();
    });
  }

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
  for (const size of SIZES) {
    test(`chips for the activity types and years in the data (${size.name}) set the filter and the dates, and the heat follows`, async () => {
      const { page: p } = pages.get(size)!;
      await load(p, HASH);
      // On the ride only, a little east of the crossing; the run's column north of it.
      const [rideLat, rideLng] = [CROSSING.lat, CROSSING.lng + 0.004];
      expect(await heatAt(size, "quick-filters-before", rideLat, rideLng)).toBeGreaterThan(20);
      expect(await heatOnColumn(size, "quick-filters-before", CROSSING.lng)).toBeGreaterThan(100);
      let fold = await unfold(size, p);
      await p.waitForSelector("#type-chips button");
      expect(await p.locator("#type-chips button").allTextContents()).toEqual(["Hike1", "Ride1", "Run1"]);
      expect(await p.locator("#year-chips button").allTextContents()).toEqual(["20221", "20231", "20241"]);
      await size.tap(p, '#type-chips [data-label="Ride"]');
      await p.waitForFunction(() => document.querySelector("#count")?.textContent === "1 activity");
      expect(await p.inputValue("#filter")).toBe("activity_type = ride");
      await size.tap(p, '#type-chips [data-label="Run"]');
      await p.waitForFunction(() => document.querySelector("#count")?.textContent === "2 activities");
      expect(await p.inputValue("#filter")).toBe("activity_type in [ride, run]");
      expect(await p.locator('#type-chips [aria-pressed="true"]').allTextContents()).toEqual(["Ride1", "Run1"]);
      await size.tap(p, '#year-chips [data-label="2023"]');
      await p.waitForFunction(() => document.querySelector("#count")?.textContent === "1 activity");
      expect([await p.inputValue("#after"), await p.inputValue("#before")]).toEqual(["2023-01-01", "2024-01-01"]);
      await shot(size.prefix + "quick-filters", p);
      // Rides and runs of 2023: the 2024 ride's heat goes, the run's stays.
      await fold();
      await settled(p);
      expect(await heatAt(size, "quick-filters-after", rideLat, rideLng)).toBe(0);
      expect(await heatOnColumn(size, "quick-filters-after", CROSSING.lng)).toBeGreaterThan(100);
      fold = await unfold(size, p);
      await size.tap(p, '#year-chips [data-label="2023"]');
      await size.tap(p, '#type-chips [data-label="Ride"]');
      await size.tap(p, '#type-chips [data-label="Run"]');
      await p.waitForFunction(() => document.querySelector("#count")?.textContent === "3 activities");
      expect(await p.inputValue("#filter")).toBe("");
      await fold();
    });
  }
});

describe("keyboard", () => {
  for (const size of SIZES) {
    test(`keyboard only (${size.name}): Tab to the map, a centre marker, Enter lists what passes, focus moves to the results, Escape goes back`, async () => {
      const { page: p } = pages.get(size)!;
      await load(p, HASH);
      const onMap = () => p.evaluate(() => document.activeElement?.classList.contains("maplibregl-canvas"));
      for (let i = 0; i < 60 && !(await onMap()); i++) await p.keyboard.press("Tab");
      expect(await onMap()).toBe(true);
      expect(await p.getAttribute("#map", "class")).toContain("keyboard");
      await p.keyboard.press("Enter");
      await p.waitForFunction(() => document.activeElement?.classList.contains("near-item"));
      expect(await p.locator("#near .near-item .title").allTextContents()).toEqual(["Morning ride", "Lunch run"]);
      await shot(size.prefix + "keyboard-near", p);
      await p.keyboard.press("Tab");
      await p.keyboard.press("Enter");
      await p.waitForFunction(() => document.querySelector("#activity-title")?.textContent === "Lunch run");
      await p.keyboard.press("Escape");
      expect(await p.isHidden("#activity")).toBe(true);
      expect(await onMap()).toBe(true);
    });
  }
});

describe("activities", () => {
  for (const size of SIZES) {
    test(`the list of activities (${size.name}) searches and sorts, and opens one's card with its track framed clear of it`, async () => {
      const { page: p } = pages.get(size)!;
      await load(p, HASH);
      await unfold(size, p);
      await size.tap(p, "#list-open");
      await p.waitForFunction(() => document.querySelectorAll("#list-rows .near-item").length === 3);
      const titles = () => p.locator("#list-rows .title").allTextContents();
      expect(await titles()).toEqual(["Morning ride", "Lunch run", "Evening hike"]);
      expect(await p.textContent("#list-rows .meta")).toMatch(/ride · 4\.5 km · \d+ m up$/);
      await p.selectOption("#list-sort", "title");
      expect(await titles()).toEqual(["Evening hike", "Lunch run", "Morning ride"]);
      await p.fill("#list-search", "run");
      await p.waitForFunction(() => document.querySelectorAll("#list-rows .near-item").length === 1);
      expect(await p.textContent("#list-status")).toBe("1 of 3 activities");
      await shot(size.prefix + "activity-list", p);
      const view = await moved(p, () => size.tap(p, "#list-rows .near-item"));
      expect(await p.textContent("#activity-title")).toBe("Lunch run");
      expect(await p.isVisible("#list")).toBe(false);
      // The card and the track both show: on a phone the card is the bottom sheet, the settings folded away.
      const card = (await p.locator("#activity").boundingBox())!;
      if (size === PHONE) expect(card.y + card.height).toBeCloseTo(size.options.viewport.height, 0);
      const run = LINES.find((l) => l.title === "Lunch run")!;
      await expectFramed(size, p, [run], [size.folded, BUTTONS, "#activity"]);
      const top = screenOf(size, run.to[0], run.to[1], view);
      const bottom = screenOf(size, run.from[0], run.from[1], view);
      expect(await heatIn(size, "activity-list-chosen", { x: top.x - 3, y: top.y, w: 7, h: bottom.y - top.y }, TRACK_BLUE)).toBeGreaterThan(100);
      await size.tap(p, "#activity-close");
    });
  }

  for (const size of SIZES) {
    test(`deleting an activity from its card (${size.name}) asks for the owner's token, and its heat goes at once`, async () => {
      // Each size deletes a run of its own, north-south a little west of the crossing, so the others stay.
      const lng = 8.525;
      const run: Line = { name: `${size.name}-run.gpx`, title: `Run on the ${size.name}`, type: "run", date: "2021-03-01", from: [47.35, lng], to: [47.39, lng] };
      const [added] = ingestFiles(db.store, [{ name: run.name, bytes: lineGpx(run) }]);
      expect(added.key).toBeString();
      const { page: p } = pages.get(size)!;
      await load(p, HASH);
      expect(await p.textContent("#count")).toBe("4 activities");
      expect(await heatOnColumn(size, "delete-before", lng)).toBeGreaterThan(100);
      await size.tap(p, screenOf(size, 47.38, lng));
      await p.waitForFunction(() => document.querySelectorAll("#near .near-item").length > 0);
      expect(await p.locator("#near .near-item .title").allTextContents()).toEqual([run.title]);
      await size.tap(p, "#near .near-item");
      await p.waitForFunction((title) => document.querySelector("#activity-title")?.textContent === title, run.title);
      const body = await p.textContent("#activity-body");
      expect(body).toContain("Distance");
      // A file import has no Strava link and no source file name to show, and shows nothing in their place.
      expect(body).not.toContain("null");
      expect(await p.isVisible("#activity-body a")).toBe(false);
      await shot(size.prefix + "activity-delete-card", p);
      p.once("dialog", (d) => d.accept());
      await size.tap(p, "#activity-delete");
      // No token in this browser yet: the server refuses, and the page asks for it.
      await p.waitForSelector("#token-dialog[open]");
      await p.fill("#token-ask", TOKEN);
      const newTiles = p.waitForResponse((r) => r.url().includes("/tile/") && r.status() === 200);
      await size.tap(p, '#token-dialog button[value="ok"]');
      await p.waitForFunction(() => document.querySelector("#count")?.textContent === "3 activities");
      await newTiles;
      await settled(p);
      expect(await p.isHidden("#activity")).toBe(true);
      expect(await heatOnColumn(size, "delete-after", lng)).toBe(0);
      expect(await heatOnRow(size, "delete-after-a", CROSSING.lat)).toBeGreaterThan(100);
      expect(await p.evaluate(() => localStorage.getItem("hotpot.uploadToken"))).toBe(TOKEN);
      expect((await fetch(`${server.origin}/api/activities/${encodeURIComponent(added.key!)}.geojson`)).status).toBe(404);
    });
  }
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

/** Visible controls smaller than 32 px either way, for a fingertip (WCAG 2.2 asks 24 at least). */
function tooSmall(p: Page): Promise<string[]> {
  return p.evaluate(() =>
    [...document.querySelectorAll("button, a[href], input, select")]
      .filter((el) => (el as HTMLElement).offsetParent !== null && el.checkVisibility())
      .map((el) => ({ el: el.outerHTML.slice(0, 70), r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && (r.width < 32 || r.height < 32))
      .map(({ el, r }) => `${el} ${Math.round(r.width)}x${Math.round(r.height)}`),
  );
}

/** The elements matching `others` whose boxes overlap the element matching `selector`. */
function overlapping(p: Page, selector: string, others: string): Promise<string[]> {
  return p.evaluate(
    ([sel, oth]) => {
      const a = document.querySelector(sel)!.getBoundingClientRect();
      return [...document.querySelectorAll(oth)]
        .filter((el) => {
          const b = el.getBoundingClientRect();
          return b.width > 0 && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        })
        .map((el) => el.outerHTML.slice(0, 70));
    },
    [selector, others] as const,
  );
}

describe("phone", () => {
  test("the settings sheet is half the screen and draggable, notices stay outside it, wording fits touch", async () => {
    const phone = await openPage(browser, PHONE.options);
    try {
      await load(phone.page, `${HASH}&color=plaid`);
      // The note about the link shows with the sheet folded, clear of the map's buttons.
      expect(await phone.page.isVisible('#notices [data-id="link"]')).toBe(true);
      expect(await overlapping(phone.page, '#notices [data-id="link"]', BUTTONS)).toEqual([]);
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
      expect(await tooSmall(phone.page)).toEqual([]);
      // The filter help: its examples and properties are tappable, and the table fits across.
      await phone.page.click("#filter-help");
      await phone.page.waitForSelector("#properties tbody th button");
      expect(await tooSmall(phone.page)).toEqual([]);
      expect(await phone.page.$eval("#help .table-wrap", (el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
      await phone.page.keyboard.press("Escape");
      await phone.page.click("#panel-close");

      // An activity's card is a sheet at the bottom; "Zoom to track" frames the track above it.
      await phone.page.touchscreen.tap(195, 422);
      await phone.page.waitForSelector("#near .near-item");
      await phone.page.tap('#near .near-item:has-text("Morning ride")');
      await phone.page.waitForFunction(() => document.querySelector("#activity-title")?.textContent === "Morning ride");
      expect(await tooSmall(phone.page)).toEqual([]);
      await moved(phone.page, () => phone.page.tap("#activity-zoom"));
      // Track A on screen, clear of the card, the folded sheet and the map controls.
      await expectFramed(PHONE, phone.page, [LINES[0]], [PHONE.folded, BUTTONS, "#activity"]);
      await shot("phone-card", phone.page);
    } finally {
      await phone.close();
    }
  });
});
