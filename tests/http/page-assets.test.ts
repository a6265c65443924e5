/**
 * The page's files as the server hands them out: the embedded manifest
 * matches public/ (UPDATE_GOLDEN=1 rewrites it), every file the page refers
 * to exists, the map library comes from hotpot, and /api/features tells the
 * page what the server offers.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { brotliDecompressSync } from "node:zlib";
import { createApp } from "../../src/server/app.ts";
import { DEFAULT_UPLOAD } from "../../src/server/upload.ts";
import { PAGE_FILES } from "../../src/server/page-files.ts";
import { pageAssets } from "../../src/server/page.ts";
import { VENDOR_FILES } from "../../src/server/vendor.ts";
import { DEFAULT_PRESET, PRESETS } from "../../src/palette.ts";
import { openStore, type Store } from "../../src/store.ts";
import { UPDATE_GOLDEN } from "../helpers/golden.ts";

const PUBLIC = join(import.meta.dir, "../../public");
const MANIFEST = join(import.meta.dir, "../../src/server/page-files.ts");

function publicFiles(dir = PUBLIC): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? publicFiles(join(dir, e.name)) : [relative(PUBLIC, join(dir, e.name))]))
    .sort();
}

/** The manifest's source for a list of files: one file import each, then the map. */
function manifestSource(files: string[]): string {
  const ident = (path: string) => path.replace(/[^A-Za-z0-9]+/g, "_");
  const header = readFileSync(MANIFEST, "utf8").split("\nimport ")[0];
  return [
    header,
    ...files.map((f) => `import ${ident(f)} from "../../public/${f}" with { type: "file" };`),
    "",
    "/** Path below /static/ (index.html is also /) → embedded path. */",
    "export const PAGE_FILES: Readonly<Record<string, string>> = {",
    ...files.map((f) => `  "${f}": ${ident(f)},`),
    "};",
    "",
  ].join("\n");
}

describe("the embedded page files", () => {
  test("list exactly the files of public/", () => {
    const files = publicFiles();
    if (UPDATE_GOLDEN) writeFileSync(MANIFEST, manifestSource(files));
    expect(Object.keys(PAGE_FILES).sort()).toEqual(files);
    expect(readFileSync(MANIFEST, "utf8")).toBe(manifestSource(files));
  });

  test("every file the page refers to is there", async () => {
    const html = readFileSync(join(PUBLIC, "index.html"), "utf8");
    const referenced = [...html.matchAll(/(?:src|href)="\/static\/([^"]+)"/g)].map((m) => m[1]);
    for (const file of publicFiles().filter((f) => f.endsWith(".js"))) {
      const source = readFileSync(join(PUBLIC, file), "utf8");
      for (const [, spec] of source.matchAll(/^import .* from "([^"]+)";$/gm)) {
        referenced.push(spec.startsWith("/static/") ? spec.slice("/static/".length) : join(file, "..", spec));
      }
    }
    expect(referenced.length).toBeGreaterThan(10);
    const assets = pageAssets();
    const missing: string[] = [];
    for (const path of new Set(referenced)) if (!(await assets.get(path))) missing.push(path);
    expect(missing).toEqual([]);
  });

  const served: [string, string | null][] = [
    ["index.html", "text/html"],
    ["js/main.js", "text/javascript"],
    ["style.css", "text/css"],
    ["favicon.svg", "image/svg+xml"],
    ["vendor/maplibre-gl.mjs", "text/javascript"],
    ["vendor/maplibre-gl-worker.mjs", "text/javascript"],
    ["vendor/maplibre-gl.css", "text/css"],
    ["vendor/pmtiles.js", "text/javascript"],
    ["vendor/maplibre-gl.mjs.map", null],
    ["vendor/../../package.json", null],
    ["constructor", null],
    ["js/nothing.js", null],
  ];
  test.each(served)("%s", async (path, type) => {
    const file = await pageAssets().get(path);
    if (type === null) return expect(file).toBeNull();
    expect(file!.type).toStartWith(type);
    expect(file!.size).toBeGreaterThan(0);
  });

  test("the vendor files are MapLibre's own and the pmtiles reader's browser build", () => {
    expect(Object.keys(VENDOR_FILES).sort()).toEqual(["maplibre-gl-worker.mjs", "maplibre-gl.css", "maplibre-gl.mjs", "pmtiles.js"]);
    expect(readFileSync(VENDOR_FILES["maplibre-gl.mjs"], "utf8")).toStartWith("/**\n* MapLibre GL JS");
    // The browser build defines a global `pmtiles` and imports nothing.
    expect(readFileSync(VENDOR_FILES["pmtiles.js"], "utf8")).toStartWith('"use strict";var pmtiles=');
  });
});

