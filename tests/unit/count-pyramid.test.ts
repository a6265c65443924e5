/**
 * The count pyramid (src/count-pyramid.ts, src/store/counts.ts) on a real SQLite
 * file: every stored tile is byte-equal to drawing it from geometry, at every
 * zoom it covers and both sizes, with and without masks, and stays so after
 * activities are added and deleted (a write removes what it touches, in its
 * own transaction; a build that raced a write stores nothing).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ingestFiles } from "../../src/import/ingest.ts";
import { buildPyramid, MAX_OVERZOOM, PYRAMID_MAX_ZOOM, PYRAMID_SIZES, pyramidTiles, type PyramidLimits } from "../../src/count-pyramid.ts";
import { reading } from "../../src/query.ts";
import { drawTilePart, finishRaster, renderTileCounts, tileView } from "../../src/render.ts";
import { PyramidKeeper } from "../../src/server/pyramid-keeper.ts";
import { TileRenderer } from "../../src/server/tile-helper.ts";
import { openStore, packCounts, type Store } from "../../src/store.ts";
import { CROSSING, fixtureDatabase, fixtureFile, lineGpx, type Line } from "../helpers/fixture.ts";

/** Every tile with geometry under it is judged, and every one that draws anything is stored. */
const ALL: PyramidLimits = { minBytes: 0, minOverzoomBytes: 0, minMarks: 1 };

/** Crosses A and B near their crossing, added later. */
const D: Line = { name: "d-ride.gpx", title: "Detour", type: "ride", date: "2024-06-01", from: [47.36, 8.52], to: [47.38, 8.54] };

let db: ReturnType<typeof fixtureDatabase>;
let store: Store;

beforeAll(async () => {
  db = fixtureDatabase();
  store = db.store;
  // A real recorded ride (Berlin) beside the fixture's straight lines (Zurich).
  ingestFiles(store, [{ name: "sample.gpx", bytes: fixtureFile("sample.gpx") }]);
  await buildPyramid(store, { jobs: 1, limits: ALL });
});
afterAll(() => db.cleanup());

const stored = (s = store) => s.countTileAddresses().filter((t) => t.bytes > 0);
const equal = (a: Uint8Array | null, b: Uint8Array | null) => (a === null || b === null ? a === b : Buffer.compare(a, b) === 0);

/** Every stored tile against drawing it from geometry now; returns how many were compared. */
function expectExact(s = store): number {
  const r = reading(s, null);
  const tiles = stored(s);
  const wrong = tiles.filter((t) => !equal(s.countTile(t.z, t.x, t.y, t.size), drawTilePart(r, t.z, t.x, t.y, t.size as 256 | 512)?.counts ?? null));
  expect(wrong).toEqual([]);
  return tiles.length;
}

/** The tile as the renderer serves it (pyramid first) against drawing it and applying the masks. */
function expectServedExact(): void {
  const r = reading(store, null);
  const renderer = new TileRenderer(store, { helper: false });
  for (const t of stored()) {
    const size = t.size as 256 | 512;
    const raster = drawTilePart(r, t.z, t.x, t.y, size);
    const expected = raster && finishRaster(r, raster, tileView(t.z, t.x, t.y, size));
    const served = renderTileCounts(store, t.z, t.x, t.y, { size });
    const helped = renderer.render(t.z, t.x, t.y, { size }) as Uint8Array | null;
    if (!equal(served, expected) || !equal(helped, expected)) throw new Error(`tile ${t.z}/${t.x}/${t.y} at ${size} px differs from drawing it`);
  }
  renderer.close();
}

/** The tiles the pyramid lacks (none after a build). */
function missing(s = store): string[] {
  const held = new Set(s.countTileAddresses().map((t) => `${t.z}/${t.x}/${t.y}/${t.size}`));
  return pyramidTiles(s, s.config().zoom_levels, ALL)
    .map((t) => `${t.z}/${t.x}/${t.y}/${t.size}`)
    .filter((k) => !held.has(k));
}

const expectComplete = () => expect(missing()).toEqual([]);

