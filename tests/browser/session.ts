/**
 * What every map page test file starts from: the fixture database, a real
 * `hotpot serve` on it, Chromium and one watched page.
 */
import { afterEach, beforeEach, expect } from "bun:test";
import type { Browser, BrowserContextOptions } from "playwright-core";
import { launch, openPage, outsideRequests, type WatchedPage } from "./browser.ts";
import { fixtureDatabase } from "../helpers/fixture.ts";
import { startServer, type RunningServer, type ServeFlags } from "../helpers/server.ts";

export interface PageSession {
  server: RunningServer;
  browser: Browser;
  watched: WatchedPage;
  /** Another page in a fresh browser context (no storage, no history), with the session's page options. */
  newPage(): Promise<WatchedPage>;
  /** Closes the browser, stops the server and removes the database. */
  close(): Promise<void>;
}

export async function startPageSession(flags: ServeFlags, page: BrowserContextOptions): Promise<PageSession> {
  const db = fixtureDatabase();
  const [server, browser] = await Promise.allSettled([startServer(db.path, flags), launch()]);
  const close = async () => {
    if (browser.status === "fulfilled") await browser.value.close();
    if (server.status === "fulfilled") await server.value.stop();
    db.cleanup();
  };
  try {
    if (server.status === "rejected") throw server.reason;
    if (browser.status === "rejected") throw browser.reason;
    const b = browser.value;
    const newPage = () => openPage(b, page);
    return { server: server.value, browser: b, watched: await newPage(), newPage, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Gives every test of a file a page of its own, in a fresh context, so no test
 * depends on what another left behind; after each test, checks that the page
 * asked nothing of anyone but the test server. Returns the current test's page.
 */
export function pagePerTest(session: () => PageSession): () => WatchedPage {
  let watched: WatchedPage;
  beforeEach(async () => {
    watched = await session().newPage();
  });
  afterEach(async () => {
    const outside = outsideRequests(watched.requests, session().server.origin);
    await watched.close();
    expect(outside).toEqual([]);
  });
  return () => watched;
}