describe("the server's page routes", () => {
  let store: Store;
  beforeAll(() => {
    store = openStore(":memory:");
  });
  afterAll(() => store.close());

  const get = (app: ReturnType<typeof createApp>, path: string) => app.handle(new Request(`http://localhost${path}`));

  test("/ is the map page, /static/vendor/ the map library", async () => {
    const app = createApp({ store });
    const page = await get(app, "/");
    expect(page.status).toBe(200);
    const html = await page.text();
    const hash = /<script type="module" src="\/static\/h-([0-9a-f]{12})\/js\/main\.js">/.exec(html)?.[1];
    expect(hash).toBeDefined();
    // Every asset reference carries the hash, so none is fetched twice across visits.
    expect(html).not.toMatch(/"\/static\/(?!h-)/);
    expect(page.headers.get("cache-control")).toBe("no-cache");
    const lib = await get(app, "/static/vendor/maplibre-gl.mjs");
    expect(lib.status).toBe(200);
    expect(lib.headers.get("content-type")).toStartWith("text/javascript");
    expect(lib.headers.get("cache-control")).toBe("no-cache");
    expect((await get(app, "/static/vendor/%2e%2e%2fpackage.json")).status).toBe(404);
    expect((await get(app, `/static/h-${hash}/vendor/%2e%2e%2fpackage.json`)).status).toBe(404);

    // Under the hashed name: immutable, and compressed for a browser that accepts it.
    const raw = new Uint8Array(await lib.arrayBuffer());
    const hashed = await app.handle(new Request(`http://localhost/static/h-${hash}/vendor/maplibre-gl.mjs`, { headers: { "Accept-Encoding": "gzip, deflate, br" } }));
    expect(hashed.status).toBe(200);
    expect(hashed.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(hashed.headers.get("content-encoding")).toBe("br");
    const packed = new Uint8Array(await hashed.arrayBuffer());
    expect(packed.byteLength).toBeLessThan(raw.byteLength / 3);
    expect(new Uint8Array(brotliDecompressSync(packed))).toEqual(raw);
    // A hash from an older version still answers, but is checked again each time.
    const stale = await get(app, "/static/h-000000000000/js/main.js");
    expect(stale.status).toBe(200);
    expect(stale.headers.get("cache-control")).toBe("no-cache");
  });

  const offers: [string, Parameters<typeof createApp>[0] extends infer O ? Partial<O> : never, { upload: boolean; token: boolean; render: boolean }][] = [
    ["nothing extra", {}, { upload: false, token: false, render: false }],
    ["open uploads", { upload: { ...DEFAULT_UPLOAD, token: null } }, { upload: true, token: false, render: false }],
    ["uploads with a token", { upload: { ...DEFAULT_UPLOAD, token: "s3cret" } }, { upload: true, token: true, render: false }],
    ["image export", { renderer: { render: async () => null, close() {} } }, { upload: false, token: false, render: true }],
  ];
  test.each(offers)("/api/features with %s", async (_name, options, expected) => {
    const res = await get(createApp({ store, ...options }), "/api/features");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = await res.json();
    expect(body).toEqual({ ...expected, version: store.dataVersion(), gradients: PRESETS });
    expect(Object.keys(body.gradients)[0]).toBe(DEFAULT_PRESET);
    expect(JSON.stringify(body)).not.toContain("s3cret");
  });
});
