import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createCanvas, loadImage } from "@napi-rs/canvas";
import { createApp } from "../../src/server/app.ts";
import { TileCache } from "../../src/server/cache.ts";
import { latToY, lngToX } from "../../src/tile.ts";
import { fixtureDatabase, LINES, CROSSING } from "../helpers/fixture.ts";

let db: ReturnType<typeof fixtureDatabase>;
let app: ReturnType<typeof createApp>;
beforeAll(() => {
  db = fixtureDatabase();
  app = createApp({ store: db.store, tileCache: new TileCache(8 << 20) });
});
afterAll(() => db.cleanup());

const get = (path: string, headers: Record<string, string> = {}) => app.handle(new Request(`http://localhost${path}`, { headers }));
const getJson = async (path: string) => {
  const response = await get(path);
  expect(response.status).toBe(200);
  return response.json();
};

/**
 * The cells each fixture line crosses, worked out from its end points: the
 * lines run due east or due north, so they cross one row (or column) of cells.
 */
function lineCells(zoom: number, index: number): string[] {
  const { from, to } = LINES[index];
  const side = 2 ** zoom;
  const cells: string[] = [];
  const [x0, x1] = [Math.floor(lngToX(from[1]) * side), Math.floor(lngToX(to[1]) * side)];
  const [y0, y1] = [Math.floor(latToY(to[0]) * side), Math.floor(latToY(from[0]) * side)];
  for (let x = x0; x <= x1; x++) for (let y = Math.min(y0, y1); y <= Math.max(y0, y1); y++) cells.push(`${x}/${y}`);
  return cells;
}

const cellsOf = (geojson: { features: { properties: { x: number; y: number } }[] }) => geojson.features.map((f) => `${f.properties.x}/${f.properties.y}`).sort();
const WORLD = "bbox=-180,-85,180,85";

describe.each([14, 17])("zoom %d", (zoom) => {
  const [ride, run, hike] = [0, 1, 2].map((i) => lineCells(zoom, i));
  const all = [...new Set([...ride, ...run, ...hike])].sort();

  test("the API's cells are exactly those the lines cross", async () => {
    expect(cellsOf(await getJson(`/api/explorer/tiles?zoom=${zoom}&${WORLD}`))).toEqual(all);
    expect(cellsOf(await getJson(`/api/explorer/tiles?zoom=${zoom}&${WORLD}&filter=activity_type%20%3D%20ride`))).toEqual([...ride].sort());
    expect(cellsOf(await getJson(`/api/explorer/tiles?zoom=${zoom}&${WORLD}&after=2023-01-01&before=2024-01-01`))).toEqual([...run].sort());
  });

  test("numbers: total, square, cluster and first explored per year", async () => {
    const numbers = await getJson(`/api/explorer?zoom=${zoom}`);
    const firstBy = (mine: string[], earlier: string[]) => mine.filter((c) => !earlier.includes(c)).length;
    const { square, cluster } = bruteForce(all);
    expect(numbers).toMatchObject({ zoom, explored: all.length, max_square: { size: square }, max_cluster: { size: cluster } });
    // Where the run crosses the ride, the cell has four explored neighbours.
    expect(cluster).toBeGreaterThanOrEqual(1);
    expect(numbers.by_year).toEqual({ "2022": hike.length, "2023": firstBy(run, hike), "2024": firstBy(ride, [...run, ...hike]) });
    expect(Object.values(numbers.by_month as Record<string, number>).reduce((a, b) => a + b)).toBe(all.length);
  });

  test("the crossing cell counts two visits, first by the run and last by the ride", async () => {
    const side = 2 ** zoom;
    const [x, y] = [Math.floor(lngToX(CROSSING.lng) * side), Math.floor(latToY(CROSSING.lat) * side)];
    const { features } = await getJson(`/api/explorer/tiles?zoom=${zoom}&${WORLD}`);
    const crossing = features.find((f: { properties: { x: number; y: number } }) => f.properties.x === x && f.properties.y === y);
    expect(crossing.properties).toMatchObject({ visits: 2, first_visit: "2023-07-10T07:00:00.000Z", last_visit: "2024-05-01T07:00:00.000Z" });
    expect(crossing.geometry.type).toBe("Polygon");
  });

  test("the tile layer draws every cell the API lists, and nothing beside them", async () => {
    const listed = new Set(all);
    // Every cell of a block around the data, one 256-px tile per cell: explored ones are drawn, the others empty.
    const [xs, ys] = [all.map((c) => +c.split("/")[0]), all.map((c) => +c.split("/")[1])];
    for (let x = Math.min(...xs) - 1; x <= Math.max(...xs) + 1; x += zoom === 17 ? 7 : 1) {
      for (let y = Math.min(...ys) - 1; y <= Math.max(...ys) + 1; y += zoom === 17 ? 3 : 1) {
        const response = await get(`/explorer/${zoom}/${x}/${y}@small.png?zoom=${zoom}`);
        expect([x, y, response.status]).toEqual([x, y, listed.has(`${x}/${y}`) ? 200 : 204]);
        if (response.status === 200) expect((await alpha(response))(128, 128)).toBeGreaterThan(0);
      }
    }
  });
});

