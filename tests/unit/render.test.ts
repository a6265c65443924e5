import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { clipTrack } from "../../src/clip.ts";
import { errorOf } from "../helpers/errors.ts";
import { waitUntil } from "../helpers/wait.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { planBounds, renderBounds, renderBoundsParallel, renderTileCounts, zoomLineWidth, type TileSize } from "../../src/render.ts";
import { SpareCore } from "../../src/server/spare-core.ts";
import { TileRenderer } from "../../src/server/tile-helper.ts";
import { Store } from "../../src/store.ts";
import { Random } from "../../src/synth/random.ts";
import { latToY, lngToX, tileBounds, xToLng, yToLat } from "../../src/tile.ts";
import type { Mask, Properties } from "../../src/types.ts";
import { compileQuery, type ActivityQuery } from "../../src/query.ts";

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function newStore(zoomLevels?: number[]): Store {
  const store = new Store(":memory:");
  if (zoomLevels) store.setConfig("zoom_levels", zoomLevels);
  stores.push(store);
  return store;
}

/** A line through lat,lng waypoints in world space, a point every ~4 m, each moved up to `jitterM` (seeded). */
function line(waypoints: [number, number][], jitterM = 0, seed = 1): Float64Array {
  const random = new Random(seed);
  const out: number[] = [];
  for (let w = 1; w < waypoints.length; w++) {
    const [lat0, lng0] = waypoints[w - 1];
    const [lat1, lng1] = waypoints[w];
    const metres = Math.hypot((lat1 - lat0) * 111_195, (lng1 - lng0) * 111_195 * Math.cos((lat0 * Math.PI) / 180));
    const steps = Math.max(1, Math.ceil(metres / 4));
    for (let i = w === 1 ? 0 : 1; i <= steps; i++) {
      const t = i / steps;
      const jitter = (random.range(-1, 1) * jitterM) / 111_195;
      out.push(lngToX(lng0 + (lng1 - lng0) * t + jitter), latToY(lat0 + (lat1 - lat0) * t + jitter));
    }
  }
  return Float64Array.from(out);
}

let keys = 0;
function addActivity(store: Store, lines: Float64Array[], properties: Properties = {}, startTime: number | null = null, zoomLevels?: number[]): void {
  const config = store.config();
  const tiles = clipTrack({ lines }, zoomLevels ?? config.zoom_levels, config.tile_extent);
  store.insertActivities([{ key: `test:${++keys}`, fileHash: null, title: null, startTime, properties, tiles }]);
}

/** The tile at zoom z holding a point. */
function tileAt(lat: number, lng: number, z: number): { z: number; x: number; y: number } {
  const n = 2 ** z;
  return { z, x: Math.floor(lngToX(lng) * n), y: Math.floor(latToY(lat) * n) };
}

function render(store: Store, t: { z: number; x: number; y: number }, size: TileSize = 512, query: ActivityQuery = {}): Uint8Array | null {
  return renderTileCounts(store, t.z, t.x, t.y, { size, query: compileQuery(query) });
}

// An east-west road of about 4 km through Berlin; tiles are taken around its middle.
const LAT = 52.5123;
const ROAD: [number, number][] = [
  [LAT, 13.37],
  [LAT, 13.43],
];
const MID = { lat: LAT, lng: 13.4003 };

const maxOf = (counts: Uint8Array) => counts.reduce((m, v) => (v > m ? v : m), 0);

/** For each column, the largest count in it. */
function columnMax(counts: Uint8Array, size: number): number[] {
  const out = new Array(size).fill(0);
  for (let i = 0; i < counts.length; i++) out[i % size] = Math.max(out[i % size], counts[i]);
  return out;
}

