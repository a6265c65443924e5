/**
 * Debian's Chromium driven by playwright-core, with every request and every
 * console error of a page recorded so tests can assert "nothing left
 * 127.0.0.1" and "no console errors".
 */
import { createCanvas, loadImage } from "@napi-rs/canvas";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
/** Screenshots for people to look at (gitignored). */
export const ARTIFACTS = join(import.meta.dir, "../artifacts");

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // --disable-background-networking: no update checks or safe-browsing calls muddying the request log.
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--use-gl=angle", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"],
  });
}

export interface WatchedPage {
  page: Page;
  /** Every URL the page asked for, in order. */
  requests: string[];
  /** Console errors and uncaught exceptions. */
  errors: string[];
  close(): Promise<void>;
}

export async function openPage(browser: Browser, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  // Fail a step in seconds, not after Playwright's default half minute.
  page.setDefaultTimeout(10_000);
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  return { page, requests, errors, close: () => context.close() };
}

/** Requests that went anywhere but the test server (data: and blob: URLs never leave the page). */
export function outsideRequests(requests: string[], origin: string): string[] {
  return requests.filter((u) => !u.startsWith(origin + "/") && !u.startsWith("data:") && !u.startsWith("blob:"));
}

export function screenshotPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, `${name}.png`);
}

export interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** Decodes a PNG screenshot into RGBA pixels. */
export async function decodePng(png: Uint8Array): Promise<Pixels> {
  const image = await loadImage(Buffer.from(png));
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, image.width, image.height);
  return { width: image.width, height: image.height, data };
}

export type Rgb = [number, number, number];

/** How many pixels of a box are within `tolerance` (per channel) of a colour. */
export function countColour(px: Pixels, box: { x: number; y: number; w: number; h: number }, colour: Rgb, tolerance = 40): number {
  let n = 0;
  for (let y = box.y; y < box.y + box.h; y++) {
    for (let x = box.x; x < box.x + box.w; x++) {
      const i = (y * px.width + x) * 4;
      if (Math.abs(px.data[i] - colour[0]) <= tolerance && Math.abs(px.data[i + 1] - colour[1]) <= tolerance && Math.abs(px.data[i + 2] - colour[2]) <= tolerance) n++;
    }
  }
  return n;
}
