import { afterEach, describe, expect, test } from "bun:test";
import { clipTrack } from "../../src/clip.ts";
import { parseMode, renderBoundsHeat, renderTileHeat } from "../../src/heat-mode.ts";
import { Store } from "../../src/store.ts";
import { latToY, lngToX } from "../../src/tile.ts";
import { compileQuery, type ActivityQuery } from "../../src/query.ts";

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

const LAT = 52.5123;
/** A straight east-west line at LAT from lng0 to lng1, a point every ~70 m. */
function road(lng0: number, lng1: number): Float64Array {
  const out: number[] = [];
  for (let i = 0; i <= 60; i++) out.push(lngToX(lng0 + ((lng1 - lng0) * i) / 60), latToY(LAT));
  return Float64Array.from(out);
}

let keys = 0;
function add(store: Store, line: Float64Array, startTime: number | null, type = "ride"): void {
  const { zoom_levels, tile_extent } = store.config();
  const tiles = clipTrack({ lines: [line] }, zoom_levels, tile_extent);
  store.insertActivities([{ key: `test:${++keys}`, fileHash: null, title: null, startTime, properties: { activity_type: type }, tiles }]);
}

const T1 = Date.UTC(2020, 0, 1);
const T2 = Date.UTC(2022, 0, 1);
const T3 = Date.UTC(2024, 0, 1);
const bucket = (t: number, first: number, last: number) => 1 + Math.round((254 * (t - first)) / (last - first));

/**
 *   lng 13.37          13.40           13.43
 *   T1   ──────────────────────────────────    ride
 *   T2   ──────────────────────────────────    run
 *   T3   ──────────────────                    ride
 *   none ──────────────────────────────────    (no start time: left out)
 */
function store(): Store {
  const s = new Store(":memory:");
  stores.push(s);
  add(s, road(13.37, 13.43), T2, "run");
  add(s, road(13.37, 13.4), T3);
  add(s, road(13.37, 13.43), T1);
  add(s, road(13.37, 13.43), null);
  return s;
}

/** The values along the road's row of the 512 px tile at zoom 14 holding lng: the highest in the row's band. */
function valueAt(s: Store, lng: number, mode: "recency" | "first" | "frequency", query: ActivityQuery = {}): number {
  const z = 14;
  const n = 2 ** z;
  const x = Math.floor(lngToX(lng) * n);
  const y = Math.floor(latToY(LAT) * n);
  const values = renderTileHeat(s, z, x, y, { size: 512, query: compileQuery(query), mode });
  if (!values) return 0;
  const px = Math.floor((lngToX(lng) * n - x) * 512);
  const py = Math.floor((latToY(LAT) * n - y) * 512);
  let max = 0;
  for (let dy = -2; dy <= 2; dy++) max = Math.max(max, values[(py + dy) * 512 + px] ?? 0);
  return max;
}

describe("time modes", () => {
  test.each([
    ["recency, where all three passed: the latest", "recency", 13.38, bucket(T3, T1, T3)],
    ["recency, where T3 did not go: T2", "recency", 13.42, bucket(T2, T1, T3)],
    ["first, anywhere: the earliest", "first", 13.38, bucket(T1, T1, T3)],
    ["first, east as well", "first", 13.42, bucket(T1, T1, T3)],
    ["frequency counts the activity without a start time too", "frequency", 13.42, 3],
  ] as const)("%s", (_, mode, lng, expected) => {
    expect(valueAt(store(), lng, mode)).toBe(expected);
  });

  test("the filters are shared, and the time span is the selected activities'", () => {
    const s = store();
    // Rides only: T1 and T3, so T3 is the span's end and T1 its start.
    expect(valueAt(s, 13.38, "recency", { filter: 'activity_type = "ride"' })).toBe(255);
    expect(valueAt(s, 13.42, "recency", { filter: 'activity_type = "ride"' })).toBe(1);
    // Before 2023: T1 and T2; T2 is now the latest.
    expect(valueAt(s, 13.38, "recency", { before: "2023-01-01" })).toBe(255);
    expect(valueAt(s, 13.38, "first", { after: "2021-01-01" })).toBe(1);
    expect(valueAt(s, 13.38, "recency", { filter: 'activity_type = "swim"' })).toBe(0);
  });

  test("time modes draw where frequency draws, less the activities without a start time", () => {
    const s = new Store(":memory:");
    stores.push(s);
    add(s, road(13.37, 13.43), null);
    expect(valueAt(s, 13.38, "frequency")).toBe(1);
    expect(valueAt(s, 13.38, "recency")).toBe(0);
    add(s, road(13.37, 13.43), T1);
    const z = 14;
    const [x, y] = [Math.floor(lngToX(13.4) * 2 ** z), Math.floor(latToY(LAT) * 2 ** z)];
    const counts = renderTileHeat(s, z, x, y, { size: 512, mode: "frequency" })!;
    const times = renderTileHeat(s, z, x, y, { size: 512, mode: "recency" })!;
    expect(times.some((v, i) => (v !== 0) !== (counts[i] !== 0))).toBe(false);
    // One start time only: it is the latest, the ramp's end.
    expect(Math.max(...times)).toBe(255);
  });

  test("an image over the bounds agrees with the tiles", async () => {
    const s = store();
    const image = await renderBoundsHeat(s, { west: 13.36, south: LAT - 0.01, east: 13.44, north: LAT + 0.01 }, 400, 100, { mode: "recency" });
    expect(new Set(image!.filter((v) => v > 0))).toEqual(new Set([bucket(T2, T1, T3), 255]));
  });
});

describe("parseMode", () => {
  test.each(["frequency", "recency", "first"])("%p", (text) => expect(parseMode(text)).toBe(text as never));
  test.each(["", "last", "Recency"])("%p is an error naming the parameter", (text) => {
    expect(() => parseMode(text, "--mode")).toThrow(`--mode: expected one of frequency, recency, first, found '${text}'`);
  });
});