describe("counts", () => {
  const ZOOMS = [10, 12, 13, 14, 15, 16, 17, 18];
  const SIZES: TileSize[] = [256, 512, 1024];

  test("N activities along one road read N on the road, at every zoom and size", () => {
    for (const n of [1, 3, 12]) {
      const store = newStore();
      for (let i = 0; i < n; i++) addActivity(store, [line(ROAD, 0.05, i + 1)]);
      for (const z of ZOOMS) {
        for (const size of SIZES) {
          const t = tileAt(MID.lat, MID.lng, z);
          const counts = render(store, t, size);
          expect(counts).not.toBeNull();
          // The columns the road spans in this tile, away from its ends.
          const px = (lng: number) => Math.floor((lngToX(lng) * 2 ** z - t.x) * size);
          const first = Math.max(0, px(ROAD[0][1]) + 3);
          const last = Math.min(size - 1, px(ROAD[1][1]) - 3);
          const max = columnMax(counts!, size).slice(first, last + 1);
          // Every such column shows the road at full count, and nothing is above it.
          expect({ z, size, n, columns: max.filter((m) => m !== n).length }).toEqual({ z, size, n, columns: 0 });
          expect(maxOf(counts!)).toBe(n);
          // Only anti-aliasing fringe may read less than N: a band of the line's width and a few pixels.
          const width = Math.max(1, (size / 512) * zoomLineWidth(z));
          const drawn = counts!.reduce((k, v) => k + (v > 0 ? 1 : 0), 0);
          expect(drawn / max.length).toBeGreaterThanOrEqual(width);
          expect(drawn / max.length).toBeLessThanOrEqual(width + 3);
        }
      }
    }
  });

  test("300 activities saturate at 255", () => {
    const store = newStore();
    for (let i = 0; i < 300; i++) addActivity(store, [line(ROAD, 0.05, i + 1)]);
    for (const z of [12, 16]) expect(maxOf(render(store, tileAt(MID.lat, MID.lng, z))!)).toBe(255);
  });

  test("one activity going back and forth and looping over itself counts once", () => {
    const store = newStore();
    const west = 13.39;
    const east = 13.41;
    addActivity(store, [
      line([
        [LAT, west],
        [LAT, east],
        [LAT, west],
        [LAT, east],
        [LAT + 0.003, 13.4003],
        [LAT - 0.003, 13.4003],
        [LAT, west],
      ]),
      line([
        [LAT, west],
        [LAT, east],
      ]),
    ]);
    for (const z of [11, 13, 14, 16, 18]) {
      const counts = render(store, tileAt(MID.lat, MID.lng, z));
      expect({ z, max: maxOf(counts!) }).toEqual({ z, max: 1 });
    }
  });

  test("nothing stored, or a tile away from the data: null", () => {
    expect(render(newStore(), tileAt(MID.lat, MID.lng, 14))).toBeNull();
    const store = newStore();
    addActivity(store, [line(ROAD)]);
    expect(render(store, tileAt(48.1, 11.6, 14))).toBeNull();
  });
});

