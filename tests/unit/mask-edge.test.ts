/**
 * One mask rule everywhere: at a mask's edge, the map, "which activities went
 * here" and an activity's GeoJSON agree to the centimetre on what is hidden.
 * A stored track vertex V lies d metres (geo.ts) from the mask's centre; with
 * a radius of d + 1 cm V is hidden by all three, with d - 1 cm by none.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { clipTrack } from "../../src/clip.ts";
import { decodeLines } from "../../src/codec.ts";
import { groundDistance, metresPerWorldUnit } from "../../src/geo.ts";
import { renderBounds } from "../../src/render.ts";
import { activityFeature } from "../../src/server/geojson.ts";
import { activitiesNear } from "../../src/server/near.ts";
import { Store } from "../../src/store.ts";
import { latToY, lngToX, xToLng, yToLat } from "../../src/tile.ts";

const Z = 16;
const EXTENT = 2048;
const LAT = 47.37;

const store = new Store(":memory:");
afterAll(() => store.close());
store.setConfig("zoom_levels", [Z]);
store.setConfig("tile_extent", EXTENT);

// A track heading north-east from near the west edge of one stored tile, so its first vertex is a real one.
const n = 2 ** Z;
const tx = Math.floor(lngToX(8.54) * n);
const ty = Math.floor(latToY(LAT) * n);
const start = { x: (tx + 0.1) / n, y: (ty + 0.5) / n };
const lngLat = (x: number, y: number) => [xToLng(x), yToLat(y)];
const points = [0, 1, 2].map((i) => [start.x + (i * 0.4) / n / 3, start.y - (i % 2) * (0.2 / n)]);
store.insertActivities([
  {
    key: "edge",
    fileHash: null,
    title: "edge",
    startTime: 0,
    properties: {},
    tiles: clipTrack({ lines: [new Float64Array(points.flat())] }, [Z], EXTENT),
  },
]);

// V: the stored first vertex (tile units rounded), in world space.
const [row] = store.rowsOfActivity(1, Z);
const { coords } = decodeLines(row.geometry);
const V = { x: (row.x * EXTENT + coords[0]) / (n * EXTENT), y: (row.y * EXTENT + coords[1]) / (n * EXTENT) };
const [vLng, vLat] = lngLat(V.x, V.y);
// The centre 300-odd metres west-south-west of V: the mask's edge crosses the track at V.
const centre = { lng: vLng - 0.004, lat: vLat - 0.0008 };
const cos = (y: number) => 1 / Math.cosh(Math.PI * (1 - 2 * y));
const cx = lngToX(centre.lng);
const cy = latToY(centre.lat);
const d = groundDistance(cx, cy, cos(cy), V.x, V.y, cos(V.y));

/** What each of the three shows at V with a mask of this radius. */
function shownAtV(radius: number) {
  store.setConfig("activity_masks", [{ name: "edge", lat: centre.lat, lng: centre.lng, radius }]);
  // Near: a click on V at zoom 20 (8 px is well under a metre), so the nearest part of the track is V itself.
  const near = activitiesNear(store, { lat: vLat, lng: vLng, zoom: 20 }).map((a) => a.key);
  // GeoJSON: whether its first line still starts at V (rounded to 1e-6 degrees, about 11 cm).
  const first = activityFeature(store, "edge")!.geometry.coordinates[0]?.[0] ?? [NaN, NaN];
  const geojson = Math.abs(first[0] - vLng) < 2e-6 && Math.abs(first[1] - vLat) < 2e-6;
  // The map: an image 40 cm across centred on V at 2 mm a pixel; the four pixels meeting at V
  // (the track leaves V through them) are drawn unless masked.
  const half = 0.2 / metresPerWorldUnit(vLat);
  const bounds = { west: xToLng(V.x - half), east: xToLng(V.x + half), north: yToLat(V.y - half), south: yToLat(V.y + half) };
  const counts = renderBounds(store, bounds, 200, 200);
  const map = counts !== null && [99, 100].some((j) => counts[j * 200 + 99] + counts[j * 200 + 100] > 0);
  return { near: near.includes("edge"), geojson, map };
}

describe("a mask's edge, to the centimetre", () => {
  test("the set-up: V is on the track, a few hundred metres from the centre", () => {
    expect(d).toBeGreaterThan(250);
    expect(d).toBeLessThan(450);
    expect(shownAtV(1)).toEqual({ near: true, geojson: true, map: true });
  });

  test("1 cm beyond V: hidden by the map, near and GeoJSON alike", () => {
    expect(shownAtV(d + 0.01)).toEqual({ near: false, geojson: false, map: false });
  });

  test("1 cm short of V: shown by all three", () => {
    expect(shownAtV(d - 0.01)).toEqual({ near: true, geojson: true, map: true });
  });
});
