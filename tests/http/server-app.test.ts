/**
 * Every route of createApp through app.handle (no port): statuses, headers,
 * caching and the switches that turn features on and off; then the tile
 * route on a real port, where Bun's router serves it ahead of Elysia.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ingestFiles } from "../../src/import/ingest.ts";
import type { AnyElysia } from "elysia";
import { createApp, type AppOptions } from "../../src/server/app.ts";
import { TileCache } from "../../src/server/cache.ts";
import { DATA_VERSION_MAX_AGE_MS } from "../../src/server/data-version.ts";
import { listen, type HttpServer } from "../../src/server/listen.ts";
import { RenderPool } from "../../src/server/render-pool.ts";
import { DEFAULT_UPLOAD } from "../../src/server/upload.ts";
import { openStore, type Store } from "../../src/store.ts";
import { latToY, lngToX } from "../../src/tile.ts";

const FIXTURES = join(import.meta.dir, "../fixtures/activities");
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));
const dir = mkdtempSync(join(tmpdir(), "hotpot-app-"));
let store: Store;
let renderer: RenderPool;

// sample.gpx, .tcx and .fit all lie in south Berlin.
const LAT = 52.489;
const LNG = 13.377;
const tileAt = (z: number) => `${z}/${Math.floor(lngToX(LNG) * 2 ** z)}/${Math.floor(latToY(LAT) * 2 ** z)}`;
const TILE = `/tile/${tileAt(14)}`;
const EMPTY_TILE = "/tile/10/0/0";

beforeAll(() => {
  store = openStore(join(dir, "app.sqlite3"));
  ingestFiles(store, [
    { name: "sample.gpx", bytes: fixture("sample.gpx") },
    { name: "sample.tcx", bytes: fixture("sample.tcx") },
    { name: "sample.fit", bytes: fixture("sample.fit"), key: "strava:123" },
  ]);
  renderer = new RenderPool(store.path);
});
afterAll(() => {
  renderer.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const app = (options: Partial<AppOptions> = {}) => createApp({ store, ...options });
const req = (path: string, init: RequestInit = {}) => new Request(`http://localhost${path}`, init);
const PNG = [0x89, 0x50, 0x4e, 0x47];

async function fetchBytes(handler: AnyElysia, path: string, init: RequestInit = {}) {
  const response = await handler.handle(req(path, init));
  return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
}

/** Width and height of a PNG from its IHDR chunk. */
const pngSize = (b: Uint8Array) => {
  const view = new DataView(b.buffer, b.byteOffset);
  return [view.getUint32(16), view.getUint32(20)];
};
const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

