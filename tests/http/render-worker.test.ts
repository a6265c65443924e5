/**
 * /render on a real server whose render worker misbehaves
 * (tests/fixtures/workers/render-worker-faulty.ts wraps the real one): a
 * crashed worker fails its request and is replaced, and a full queue
 * answers 503 rather than piling up.
 */
import { afterAll, beforeAll, expect, spyOn, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ingestFiles } from "../../src/import/ingest.ts";
import { createApp } from "../../src/server/app.ts";
import { listen, type HttpServer } from "../../src/server/listen.ts";
import { MAX_QUEUED_RENDERS, RenderPool } from "../../src/server/render-pool.ts";
import { openStore, type Store } from "../../src/store.ts";
import { waitUntil } from "../helpers/wait.ts";

const dir = mkdtempSync(join(tmpdir(), "hotpot-render-worker-"));
const faulty = () => new Worker(new URL("../fixtures/workers/render-worker-faulty.ts", import.meta.url));
/** sample.gpx lies in south Berlin. */
const BOUNDS = "13.36,52.48,13.39,52.50";
/** Widths the faulty worker acts on (see the fixture). */
const CRASH = 13;
const HOLD = 14;

let store: Store;
let renderer: RenderPool;
let server: HttpServer;

beforeAll(() => {
  store = openStore(join(dir, "render.sqlite3"));
  const gpx = new Uint8Array(readFileSync(join(import.meta.dir, "../fixtures/activities/sample.gpx")));
  ingestFiles(store, [{ name: "sample.gpx", bytes: gpx }]);
  renderer = new RenderPool(store.path, faulty);
  server = listen(createApp({ store, renderer }), { hostname: "127.0.0.1", port: 0, reusePort: false, log: null, maxRequestBodySize: 1 << 20 });
});
afterAll(async () => {
  await server.stop(true);
  renderer.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const render = (width: number) => fetch(`http://127.0.0.1:${server.port}/render?bounds=${BOUNDS}&width=${width}&height=20`);

test("a crashed render worker fails its request with a logged reason; the next request is drawn", async () => {
  const logged = spyOn(console, "error").mockImplementation(() => {});
  try {
    const crashed = await render(CRASH);
    expect(crashed.status).toBe(500);
    expect(await crashed.text()).toBe("internal error (logged on the server)\n");
    expect(String(logged.mock.calls[0]?.[0])).toMatch(/render worker stopped while handling this task \(with 0 others\): render worker crashed on purpose/);
  } finally {
    logged.mockRestore();
  }
  const next = await render(30);
  expect(next.status).toBe(200);
  expect(next.headers.get("content-type")).toBe("image/png");
  expect((await next.bytes()).byteLength).toBeGreaterThan(0);
});

test("/render answers 503 with Retry-After while its queue is full; closing fails the held requests, and the next is drawn", async () => {
  const held = Array.from({ length: MAX_QUEUED_RENDERS }, () => render(HOLD));
  // The held requests are queued once the renderer counts them all.
  await waitUntil(() => renderer.pending === MAX_QUEUED_RENDERS, { what: `${MAX_QUEUED_RENDERS} renders queued`, everyMs: 1 });
  const busy = await render(30);
  expect(busy.status).toBe(503);
  expect(busy.headers.get("retry-after")).toBe("5");
  expect(await busy.text()).toBe(`render: busy (${MAX_QUEUED_RENDERS} renders are queued); try again shortly\n`);
  // Closing stops the worker: the held requests fail rather than hang, and the next job starts a fresh one.
  const logged = spyOn(console, "error").mockImplementation(() => {});
  try {
    renderer.close();
    for (const response of await Promise.all(held)) expect(response.status).toBe(500);
  } finally {
    logged.mockRestore();
  }
  expect((await render(30)).status).toBe(200);
});