describe("tiles and levels", () => {
  test("a zoom between stored levels is drawn from the next deeper one", () => {
    const store = newStore([10, 14]);
    // Geometry stored at 14 only: tiles at 11-14 show it, those drawn from 10 do not.
    addActivity(store, [line(ROAD)], {}, null, [14]);
    for (const z of [11, 12, 13, 14]) expect({ z, drawn: render(store, tileAt(MID.lat, MID.lng, z)) !== null }).toEqual({ z, drawn: true });
    for (const z of [9, 10]) expect({ z, drawn: render(store, tileAt(MID.lat, MID.lng, z)) !== null }).toEqual({ z, drawn: false });
  });

  test("over-zoom: each z18 tile shows the line where its z16 parent does", () => {
    const store = newStore();
    // A diagonal with a bend, so it crosses several of the 4 x 4 children.
    addActivity(store, [
      line([
        [LAT + 0.002, 13.398],
        [LAT - 0.001, 13.4015],
        [LAT - 0.0025, 13.4035],
      ]),
    ]);
    const parent = tileAt(MID.lat, MID.lng, 16);
    const p = render(store, parent)!;
    let childrenDrawn = 0;
    for (let cy = 0; cy < 4; cy++) {
      for (let cx = 0; cx < 4; cx++) {
        const child = render(store, { z: 18, x: parent.x * 4 + cx, y: parent.y * 4 + cy });
        // The parent's quarter-by-quarter sub-rectangle, 128 px, against the child pooled 4:1.
        // Within 2 px: the parent draws 4 px lines at z16, the child 8 px at z18, a quarter as wide pooled.
        const near = (a: (i: number, j: number) => number, i: number, j: number) => {
          for (let dj = -2; dj <= 2; dj++) for (let di = -2; di <= 2; di++) if (a(i + di, j + dj) > 0) return true;
          return false;
        };
        const parentAt = (i: number, j: number) => (i < 0 || j < 0 || i >= 128 || j >= 128 ? 0 : p[(cy * 128 + j) * 512 + cx * 128 + i]);
        const pooledAt = (i: number, j: number) => {
          if (!child || i < 0 || j < 0 || i >= 128 || j >= 128) return 0;
          let m = 0;
          for (let v = 0; v < 4; v++) for (let u = 0; u < 4; u++) m = Math.max(m, child[(j * 4 + v) * 512 + i * 4 + u]);
          return m;
        };
        let parentOnly = 0;
        let childOnly = 0;
        for (let j = 0; j < 128; j++) {
          for (let i = 0; i < 128; i++) {
            if (parentAt(i, j) > 0 && !near(pooledAt, i, j)) parentOnly++;
            if (pooledAt(i, j) > 0 && !near(parentAt, i, j)) childOnly++;
          }
        }
        expect({ cx, cy, parentOnly, childOnly }).toEqual({ cx, cy, parentOnly: 0, childOnly: 0 });
        if (child) childrenDrawn++;
      }
    }
    expect(childrenDrawn).toBeGreaterThanOrEqual(4);
  });

  test("seamless: neighbouring tiles put together are the image of their area, no gaps, no double counts", () => {
    // Lines through the corner where four z15 tiles meet: a diagonal, and one running a metre
    // beside a tile edge, so its 2 px band is drawn from the source tiles on both sides.
    const t15 = tileAt(MID.lat, MID.lng, 15);
    const corner = tileBounds(15, t15.x + 1, t15.y + 1);
    const lines = [
      [
        [corner.north + 0.004, corner.west - 0.006],
        [corner.north - 0.004, corner.west + 0.006],
      ],
      [
        [corner.north + 0.00001, corner.west - 0.006],
        [corner.north + 0.00001, corner.west + 0.006],
      ],
    ] as [number, number][][];
    for (const waypoints of lines) {
      const store = newStore();
      addActivity(store, [line(waypoints)]);
      for (const [z, size] of [
        [15, 512],
        [14, 256],
        [16, 512],
        [17, 1024],
      ] as [number, TileSize][]) {
        const n = 2 ** z;
        const x = Math.floor(lngToX(corner.west) * n - 0.5);
        const y = Math.floor(latToY(corner.north) * n - 0.5);
        const stitched = new Uint8Array(4 * size * size);
        for (let dy = 0; dy < 2; dy++) {
          for (let dx = 0; dx < 2; dx++) {
            const t = render(store, { z, x: x + dx, y: y + dy }, size);
            if (!t) continue;
            for (let j = 0; j < size; j++) stitched.set(t.subarray(j * size, (j + 1) * size), (dy * size + j) * 2 * size + dx * size);
          }
        }
        // One activity: a pixel drawn from two source tiles' overlapping buffers still reads 1.
        expect({ z, size, max: maxOf(stitched) }).toEqual({ z, size, max: 1 });
        // No gap: the columns the line spans are all drawn, across the seam too.
        const cols = columnMax(stitched, 2 * size);
        const first = cols.indexOf(1);
        const last = cols.lastIndexOf(1);
        expect({ z, size, gaps: cols.slice(first, last + 1).filter((m) => m === 0).length }).toEqual({ z, size, gaps: 0 });
        expect(first < size && last >= size).toBe(true);
        // The same area as one image (line width as at 512, so not for 1024): the same pixels,
        // except where a neighbour's buffer, simplified a hair differently, adds a fringe pixel.
        if (size === 1024) continue;
        const b = { west: xToLng(x / n), north: yToLat(y / n), east: xToLng((x + 2) / n), south: yToLat((y + 2) / n) };
        const whole = renderBounds(store, b, 2 * size, 2 * size)!;
        let drawn = 0;
        let differing = 0;
        for (let i = 0; i < whole.length; i++) {
          if (whole[i] > 0) drawn++;
          if (whole[i] !== stitched[i]) differing++;
        }
        expect(differing).toBeLessThanOrEqual(Math.ceil(drawn * 0.005));
      }
    }
  });

  test("tile address and size are checked", () => {
    const store = newStore();
    expect(errorOf(() => renderTileCounts(store, 3, 8, 0, { size: 512 })).message).toMatch(/found 3\/8\/0/);
    expect(errorOf(() => renderTileCounts(store, 21, 0, 0, { size: 512 })).code).toBe("bad_argument");
    expect(errorOf(() => renderTileCounts(store, 1, 0, 0, { size: 300 as TileSize })).message).toMatch(/256, 512, 1024, found 300/);
  });
});