describe("GET /tile", () => {
  let server: AnyElysia;
  beforeAll(() => {
    server = app();
  });

  test.each([
    ["", 512],
    ["@2x", 1024],
    ["@small", 256],
    [".png", 512],
    ["@2x.png", 1024],
  ])("%s is a %d px PNG with caching headers", async (suffix, size) => {
    const { response, bytes } = await fetchBytes(server, `${TILE}${suffix}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("vary")).toBe("Accept");
    expect(response.headers.get("cache-control")).toBe("public, max-age=0, stale-while-revalidate=86400");
    expect(response.headers.get("etag")).toMatch(/^"[0-9a-z]+"$/);
    expect(response.headers.get("content-length")).toBe(String(bytes.byteLength));
    expect([...bytes.subarray(0, 4)]).toEqual(PNG);
    expect(pngSize(bytes)).toEqual([size, size]);
  });

  test.each([
    ["the .webp suffix", ".webp", {}],
    ["Accept: image/webp", "", { Accept: "image/avif,image/webp,*/*" }],
  ])("%s gives lossless WebP", async (_, suffix, headers) => {
    const { response, bytes } = await fetchBytes(server, `${TILE}${suffix}`, { headers });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/webp");
    expect(ascii(bytes, 0, 4)).toBe("RIFF");
    expect(ascii(bytes, 8, 12)).toBe("WEBP");
    expect(ascii(bytes, 12, bytes.length)).toContain("VP8L");
  });

  test("the .png suffix wins over Accept", async () => {
    const { response } = await fetchBytes(server, `${TILE}.png`, { headers: { Accept: "image/webp" } });
    expect(response.headers.get("content-type")).toBe("image/png");
  });

  test.each([
    ["a tile with no data", EMPTY_TILE],
    ["a filter that matches nothing", `${TILE}?filter=activity_type%20%3D%20%22swim%22`],
    ["a date range with no activity", `${TILE}?after=2100-01-01`],
  ])("%s: 204 without a body", async (_, path) => {
    const { response, bytes } = await fetchBytes(server, path);
    expect(response.status).toBe(204);
    expect(bytes.byteLength).toBe(0);
  });

  test.each([
    ["a non-integer z", "/tile/1.5/0/0", "integers"],
    ["a word for y", "/tile/1/0/zero", "integers"],
    ["a negative x", "/tile/1/-1/0", "integers"],
    ["x out of range", "/tile/1/2/0", "x and y from 0 to 1"],
    ["z out of range", "/tile/21/0/0", "z from 0 to 20"],
    ["an unknown suffix", "/tile/1/0/0@3x", "integers"],
    ["color and gradient together", `${TILE}?color=red&gradient=1:ff0000`, "not both"],
    ["an unknown colour", `${TILE}?color=chartreuse`, "color"],
    ["a bad gradient", `${TILE}?gradient=1:zz`, "gradient"],
    ["a bad date", `${TILE}?before=2024-02-30`, "before"],
    ["a bad filter", `${TILE}?filter=%3D%3D`, "filter"],
    ["an overlong filter", `${TILE}?filter=${"x".repeat(2500)}`, "2000"],
  ])("%s: 400 with a one-line reason", async (_, path, reason) => {
    const { response, bytes } = await fetchBytes(server, path);
    expect(response.status).toBe(400);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain(reason);
    expect(text.trimEnd()).not.toContain("\n");
  });

  test("If-None-Match with the ETag: 304, no body", async () => {
    const first = await server.handle(req(TILE));
    const etag = first.headers.get("etag")!;
    const { response, bytes } = await fetchBytes(server, TILE, { headers: { "If-None-Match": etag } });
    expect(response.status).toBe(304);
    expect(bytes.byteLength).toBe(0);
    expect(response.headers.get("etag")).toBe(etag);
    expect((await server.handle(req(TILE, { headers: { "If-None-Match": '"other"' } }))).status).toBe(200);
  });

  test("a 304 needs no rendering: answered even with nothing cached", async () => {
    const etag = (await app().handle(req(TILE))).headers.get("etag")!;
    const uncached = app({ tileCache: null });
    expect((await uncached.handle(req(TILE, { headers: { "If-None-Match": etag } }))).status).toBe(304);
  });

  test("ETags differ by size, format, colour, scale, mode and query, and are equal for equal requests", async () => {
    const paths = [TILE, `${TILE}@2x`, `${TILE}.webp`, `${TILE}?color=red`, `${TILE}?gradient=1:ff0000;5:ffffff`, `${TILE}?scale=log`, `${TILE}?scale=adaptive`, `${TILE}?mode=recency`, `${TILE}?mode=first`, `${TILE}?after=2020-01-01`, `${TILE}?filter=has%3F%20activity_type`];
    const tags = await Promise.all(paths.map(async (p) => (await server.handle(req(p))).headers.get("etag")));
    expect(new Set(tags).size).toBe(paths.length);
    // Another app (another server process) gives the same tag for the same tile and data.
    expect((await app().handle(req(TILE))).headers.get("etag")).toBe(tags[0]);
    // An empty parameter is the same as none.
    expect((await server.handle(req(`${TILE}?filter=&color=`))).headers.get("etag")).toBe(tags[0]);
  });

  // (Here one activity crosses the tile, so every scale draws it alike: cli-render.test.ts compares the pictures.)
  test("scale=linear and mode=frequency are the defaults; a bad scale or mode is a 400 naming it", async () => {
    const [linear, frequency, plain] = await Promise.all([`${TILE}?scale=linear`, `${TILE}?mode=frequency`, TILE].map((p) => fetchBytes(server, p)));
    expect(linear.bytes).toEqual(plain.bytes);
    expect(frequency.bytes).toEqual(plain.bytes);
    for (const [query, message] of [
      ["scale=sqrt", "scale: expected one of linear, log, adaptive"],
      ["mode=last", "mode: expected one of frequency, recency, first"],
    ]) {
      const bad = await server.handle(req(`${TILE}?${query}`));
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain(message);
    }
  });

  test("a time mode colours by time: the one activity here is the latest, the ramp's end, where its count of 1 is its start", async () => {
    const [recency, plain] = await Promise.all([`${TILE}.png?mode=recency`, `${TILE}.png`].map((p) => fetchBytes(server, p)));
    expect(recency.response.status).toBe(200);
    expect(recency.bytes).not.toEqual(plain.bytes);
  });

  test("colour changes the pixels", async () => {
    const a = await fetchBytes(server, TILE);
    const b = await fetchBytes(server, `${TILE}?color=blue-red`);
    expect(a.bytes).not.toEqual(b.bytes);
  });
});

describe("new ETags after every kind of write", () => {
  const etagOf = async (server: AnyElysia) => (await server.handle(req(TILE))).headers.get("etag")!;

  test("upload, delete and mask change each give a new ETag and new pixels", async () => {
    const server = app({ upload: { ...DEFAULT_UPLOAD, token: null } });
    const seen = new Set<string>();
    const before = await etagOf(server);
    seen.add(before);

    // An upload: the track of sample.tcx again under another key moves the data version.
    const form = new FormData();
    form.append("file", new File([fixture("sample.gpx").slice().reverse() as BlobPart], "junk.gpx"));
    form.append("file", new File([new TextEncoder().encode(readFileSync(join(FIXTURES, "sample.gpx"), "utf8").replace("gravel return", "gravel again")) as BlobPart], "again.gpx"));
    const uploaded = await server.handle(req("/upload", { method: "POST", body: form }));
    expect(uploaded.status).toBe(200);
    const afterUpload = await etagOf(server);
    expect(seen.has(afterUpload)).toBe(false);
    seen.add(afterUpload);
    const { files } = (await uploaded.json()) as { files: { status: string; key?: string }[] };
    const added = files.find((f) => f.status === "added")!;
    expect(added).toBeDefined();

    // If-None-Match with an old tag no longer matches.
    expect((await server.handle(req(TILE, { headers: { "If-None-Match": before } }))).status).toBe(200);

    // Writes not made through the app are another writer's: seen within DATA_VERSION_MAX_AGE_MS.
    expect(store.deleteActivity(added.key!)).toBe(true);
    await Bun.sleep(DATA_VERSION_MAX_AGE_MS + 1);
    const afterDelete = await etagOf(server);
    expect(seen.has(afterDelete)).toBe(false);
    seen.add(afterDelete);

    const masked = await fetchBytes(server, TILE);
    store.setConfig("activity_masks", [{ name: "home", lat: LAT, lng: LNG, radius: 5000 }]);
    await Bun.sleep(DATA_VERSION_MAX_AGE_MS + 1);
    try {
      const afterMask = await fetchBytes(server, TILE);
      expect(seen.has(afterMask.response.headers.get("etag")!)).toBe(false);
      // Everything in this tile lies within 5 km: nothing left to draw.
      expect(afterMask.response.status).toBe(204);
      expect(masked.response.status).toBe(200);
    } finally {
      store.setConfig("activity_masks", []);
    }
  });
});

describe("server-side tile cache", () => {
  test("repeated tiles are kept, and the cache stays within its byte budget", async () => {
    const paths = [TILE, `${TILE}@2x`, `${TILE}@small`, `${TILE}.webp`, `${TILE}@2x.webp`, `${TILE}?color=red`, `${TILE}?color=ice`, `/tile/${tileAt(13)}@2x`, `/tile/${tileAt(12)}@2x`];
    // First with room for all, to learn what they cost.
    const roomy = new TileCache(100_000_000);
    const measure = app({ tileCache: roomy });
    for (const p of paths) expect((await measure.handle(req(p))).status).toBe(200);
    expect(roomy.size).toBe(paths.length);
    await measure.handle(req(TILE));
    expect(roomy.size).toBe(paths.length);

    // Then with room for about half of them: the oldest go, and the budget holds throughout.
    const budget = Math.floor(roomy.usedBytes / 2);
    const small = new TileCache(budget);
    const server = app({ tileCache: small });
    for (const p of paths) {
      expect((await server.handle(req(p))).status).toBe(200);
      expect(small.usedBytes).toBeLessThanOrEqual(budget);
    }
    expect(small.size).toBeGreaterThan(0);
    expect(small.size).toBeLessThan(paths.length);
  });

  test("a write empties the cache of the old version", async () => {
    const cache = new TileCache(1_000_000);
    const server = app({ tileCache: cache });
    await server.handle(req(TILE));
    await server.handle(req(`${TILE}@2x`));
    expect(cache.size).toBe(2);
    store.updateProperties("strava:123", { note: "x" });
    // Written past the app, as another process would: seen once DATA_VERSION_MAX_AGE_MS has passed.
    await Bun.sleep(DATA_VERSION_MAX_AGE_MS + 1);
    await server.handle(req(TILE));
    expect(cache.size).toBe(1);
  });
});

describe("API routes", () => {
  let server: AnyElysia;
  beforeAll(() => {
    server = app();
  });
  const json = async (path: string) => {
    const response = await server.handle(req(path, { headers: { Accept: "application/json" } }));
    expect(response.headers.get("content-type")).toContain("json");
    return { status: response.status, body: await response.json() };
  };

  test("activity count with and without filters", async () => {
    expect(await json("/api/activity-count")).toEqual({ status: 200, body: { count: 3 } });
    expect((await json("/api/activity-count?filter=activity_type%20%3D%20%22ride%22")).body.count).toBeGreaterThanOrEqual(1);
    expect((await server.handle(req("/api/activity-count?after=soon"))).status).toBe(400);
  });

  test("properties, activities, bounds, features and healthz", async () => {
    const properties = await json("/api/properties");
    expect(properties.body.properties.find((p: { key: string }) => p.key === "activity_type")).toMatchObject({ count: 3, types: ["string"] });
    const list = await json("/api/activities?limit=2");
    expect(list.body.total).toBe(3);
    expect(list.body.activities).toHaveLength(2);
    expect((await server.handle(req("/api/activities?limit=0"))).status).toBe(400);
    expect((await server.handle(req("/api/activities?limit=1001"))).status).toBe(400);
    const bounds = await json("/api/bounds");
    const [w, s, e, n] = bounds.body.bounds;
    expect(w < LNG + 0.05 && e > LNG - 0.05 && s < LAT + 0.05 && n > LAT - 0.05).toBe(true);
    expect((await json("/api/features")).body).toMatchObject({ upload: false, token: false, render: false });
    expect((await json("/healthz")).body).toEqual({ status: "ok", data_version: store.dataVersion(), activities: 3 });
  });

  test("an activity's GeoJSON by its URL-encoded key; 404 when unknown", async () => {
    const found = await server.handle(req(`/api/activities/${encodeURIComponent("strava:123")}.geojson`));
    expect(found.status).toBe(200);
    expect(found.headers.get("content-type")).toBe("application/geo+json");
    const feature = await found.json();
    expect(feature.geometry.type).toBe("MultiLineString");
    expect(feature.geometry.coordinates.length).toBeGreaterThan(0);
    expect(feature.properties.key).toBe("strava:123");
    for (const path of ["/api/activities/strava%3A999.geojson", "/api/activities/strava%3A123", "/api/activities/file%3Anope.geojson"]) {
      expect((await server.handle(req(path))).status).toBe(404);
    }
  });
});

describe("page and static files", () => {
  let server: AnyElysia;
  beforeAll(() => {
    server = app();
  });

  test("/ is the map page; /static/ serves its assets with ETags", async () => {
    const page = await server.handle(req("/"));
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const css = await server.handle(req("/static/vendor/maplibre-gl.css"));
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toContain("text/css");
    const again = await server.handle(req("/static/vendor/maplibre-gl.css", { headers: { "If-None-Match": css.headers.get("etag")! } }));
    expect(again.status).toBe(304);
  });

  test.each([
    "/static/nope.js",
    "/static/",
    "/static/..%2fpackage.json",
    "/static/..%2F..%2Fpackage.json",
    "/static/%2e%2e%2fpackage.json",
    "/static/vendor%2f..%2f..%2fpackage.json",
    "/static/%2fetc%2fpasswd",
    "/static//etc/passwd",
    "/static/..%5cpackage.json",
    "/static/.env",
  ])("%s: 404, nothing outside the page's files", async (path) => {
    const response = await server.handle(req(path));
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain("hotpot");
  });
});

describe("/render", () => {
  const BOUNDS = "13.36,52.48,13.39,52.50";

  test("absent without a renderer: 404", async () => {
    expect((await app().handle(req(`/render?bounds=${BOUNDS}&width=100&height=100`))).status).toBe(404);
  });

  test("draws the asked size off the request thread", async () => {
    const server = app({ renderer });
    const { response, bytes } = await fetchBytes(server, `/render?bounds=${BOUNDS}&width=300&height=200`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(pngSize(bytes)).toEqual([300, 200]);
    const webp = await fetchBytes(server, `/render?bounds=${BOUNDS}&width=30&height=20&format=webp`);
    expect(ascii(webp.bytes, 8, 12)).toBe("WEBP");
    const empty = await server.handle(req("/render?bounds=-10,-10,-9,-9&width=100&height=100"));
    expect(empty.status).toBe(204);
  });

  test("draws in a mode and scale, each with its own ETag", async () => {
    const server = app({ renderer });
    const paths = ["", "&mode=recency", "&mode=first&scale=adaptive"].map((q) => `/render?bounds=${BOUNDS}&width=300&height=200${q}`);
    const answers = await Promise.all(paths.map((p) => fetchBytes(server, p)));
    for (const { response, bytes } of answers) {
      expect(response.status).toBe(200);
      expect(pngSize(bytes)).toEqual([300, 200]);
    }
    expect(new Set(answers.map((a) => a.response.headers.get("etag"))).size).toBe(3);
    expect(answers[1].bytes).not.toEqual(answers[0].bytes);
  });

  test.each([
    ["width 0", `bounds=${BOUNDS}&width=0&height=10`, "width"],
    ["width 3001", `bounds=${BOUNDS}&width=3001&height=10`, "width"],
    ["height 3001", `bounds=${BOUNDS}&width=10&height=3001`, "height"],
    ["no height", `bounds=${BOUNDS}&width=10`, "height"],
    ["three numbers", "bounds=1,2,3&width=10&height=10", "bounds"],
    ["swapped bounds", "bounds=13.39,52.48,13.36,52.50&width=10&height=10", "bounds"],
    ["latitude past the map", "bounds=0,0,1,89&width=10&height=10", "bounds"],
    ["a bad format", `bounds=${BOUNDS}&width=10&height=10&format=gif`, "format"],
    ["a bad filter", `bounds=${BOUNDS}&width=10&height=10&filter=%3D`, "filter"],
    ["a bad scale", `bounds=${BOUNDS}&width=10&height=10&scale=sqrt`, "scale"],
    ["a bad mode", `bounds=${BOUNDS}&width=10&height=10&mode=last`, "mode"],
  ])("%s: 400", async (_, query, reason) => {
    const response = await app({ renderer }).handle(req(`/render?${query}`));
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(reason);
  });
});

describe("switches", () => {
  test.each([
    ["POST /upload", "/upload", "POST"],
    ["GET /render", "/render?bounds=0,0,1,1&width=1&height=1", "GET"],
    ["POST /fetch/intervals.icu", "/fetch/intervals.icu", "POST"],
    ["GET /strava/webhook", "/strava/webhook?hub.mode=subscribe", "GET"],
    ["an unknown path", "/nothing/here", "GET"],
  ])("%s is 404 when its feature is off", async (_, path, method) => {
    expect((await app().handle(req(path, { method }))).status).toBe(404);
  });

  test("without --cors there are no CORS headers at all", async () => {
    const server = app();
    for (const path of [TILE, "/api/activity-count", `${TILE}?color=nope`]) {
      const response = await server.handle(req(path, { headers: { Origin: "https://example.org" } }));
      expect([...response.headers.keys()].filter((k) => k.startsWith("access-control"))).toEqual([]);
    }
    expect((await server.handle(req(TILE, { method: "OPTIONS" }))).status).toBe(405);
  });

  test("with --cors, GET answers (errors included) allow any origin, and preflight works", async () => {
    const server = app({ cors: true, upload: { ...DEFAULT_UPLOAD, token: null } });
    for (const [path, status] of [
      [TILE, 200],
      [EMPTY_TILE, 204],
      ["/api/activity-count", 200],
      [`${TILE}?color=nope`, 400],
      ["/api/activities/nope.geojson", 404],
    ] as const) {
      const response = await server.handle(req(path, { headers: { Origin: "https://example.org" } }));
      expect(response.status).toBe(status);
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
    }
    const preflight = await server.handle(req(TILE, { method: "OPTIONS", headers: { Origin: "https://example.org", "Access-Control-Request-Method": "GET" } }));
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-methods")).toBe("GET");
    // Writes stay same-origin.
    const post = await server.handle(req("/upload", { method: "POST", body: new FormData(), headers: { Origin: "https://example.org" } }));
    expect(post.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("on a port", () => {
  // listen() serves the tile route through Bun's router, ahead of Elysia: the answers must not differ.
  let server: HttpServer;
  const log: string[] = [];
  beforeAll(() => {
    server = listen(app({ cors: true }), { hostname: "127.0.0.1", port: 0, reusePort: false, log: (line) => log.push(line), maxRequestBodySize: 1 << 20 });
  });
  afterAll(() => server.stop(true));
  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;

  test("tiles answer as through app.handle, with CORS and a request line", async () => {
    const viaPort = await fetch(url(TILE), { headers: { Origin: "https://example.org" } });
    const viaApp = await fetchBytes(app(), TILE);
    expect(viaPort.status).toBe(200);
    expect(viaPort.headers.get("access-control-allow-origin")).toBe("*");
    expect(viaPort.headers.get("etag")).toBe(viaApp.response.headers.get("etag"));
    expect(new Uint8Array(await viaPort.arrayBuffer())).toEqual(viaApp.bytes);
    const revalidated = await fetch(url(TILE), { headers: { "If-None-Match": viaPort.headers.get("etag")! } });
    expect(revalidated.status).toBe(304);
    expect((await fetch(url(EMPTY_TILE))).status).toBe(204);
    expect(log.some((line) => line.includes(`GET ${TILE} 200 `) && line.endsWith(`${viaApp.bytes.byteLength}B`))).toBe(true);
  });

  test.each([
    [`${TILE}?color=nope`, /color/],
    ["/tile/14/1/x", /tile: expected/],
    ["/tile/3/8/0", /x and y from 0 to 7/],
  ])("%s: 400 with the reason, CORS and a request line", async (path, reason) => {
    const response = await fetch(url(path));
    expect(response.status).toBe(400);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(await response.text()).toMatch(reason);
    expect(log.some((line) => line.includes(`GET ${path} 400 `))).toBe(true);
  });

  test("other methods on a tile path still reach the app: preflight, and 405 with Allow for POST", async () => {
    expect((await fetch(url(TILE), { method: "OPTIONS" })).status).toBe(204);
    const post = await fetch(url(TILE), { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
  });
});