/** Max square and max cluster sizes by the definitions, the slow way: every top-left corner, every cluster cell's flood. */
function bruteForce(cells: string[]): { square: number; cluster: number } {
  const has = (x: number, y: number) => cells.includes(`${x}/${y}`);
  const points = cells.map((c) => c.split("/").map(Number));
  let square = 0;
  for (const [x, y] of points) {
    let n = 1;
    while ([...Array(n + 1).keys()].every((i) => has(x + n, y + i) && has(x + i, y + n))) n++;
    square = Math.max(square, n);
  }
  const inner = points.filter(([x, y]) => has(x - 1, y) && has(x + 1, y) && has(x, y - 1) && has(x, y + 1)).map(([x, y]) => `${x}/${y}`);
  let cluster = 0;
  const seen = new Set<string>();
  for (const start of inner) {
    if (seen.has(start)) continue;
    const queue = [start];
    seen.add(start);
    for (let i = 0; i < queue.length; i++) {
      const [x, y] = queue[i].split("/").map(Number);
      for (const next of [`${x + 1}/${y}`, `${x - 1}/${y}`, `${x}/${y + 1}`, `${x}/${y - 1}`]) {
        if (inner.includes(next) && !seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    cluster = Math.max(cluster, queue.length);
  }
  return { square, cluster };
}

/** A PNG answer's alpha channel, read by pixel. */
async function alpha(response: Response): Promise<(x: number, y: number) => number> {
  const image = await loadImage(Buffer.from(await response.arrayBuffer()));
  const canvas = createCanvas(image.width, image.height);
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const { data } = context.getImageData(0, 0, image.width, image.height);
  return (x, y) => data[(y * image.width + x) * 4 + 3];
}

describe("/explorer tiles follow the heat tiles' rules", () => {
  const cell = () => {
    const side = 2 ** 14;
    return [Math.floor(lngToX(CROSSING.lng) * side), Math.floor(latToY(CROSSING.lat) * side)];
  };

  test("sizes, formats, ETag and 304", async () => {
    const [x, y] = cell();
    for (const [suffix, px] of [["@small", 256], ["", 512], ["@2x", 1024]] as const) {
      const response = await get(`/explorer/12/${x >> 2}/${y >> 2}${suffix}.png`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("image/png");
      expect((await loadImage(Buffer.from(await response.arrayBuffer()))).width).toBe(px);
    }
    const webp = await get(`/explorer/12/${x >> 2}/${y >> 2}`, { Accept: "image/webp,*/*" });
    expect(webp.headers.get("content-type")).toBe("image/webp");
    const first = await get(`/explorer/14/${x}/${y}.png?zoom=14`);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^".+"$/);
    expect((await get(`/explorer/14/${x}/${y}.png?zoom=14`, { "If-None-Match": etag })).status).toBe(304);
    // Another explorer zoom, another filter or the heat tile of the same address are other images.
    expect((await get(`/explorer/14/${x}/${y}.png?zoom=17`)).headers.get("etag")).not.toBe(etag);
    expect((await get(`/explorer/14/${x}/${y}.png?zoom=14&filter=activity_type%20%3D%20run`)).headers.get("etag")).not.toBe(etag);
    expect((await get(`/tile/14/${x}/${y}.png`)).headers.get("etag")).not.toBe(etag);
  });

  test("a filter matching nothing draws nothing: 204", async () => {
    const [x, y] = cell();
    expect((await get(`/explorer/14/${x}/${y}.png?filter=activity_type%20%3D%20swim`)).status).toBe(204);
  });

  test("cell edges and the max square's outline appear when zoomed in", async () => {
    const [x, y] = cell();
    const square = (await getJson("/api/explorer?zoom=14")).max_square;
    // At z16 a zoom-14 cell spans 4 × 4 tiles: the north-west one holds its corner, where the edge and outline lie.
    const squareCorner = await get(`/explorer/16/${square.x * 4}/${square.y * 4}@small.png?zoom=14`);
    expect((await alpha(squareCorner))(0, 0)).toBe(255);
    const crossing = await get(`/explorer/16/${x * 4 + 1}/${y * 4}@small.png?zoom=14`);
    // The crossing is a cluster cell: its northern edge, then its fill.
    const crossingAlpha = await alpha(crossing);
    expect(crossingAlpha(128, 0)).toBe(0xe6);
    expect(crossingAlpha(128, 128)).toBe(0x80);
    // At z13 a cell is 128 px wide at 256 px tiles, too small for edges at zoom 17 (16 px) but not at zoom 14.
    const far = await get(`/explorer/13/${x >> 1}/${y >> 1}@small.png?zoom=14`);
    expect(far.status).toBe(200);
  });

  test("zoomed far out a cell still takes a pixel; zoomed far in it fills the tile", async () => {
    const [x, y] = cell();
    const world = await get(`/explorer/3/${x >> 11}/${y >> 11}.png?zoom=17`);
    expect(world.status).toBe(200);
    const worldAlpha = await alpha(world);
    let drawn = 0;
    for (let py = 0; py < 512; py++) for (let px = 0; px < 512; px++) if (worldAlpha(px, py) > 0) drawn++;
    // Three short lines at zoom 3: a handful of pixels, not nothing and not a block.
    expect(drawn).toBeGreaterThan(0);
    expect(drawn).toBeLessThan(20);
    // Zoom 20 inside the crossing's zoom-14 cell, away from its edges: all cluster fill.
    const deep = await get(`/explorer/20/${x * 64 + 32}/${y * 64 + 32}.png?zoom=14`);
    const deepAlpha = await alpha(deep);
    expect([deepAlpha(0, 0), deepAlpha(511, 511), deepAlpha(256, 256)]).toEqual([0x80, 0x80, 0x80]);
  });

  const bad: [string, string][] = [
    ["/explorer/14/1/2.png?zoom=15", "zoom: expected 14 or 17, found '15'"],
    ["/explorer/14/99999/2.png", "tile: expected x and y from 0 to 16383"],
    ["/explorer/14/1/2.png?after=2024-13-01", "after: expected a date YYYY-MM-DD"],
    ["/api/explorer?zoom=x", "zoom: expected 14 or 17, found 'x'"],
    ["/api/explorer?filter=%3E", "filter:"],
    ["/api/explorer/tiles", "bbox: expected four numbers W,S,E,N in degrees, found ''"],
    ["/api/explorer/tiles?bbox=9,47,8,48", "bbox: expected -180 <= W < E <= 180"],
  ];
  test.each(bad)("%s is a 400 naming the parameter", async (path, message) => {
    const response = await get(path);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(message);
  });

  test("a privacy mask hides the cells of the lines inside it", async () => {
    const side = 2 ** 17;
    const crossing = `${Math.floor(lngToX(CROSSING.lng) * side)}/${Math.floor(latToY(CROSSING.lat) * side)}`;
    const before = cellsOf(await getJson(`/api/explorer/tiles?zoom=17&${WORLD}`));
    expect(before).toContain(crossing);
    const masks = db.store.config().activity_masks;
    db.store.setConfig("activity_masks", [{ name: "home", lat: CROSSING.lat, lng: CROSSING.lng, radius: 400 }]);
    try {
      const after = cellsOf(await getJson(`/api/explorer/tiles?zoom=17&${WORLD}`));
      expect(after).not.toContain(crossing);
      expect(after.length).toBeLessThan(before.length);
      expect(after.length).toBeGreaterThan(before.length - 12);
    } finally {
      db.store.setConfig("activity_masks", masks);
    }
  });
});
