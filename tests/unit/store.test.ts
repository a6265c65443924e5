import { describe, expect, test } from "bun:test";
import { openStore } from "../../src/store.ts";
import type { TileGeometry } from "../../src/types.ts";

/** One activity per (x, y) of a 100 x 100 block of zoom-10 tiles, plus a second one on a few tiles. */
function gridStore() {
  const store = openStore(":memory:");
  const tile = (x: number, y: number): TileGeometry => ({ z: 10, x, y, geometry: Uint8Array.of(x & 0x7f, y & 0x7f) });
  const records = [];
  for (let x = 400; x < 500; x++) {
    for (let y = 300; y < 400; y++) records.push({ key: `a:${x}:${y}`, fileHash: null, title: null, startTime: null, properties: {}, tiles: [tile(x, y)] });
  }
  records.push({ key: "long", fileHash: null, title: null, startTime: null, properties: {}, tiles: [tile(401, 301), tile(402, 301), tile(401, 399)] });
  store.insertActivities(records);
  return store;
}

describe("tileRows", () => {
  const store = gridStore();
  test.each([
    ["one tile", 401, 402, 301, 302, 2],
    ["a few columns, a band of rows", 410, 418, 350, 358, 64],
    ["columns past the data", 495, 510, 395, 420, 25],
    ["more columns than are queried one by one", 400, 500, 300, 302, 202],
    ["a whole level", 0, 1024, 0, 1024, 10_003],
  ])("%s: every row inside the range and nothing else", (_, x0, x1, y0, y1, expected) => {
    const rows = store.tileRows(10, x0, x1, y0, y1);
    expect(rows.length).toBe(expected);
    for (const r of rows) {
      expect(r.x >= x0 && r.x < x1 && r.y >= y0 && r.y < y1).toBe(true);
      expect(Array.from(r.geometry)).toEqual([r.x & 0x7f, r.y & 0x7f]);
    }
    expect(store.tileRows(11, x0, x1, y0, y1)).toEqual([]);
  });
});

describe("storedTileAddresses", () => {
  test("each stored tile of a level once, in key order, whatever the number of activities on it", () => {
    const store = gridStore();
    const xy = store.storedTileAddresses(10);
    expect(xy.length).toBe(2 * 100 * 100);
    // (401, 301) holds two activities and is listed once.
    expect([xy[0], xy[1], xy[2], xy[3], xy[200], xy[201]]).toEqual([400, 300, 400, 301, 401, 300]);
    expect(store.storedTileAddresses(11)).toEqual(new Uint32Array(0));
  });
});