describe("masks", () => {
  const haversine = (lat1: number, lng1: number, lat2: number, lng2: number) => {
    const r = Math.PI / 180;
    const a = Math.sin(((lat2 - lat1) * r) / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lng2 - lng1) * r) / 2) ** 2;
    return 2 * 6371008.8 * Math.asin(Math.sqrt(a));
  };

  test("every pixel inside a mask is empty and every pixel outside unchanged, at several zooms", () => {
    const store = newStore();
    for (let i = 0; i < 5; i++) {
      addActivity(store, [line(ROAD, 0.05, i + 1)]);
      addActivity(store, [
        line([
          [LAT - 0.01, 13.4 + i * 0.0002],
          [LAT + 0.01, 13.4 + i * 0.0002],
        ]),
      ]);
    }
    const mask: Mask = { name: "home", lat: LAT + 0.0004, lng: 13.4001, radius: 150 };
    for (const [z, size] of [
      [13, 512],
      [14, 256],
      [15, 512],
      [16, 1024],
      [17, 512],
    ] as [number, TileSize][]) {
      store.setConfig("activity_masks", []);
      const t = tileAt(mask.lat, mask.lng, z);
      const plain = render(store, t, size)!;
      store.setConfig("activity_masks", [mask]);
      const masked = render(store, t, size)!;
      const n = 2 ** z;
      let inside = 0;
      let cleared = 0;
      for (let j = 0; j < size; j++) {
        for (let i = 0; i < size; i++) {
          const p = j * size + i;
          const cx = (lngToX(mask.lng) * n - t.x) * size;
          const cy = (latToY(mask.lat) * n - t.y) * size;
          const nx = Math.min(Math.max(cx, i), i + 1);
          const ny = Math.min(Math.max(cy, j), j + 1);
          const d = haversine(mask.lat, mask.lng, yToLat((t.y + ny / size) / n), xToLng((t.x + nx / size) / n));
          if (d < mask.radius * 0.999) {
            expect(masked[p]).toBe(0);
            if (plain[p] > 0) inside++;
          } else if (d > mask.radius * 1.001) {
            expect(masked[p]).toBe(plain[p]);
          }
          if (plain[p] !== masked[p]) cleared++;
        }
      }
      // The lines did pass through the circle, and were cut there.
      expect(inside).toBeGreaterThan(0);
      expect(cleared).toBeGreaterThanOrEqual(inside);
    }
  });

  test("a tile wholly inside a mask is empty (null)", () => {
    const store = newStore();
    addActivity(store, [line(ROAD)]);
    // A z15 tile is about 745 m across here: 1500 m around a point of it covers it all, but not the 4 km road.
    store.setConfig("activity_masks", [{ name: "all", lat: MID.lat, lng: MID.lng, radius: 1500 }]);
    expect(render(store, tileAt(MID.lat, MID.lng, 15))).toBeNull();
    expect(render(store, tileAt(MID.lat, MID.lng, 10))).not.toBeNull();
  });
});

