import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ingestFiles } from "../../src/import/ingest.ts";
import { openStore } from "../../src/store.ts";
import { cellsGeoJson, cellsIn, explore, parseExplorerZoom, type Explorer } from "../../src/explorer-query.ts";
import { maxCluster, maxSquare, type ExploredCells } from "../../src/explorer.ts";
import { Random } from "../../src/synth/random.ts";
import { fixtureDatabase, lineGpx, type Line } from "../helpers/fixture.ts";
import { sqlOf } from "../helpers/sql.ts";
import { compileQuery } from "../../src/query.ts";

let db: ReturnType<typeof fixtureDatabase>;
beforeAll(() => {
  db = fixtureDatabase();
});
afterAll(() => db.cleanup());

/** Scattered cells in a 40 × 40 block, sorted as explore() returns them. */
function scattered(seed: number): Explorer {
  const random = new Random(seed);
  const keys = new Set<number>();
  for (let i = 0; i < 500; i++) keys.add(Math.floor(random.next() * 40) * 1000 + Math.floor(random.next() * 40));
  const sorted = [...keys].sort((a, b) => a - b);
  const n = sorted.length;
  const cells: ExploredCells = {
    zoom: 14,
    x: Uint32Array.from(sorted, (k) => 5000 + Math.floor(k / 1000)),
    y: Uint32Array.from(sorted, (k) => 7000 + (k % 1000)),
    visits: new Uint32Array(n).fill(1),
    first: new Float64Array(n).fill(NaN),
    last: new Float64Array(n).fill(NaN),
  };
  return { zoom: 14, cells, square: maxSquare(cells), cluster: maxCluster(cells), byYear: {}, byMonth: {} };
}

describe("cellsIn", () => {
  test.each([1, 2, 3])("lists exactly the cells of a rectangle (seed %d)", (seed) => {
    const e = scattered(seed);
    const random = new Random(seed + 100);
    for (let k = 0; k < 50; k++) {
      const x0 = 4995 + Math.floor(random.next() * 50);
      const y0 = 6995 + Math.floor(random.next() * 50);
      const x1 = x0 + Math.floor(random.next() * 20);
      const y1 = y0 + Math.floor(random.next() * 20);
      const expected: number[] = [];
      for (let i = 0; i < e.cells.x.length; i++) if (e.cells.x[i] >= x0 && e.cells.x[i] < x1 && e.cells.y[i] >= y0 && e.cells.y[i] < y1) expected.push(i);
      expect([...cellsIn(e, x0, y0, x1, y1)]).toEqual(expected);
    }
  });
});

describe("explore", () => {
  test("answers from its cache until the data changes", () => {
    const first = explore(db.store, 14);
    expect(explore(db.store, 14)).toBe(first);
    expect(explore(db.store, 14, compileQuery({ filter: " " }))).toBe(first);
    db.store.setConfig("trim_dist", 0);
    const again = explore(db.store, 14);
    expect(again).not.toBe(first);
    expect(again.cells.x).toEqual(first.cells.x);
  });

  test("a bad query throws before any work", () => {
    expect(() => explore(db.store, 14, compileQuery({ before: "yesterday" }))).toThrow("before: expected a date YYYY-MM-DD, found 'yesterday'");
  });

  test("GeoJSON is bounded: past the limit it says to ask for less", () => {
    const e = explore(db.store, 17);
    expect(cellsGeoJson(e, null, e.cells.x.length).features).toHaveLength(e.cells.x.length);
    expect(() => cellsGeoJson(e, null, 5)).toThrow("bbox: holds more than 5 explored cells; ask for a smaller area");
  });

  test.each([
    [null, 14],
    ["", 14],
    ["14", 14],
    ["17", 17],
  ] as const)("zoom %p is %d", (text, zoom) => {
    expect(parseExplorerZoom(text)).toBe(zoom);
  });
  test.each(["16", "14.0", "x", "-14", "014"])("zoom %p is refused", (text) => {
    expect(() => parseExplorerZoom(text)).toThrow(`zoom: expected 14 or 17, found '${text}'`);
  });
});

describe("a new data version", () => {
  /** The cells as explore() answers on this connection, and as a fresh connection (which builds from scratch) does. */
  function bothWays(zoom: 14 | 17) {
    const fresh = openStore(db.path, { mustExist: true });
    try {
      const view = (e: Explorer) => ({ x: [...e.cells.x], y: [...e.cells.y], visits: [...e.cells.visits], first: [...e.cells.first], last: [...e.cells.last] });
      return [view(explore(db.store, zoom)), view(explore(fresh, zoom))];
    } finally {
      fresh.close();
    }
  }
  const line = (name: string, date: string, from: [number, number], to: [number, number]): Line => ({ name, title: name, type: "ride", date, from, to });

  test("agrees with a rebuild after adds, deletes, a reused id and a mask", () => {
    for (const zoom of [14, 17] as const) bothWays(zoom);
    const steps: [string, () => void][] = [
      ["an added activity", () => ingestFiles(db.store, [{ name: "d.gpx", bytes: lineGpx(line("d.gpx", "2025-03-01", [47.36, 8.5], [47.36, 8.6])) }])],
      [
        "a deleted one",
        () => {
          const key = db.results[1].key!;
          expect(db.store.deleteActivity(key)).toBe(true);
        },
      ],
      [
        "the newest deleted, its id given to the next",
        () => {
          const newest = sqlOf(db.store).query("SELECT key FROM activities ORDER BY id DESC LIMIT 1").get() as { key: string };
          expect(db.store.deleteActivity(newest.key)).toBe(true);
          ingestFiles(db.store, [{ name: "e.gpx", bytes: lineGpx(line("e.gpx", "2025-04-01", [47.38, 8.45], [47.38, 8.5])) }]);
        },
      ],
      ["a privacy mask", () => db.store.setConfig("activity_masks", [{ name: "m", lat: 47.38, lng: 8.47, radius: 500 }])],
    ];
    for (const [name, change] of steps) {
      const before = explore(db.store, 17).cells.x.length;
      change();
      for (const zoom of [14, 17] as const) {
        const [incremental, rebuilt] = bothWays(zoom);
        expect([name, zoom, incremental]).toEqual([name, zoom, rebuilt]);
      }
      expect([name, explore(db.store, 17).cells.x.length]).not.toEqual([name, before]);
    }
  });
});