describe("count pyramid", () => {
  test("covers zooms 0-17 at both sizes, every tile byte-equal to drawing it", () => {
    const tiles = stored();
    const deepest = Math.min(PYRAMID_MAX_ZOOM, Math.max(...store.config().zoom_levels) + MAX_OVERZOOM);
    expect(deepest).toBe(17);
    for (let z = 0; z <= deepest; z++) {
      for (const size of PYRAMID_SIZES) expect(tiles.some((t) => t.z === z && t.size === size)).toBe(true);
    }
    expect(expectExact()).toBe(tiles.length);
    expectComplete();
  });

  test.each([
    [[2, 6, 10, 14, 16], 17],
    [[2, 6, 10, 14], 15],
    [[2, 6, 10], 11],
  ])("stored levels %j: tiles judged down to zoom %i, one past the deepest level at most", (levels, deepest) => {
    expect(Math.max(...pyramidTiles(store, levels, ALL).map((t) => t.z))).toBe(deepest);
  });

  test("served tiles are the drawn ones, without masks, with a mask, and with everything masked", () => {
    expectServedExact();
    store.setConfig("activity_masks", [{ name: "home", lat: CROSSING.lat, lng: CROSSING.lng, radius: 400 }]);
    expect(stored().length).toBeGreaterThan(0); // masks are applied after the lookup: they leave the pyramid alone
    expectServedExact();
    store.setConfig("activity_masks", [{ name: "all", lat: 50, lng: 11, radius: 1_000_000 }]);
    const t = stored().find((t) => t.z === 12)!;
    expect(renderTileCounts(store, t.z, t.x, t.y, { size: t.size as 256 | 512 })).toBeNull();
    store.unsetConfig("activity_masks");
  });

  test("adding an activity removes the tiles it touches in its transaction; a build draws them again", async () => {
    const before = stored().length;
    const [added] = ingestFiles(store, [{ name: D.name, bytes: lineGpx(D) }]);
    expect(added.status).toBe("added");
    const after = expectExact();
    expect(after).toBeLessThan(before);
    // Berlin's tiles below zoom 4 are not shared with Zurich's, so they stay.
    expect(stored().some((t) => t.z >= 10 && t.x > 2 ** t.z * ((13 + 180) / 360))).toBe(true);
    const build = await buildPyramid(store, { jobs: 1, limits: ALL });
    expect(build.stored).toBeGreaterThan(0);
    expectExact();
    expectComplete();
    expectServedExact();
  });

  test("deleting activities removes the tiles they touch; a build draws them again", async () => {
    const key = db.results.find((r) => r.name === "b-run.gpx")!.key!;
    const before = stored().length;
    expect(store.deleteActivity(key)).toBe(true);
    expect(expectExact()).toBeLessThan(before);
    await buildPyramid(store, { jobs: 1, limits: ALL });
    expectExact();
    expectComplete();
    const a = db.results.find((r) => r.name === "a-ride.gpx")!.key!;
    const c = db.results.find((r) => r.name === "c-hike.gpx")!.key!;
    expect(store.deleteActivities([a, c])).toEqual([]);
    expectExact();
    await buildPyramid(store, { jobs: 1, limits: ALL });
    expectExact();
    expectComplete();
  });

  test("tiles drawn before a write are not stored after it", () => {
    const version = store.dataVersion();
    const t = stored()[0];
    const packed = { z: t.z, x: t.x, y: t.y, size: t.size, packed: new Uint8Array(1) };
    ingestFiles(store, [{ name: "again.gpx", bytes: lineGpx({ ...D, date: "2024-06-02", to: [47.39, 8.5] }) }]);
    expect(store.putCountTiles(version, [packed])).toBe(false);
    expectExact();
  });

  test("a stored tile the limits no longer judge (drawn before they changed) goes with the next build", async () => {
    await buildPyramid(store, { jobs: 1, limits: ALL });
    const before = store.countTileAddresses().length;
    const deepest = Math.max(...store.config().zoom_levels);
    const [t] = stored().filter((t) => t.z === deepest + MAX_OVERZOOM);
    const beyond = { z: t.z + 1, x: 2 * t.x, y: 2 * t.y, size: t.size, packed: packCounts(new Uint8Array(t.size * t.size), t.size) };
    expect(store.putCountTiles(store.dataVersion(), [beyond])).toBe(true);
    expect(store.countTileAddresses().length).toBe(before + 1);
    await buildPyramid(store, { jobs: 1, limits: ALL });
    expect(store.countTileAddresses().map((a) => `${a.z}/${a.x}/${a.y}/${a.size}`)).not.toContain(`${beyond.z}/${beyond.x}/${beyond.y}/${beyond.size}`);
    expect(store.countTileAddresses().length).toBe(before);
    expectComplete();
  });

  test("changing the stored levels empties it; resetting removes it with the activities", async () => {
    await buildPyramid(store, { jobs: 1, limits: ALL });
    expect(stored().length).toBeGreaterThan(0);
    store.setConfig("zoom_levels", [2, 6, 10, 14, 15]);
    expect(store.countTileAddresses()).toEqual([]);
    store.unsetConfig("zoom_levels");
    await buildPyramid(store, { jobs: 1, limits: ALL });
    expect(stored().length).toBeGreaterThan(0);
    store.reset();
    expect(store.countTileAddresses()).toEqual([]);
  });
});

describe("hotpot serve's pyramid keeper", () => {
  test("draws the tiles a write removed again in the background; none is stale meanwhile", async () => {
    const fx = fixtureDatabase();
    const logs: string[] = [];
    const keeper = new PyramidKeeper(fx.store, (line) => logs.push(line), { everyMs: 20, limits: ALL });
    try {
      // The first check builds the pyramid of a database that has none.
      while (missing(fx.store).length > 0 || stored(fx.store).length === 0) await Bun.sleep(20);
      const built = stored(fx.store).length;
      ingestFiles(fx.store, [{ name: D.name, bytes: lineGpx(D) }]);
      expect(expectExact(fx.store)).toBeLessThan(built);
      while (missing(fx.store).length > 0) await Bun.sleep(20);
      expectExact(fx.store);
      expect(logs.every((line) => line.startsWith("count pyramid: ") && line.includes("tiles drawn"))).toBe(true);
    } finally {
      await keeper.close();
      fx.cleanup();
    }
  });
});

describe("stored counts", () => {
  test.each([256, 512])("read back byte for byte at %i px, into their own buffer or a given one, word-aligned or not", (size) => {
    const mem = openStore(":memory:");
    try {
      // Random bytes: every carry the row-above sums can make, within and across bytes of a word.
      const counts = crypto.getRandomValues(new Uint8Array(size * size));
      expect(mem.putCountTiles(mem.dataVersion(), [{ z: 3, x: 1, y: 2, size, packed: packCounts(counts, size) }])).toBe(true);
      expect(equal(mem.countTile(3, 1, 2, size), counts)).toBe(true);
      expect(equal(mem.countTile(3, 1, 2, size, new Uint8Array(size * size)), counts)).toBe(true);
      const unaligned = new Uint8Array(size * size + 1).subarray(1);
      expect(equal(mem.countTile(3, 1, 2, size, unaligned), counts)).toBe(true);
    } finally {
      mem.close();
    }
  });
});