describe("filters and dates", () => {
  const ROADS: [number, number][][] = [0, 1, 2, 3].map((i) => [
    [LAT + 0.001 * i, 13.39],
    [LAT + 0.001 * i, 13.41],
  ]);
  const ACTIVITIES = [
    { road: 0, properties: { activity_type: "ride", distance: 12000 }, start: Date.UTC(2021, 5, 1) },
    { road: 1, properties: { activity_type: "run", distance: 8000 }, start: Date.UTC(2022, 0, 1) },
    { road: 2, properties: { activity_type: "ride", distance: 52000 }, start: Date.UTC(2022, 6, 10) },
    { road: 3, properties: { activity_type: "hike", distance: 15000 }, start: Date.UTC(2023, 2, 3) },
  ];

  function storeOf(selected: number[]): Store {
    const store = newStore();
    for (const i of selected) addActivity(store, [line(ROADS[ACTIVITIES[i].road])], ACTIVITIES[i].properties, ACTIVITIES[i].start);
    return store;
  }

  test.each([
    [{ filter: 'activity_type = "ride"' }, [0, 2]],
    [{ filter: "distance > 10000" }, [0, 2, 3]],
    [{ filter: 'activity_type = "ride" && distance > 20000' }, [2]],
    [{ after: "2022-01-01" }, [1, 2, 3]],
    [{ before: "2022-01-01" }, [0]],
    [{ after: "2022-01-01", before: "2023-01-01", filter: 'activity_type != "run"' }, [2]],
    [{}, [0, 1, 2, 3]],
  ])("%p draws exactly activities %p", (query, selected) => {
    const all = storeOf([0, 1, 2, 3]);
    const only = storeOf(selected);
    const t = tileAt(LAT + 0.0015, 13.4, 15);
    const filtered = render(all, t, 512, query)!;
    expect(Array.from(filtered)).toEqual(Array.from(render(only, t)!));
  });

  test("a filter that matches nothing gives an empty tile", () => {
    const store = storeOf([0, 1, 2, 3]);
    expect(render(store, tileAt(LAT, 13.4, 15), 512, { filter: 'activity_type = "swim"' })).toBeNull();
    expect(render(store, tileAt(LAT, 13.4, 15), 512, { before: "2000-01-01" })).toBeNull();
  });
});

describe("renderBounds", () => {
  const B = { west: 13.385, south: LAT - 0.01, east: 13.415, north: LAT + 0.01 };

  test.each([
    [1, 1],
    [300, 200],
    [1000, 50],
    [64, 900],
  ])("%p x %p is exactly that size", (width, height) => {
    const store = newStore();
    addActivity(store, [line(ROAD)]);
    expect(renderBounds(store, B, width, height)!.length).toBe(width * height);
  });

  test("the line lands where the bounds say", () => {
    const store = newStore();
    addActivity(store, [line(ROAD)]);
    const counts = renderBounds(store, B, 400, 300)!;
    const y = Math.round(((latToY(LAT) - latToY(B.north)) / (latToY(B.south) - latToY(B.north))) * 300 - 0.5);
    for (const x of [0, 100, 399]) expect(Math.max(counts[(y - 1) * 400 + x], counts[y * 400 + x], counts[(y + 1) * 400 + x])).toBe(1);
  });

  test("picks the stored level of full resolution, and warns when even the deepest is too coarse", () => {
    const store = newStore();
    const km = (w: number) => ({ west: 13.4, south: LAT, east: 13.4 + w / (111.195 * Math.cos((LAT * Math.PI) / 180)), north: LAT + w / 111.195 });
    // 20 km at 2000 px: 10 m a pixel, a 512 px tile at about zoom 12.4: drawn from 14.
    expect(planBounds(store.config(), km(20), 2000, 2000)).toMatchObject({ sourceZoom: 14, warning: null });
    expect(planBounds(store.config(), km(200), 1000, 1000).sourceZoom).toBe(10);
    // 100 m at 4000 px: 2.5 cm a pixel, far below what zoom 16 holds.
    expect(planBounds(store.config(), km(0.1), 4000, 4000).warning).toMatch(/deepest stored zoom \(16\) resolves only about \d+ x \d+ px .* 4000 x 4000 asked for: the image is upscaled/);
  });

  test("in parallel strips: the same image, the same masks and filters", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hotpot-render-parallel-"));
    const store = new Store(join(dir, "db.sqlite3"));
    try {
      for (let i = 0; i < 4; i++) {
        addActivity(store, [line(ROAD, 0.05, i + 1)], { activity_type: i % 2 ? "run" : "ride" });
        addActivity(store, [
          line([
            [LAT - 0.009, 13.39 + i * 0.004],
            [LAT + 0.009, 13.392 + i * 0.004],
          ]),
        ], { activity_type: "ride" });
      }
      store.setConfig("activity_masks", [{ name: "m", lat: LAT, lng: 13.4, radius: 120 }]);
      for (const query of [null, compileQuery({ filter: 'activity_type = "run"' })]) {
        const one = renderBounds(store, B, 1200, 1000, { query })!;
        const parallel = (await renderBoundsParallel(store, B, 1200, 1000, { query, jobs: 3 }))!;
        let drawn = 0;
        let differing = 0;
        for (let i = 0; i < one.length; i++) {
          if (one[i]) drawn++;
          if (one[i] !== parallel[i]) differing++;
        }
        expect(drawn).toBeGreaterThan(1000);
        // Strips meet like tiles do: at most a fringe pixel where a neighbouring source tile's buffer is simplified differently.
        expect(differing).toBeLessThanOrEqual(Math.ceil(drawn * 0.005));
      }
      expect(await renderBoundsParallel(store, B, 1200, 1000, { query: compileQuery({ filter: 'activity_type = "swim"' }), jobs: 2 })).toBeNull();
      // Small images and jobs = 1 are drawn right here: exactly renderBounds.
      expect(await renderBoundsParallel(store, B, 300, 200)).toEqual(renderBounds(store, B, 300, 200));
      expect(await renderBoundsParallel(store, B, 1200, 1000, { jobs: 1 })).toEqual(renderBounds(store, B, 1200, 1000));
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([
    [{ west: 13.5, south: 52.4, east: 13.3, north: 52.6 }, /west < east.*swapped/],
    [{ west: 13.3, south: 52.6, east: 13.5, north: 52.4 }, /south < north.*swapped/],
    [{ west: -181, south: 52.4, east: 13.5, north: 52.6 }, /longitudes from -180 to 180/],
    [{ west: 13.3, south: 52.4, east: 13.5, north: 86 }, /latitudes from -85.05 to 85.05/],
    [{ west: NaN, south: 52.4, east: 13.5, north: 52.6 }, /four numbers/],
  ])("bounds %p are an error", (bounds, message) => {
    const e = errorOf(() => renderBounds(newStore(), bounds, 100, 100));
    expect(e.code).toBe("bad_argument");
    expect(e.message).toMatch(message);
  });

  test.each([
    [0, 100, /width: expected an integer from 1 to 8192, found 0/],
    [100, 8193, /height/],
    [10.5, 100, /width/],
  ])("size %p x %p is an error", (width, height, message) => {
    expect(errorOf(() => renderBounds(newStore(), B, width, height)).message).toMatch(message);
  });
});

describe("tiles on two threads (server/tile-helper.ts)", () => {
  const dir = mkdtempSync(join(tmpdir(), "hotpot-render-helper-"));
  const store = new Store(join(dir, "db.sqlite3"));
  // The machine's own load must not decide whether a test tile is shared: two cores always idle.
  const idle = () => new SpareCore(() => 2 * performance.now());
  const renderer = new TileRenderer(store, { spare: idle() });
  // 300 rides on the road saturate it in the sum of the shares too; crossing lines, a loop over
  // itself (counted once), runs for the filter, and a mask over part of the road.
  for (let i = 0; i < 300; i++) addActivity(store, [line(ROAD, 0.05, i + 1)], { activity_type: i % 3 ? "ride" : "run" });
  for (let i = 0; i < 20; i++) {
    addActivity(store, [
      line([
        [LAT - 0.009, 13.39 + i * 0.001],
        [LAT + 0.009, 13.392 + i * 0.001],
        [LAT - 0.009, 13.39 + i * 0.001],
      ]),
    ], { activity_type: "run" });
  }
  // Two lone activities far apart, one with an odd id and one with an even one: each tile of
  // theirs is drawn by one thread alone.
  const LONE: [number, number][] = [
    [48.137, 11.575],
    [50.11, 8.68],
  ];
  for (const [lat, lng] of LONE) addActivity(store, [line([[lat, lng], [lat + 0.01, lng + 0.01]])]);
  store.setConfig("activity_masks", [{ name: "m", lat: LAT, lng: 13.405, radius: 80 }]);
  afterAll(() => {
    renderer.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const CASES = [10, 12, 13, 14, 15, 16, 17, 18].flatMap((z) =>
    ([256, 512, 1024] as TileSize[]).flatMap((size) => [{}, { filter: 'activity_type = "run"' }].map((query) => ({ t: tileAt(MID.lat, MID.lng, z), size, query }))),
  );

  test("the shares add up to exactly the tile drawn on one thread, masks and filters included", async () => {
    expect(await renderer.ready).toBe(true);
    let saturated = 0;
    for (const { t, size, query } of CASES) {
      const split = renderer.render(t.z, t.x, t.y, { size, query: compileQuery(query) });
      // The helper was free, so this tile was shared with it.
      expect(split).toBeInstanceOf(Promise);
      const counts = await split;
      expect({ t, size, query, same: counts !== null && Bun.deepEquals(counts, render(store, t, size, query)) }).toEqual({ t, size, query, same: true });
      if (maxOf(counts!) === 255) saturated++;
      // Handed back as the server does once a tile is encoded: the next tile of this size is drawn in it.
      renderer.release(counts!);
    }
    expect(saturated).toBeGreaterThan(0);
    for (const [lat, lng] of LONE) {
      const t = tileAt(lat + 0.005, lng + 0.005, 14);
      const counts = await renderer.render(t.z, t.x, t.y, { size: 512 });
      expect(maxOf(counts!)).toBe(1);
      expect(counts).toEqual(render(store, t));
    }
    // Away from the data, and a filter that matches nothing: null, as on one thread.
    expect(await renderer.render(14, 0, 0, { size: 512 })).toBeNull();
    const t = tileAt(MID.lat, MID.lng, 14);
    expect(await renderer.render(t.z, t.x, t.y, { size: 512, query: compileQuery({ filter: 'activity_type = "swim"' }) })).toBeNull();
  });

  test("tiles asked for while the helper is busy are drawn whole, right away; a finished share completes its tile at once", async () => {
    expect(await renderer.ready).toBe(true);
    const asked = CASES.slice(0, 12);
    const answers = asked.map(({ t, size, query }) => renderer.render(t.z, t.x, t.y, { size, query: compileQuery(query) }));
    expect(answers[0]).toBeInstanceOf(Promise);
    const counts = await Promise.all(answers);
    asked.forEach(({ t, size, query }, i) => expect(counts[i]).toEqual(render(store, t, size, query)));
    for (const c of counts) renderer.release(c!);
    // Drawn again in the buffers handed back (more at once than are kept): the same tiles.
    const again = await Promise.all(asked.map(({ t, size, query }) => renderer.render(t.z, t.x, t.y, { size, query: compileQuery(query) })));
    asked.forEach(({ t, size, query }, i) => expect(again[i]).toEqual(render(store, t, size, query)));

    // Without a turn of the event loop (so before the helper's message can arrive), tiles are drawn
    // whole until the helper has finished the first one's share; the next tile then completes
    // that first one and is shared itself.
    const [first, other] = [CASES[0], CASES[1]];
    const shared = renderer.render(first.t.z, first.t.x, first.t.y, { size: first.size, query: compileQuery(first.query) });
    expect(shared).toBeInstanceOf(Promise);
    let next = renderer.render(other.t.z, other.t.x, other.t.y, { size: other.size, query: compileQuery(other.query) });
    let whole = 0;
    for (; !(next instanceof Promise) && whole < 10_000; whole++) {
      expect(next).toEqual(render(store, other.t, other.size, other.query));
      next = renderer.render(other.t.z, other.t.x, other.t.y, { size: other.size, query: compileQuery(other.query) });
    }
    expect(next).toBeInstanceOf(Promise);
    expect(Bun.peek.status(shared as Promise<unknown>)).toBe("fulfilled");
    expect(await shared).toEqual(render(store, first.t, first.size, first.query));
    expect(await next).toEqual(render(store, other.t, other.size, other.query));
  });

  test("a bad tile address fails before the helper is asked", async () => {
    expect(await renderer.ready).toBe(true);
    expect(errorOf(() => renderer.render(3, 9, 0, { size: 512 })).message).toMatch(/tile: expected z 0-20/);
    expect(errorOf(() => renderer.render(3, 0, 0, { size: 300 as TileSize })).message).toMatch(/tile size/);
    const t = tileAt(MID.lat, MID.lng, 16);
    const next = renderer.render(t.z, t.x, t.y, { size: 512 });
    expect(next).toBeInstanceOf(Promise);
    expect(await next).toEqual(render(store, t));
  });

  test("a request that fails on this thread leaves the helper free once it has answered", async () => {
    expect(await renderer.ready).toBe(true);
    const t = tileAt(MID.lat, MID.lng, 14);
    const broken = { where: "no_such_column = 1", params: [], key: "broken", properties: [] };
    expect(() => renderer.render(t.z, t.x, t.y, { size: 512, query: broken })).toThrow("no_such_column");
    // No promise tells when the helper has answered the broken tile's share (its tile was abandoned); until then tiles are drawn whole here.
    let next = null as ReturnType<TileRenderer["render"]>;
    await waitUntil(() => (next = renderer.render(t.z, t.x, t.y, { size: 512 })) instanceof Promise, { what: "a tile shared with the helper again", everyMs: 5 });
    // Its memory was wiped too: the shares still add up exactly.
    expect(await next).toEqual(render(store, t));
  });

  test("closed while a tile waits for it: the helper's share is drawn here", async () => {
    const own = new TileRenderer(store, { spare: idle() });
    expect(await own.ready).toBe(true);
    const t = tileAt(MID.lat, MID.lng, 15);
    const pending = own.render(t.z, t.x, t.y, { size: 512 });
    own.close();
    expect(await pending).toEqual(render(store, t));
    // From then on, tiles are drawn on this thread alone.
    expect(own.render(t.z, t.x, t.y, { size: 512 })).toEqual(render(store, t));
  });

  test("no helper for an in-memory database, which no other thread can open", async () => {
    const memory = newStore();
    addActivity(memory, [line(ROAD)]);
    const inline = new TileRenderer(memory);
    expect(await inline.ready).toBe(false);
    const t = tileAt(MID.lat, MID.lng, 14);
    expect(inline.render(t.z, t.x, t.y, { size: 512 })).toEqual(render(memory, t));
  });
});
