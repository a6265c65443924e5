import { describe, expect, test } from "bun:test";
import { errorOf } from "../helpers/errors.ts";
import { addMask, applyMasks, MAX_MASK_RADIUS_M, parseLatLng, removeMask, validateMask } from "../../src/mask.ts";
import type { PixelView } from "../../src/raster.ts";
import { latToY, lngToX, xToLng, yToLat } from "../../src/tile.ts";
import type { Mask } from "../../src/types.ts";

/** Great-circle distance (haversine), independent of the code under test. */
function haversine(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lng2 - lng1) * rad) / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(a));
}

/** A tile's view: z/x/y at `size` px. */
function tileView(z: number, x: number, y: number, size: number): PixelView {
  const n = 2 ** z;
  return { width: size, height: size, x0: x / n, y0: y / n, scaleX: size * n, scaleY: size * n };
}

/** The tile at zoom z holding a point, and the point's pixel in it. */
function tileAround(lat: number, lng: number, z: number, size: number, shift = 0.5) {
  const n = 2 ** z;
  // Shift the tile so the point sits at (shift, shift) of it: circles cut by the tile edge get tested too.
  const x = Math.floor(lngToX(lng) * n - shift + 0.5);
  const y = Math.floor(latToY(lat) * n - shift + 0.5);
  return tileView(z, Math.max(0, x), Math.max(0, y), size);
}

/** The smallest ground distance from the centre to pixel (i, j), by sampling the pixel's edge. */
function pixelDistance(view: PixelView, i: number, j: number, mask: Mask): number {
  const cx = (lngToX(mask.lng) - view.x0) * view.scaleX;
  const cy = (latToY(mask.lat) - view.y0) * view.scaleY;
  // The nearest point of the square in pixel space; on this scale the map is conformal.
  const px = Math.min(Math.max(cx, i), i + 1);
  const py = Math.min(Math.max(cy, j), j + 1);
  return haversine(mask.lat, mask.lng, yToLat(view.y0 + py / view.scaleY), xToLng(view.x0 + px / view.scaleX));
}

describe("applyMasks", () => {
  test.each([
    // [lat, lng, radius m, zoom, tile size, where in the tile]
    [52.52, 13.405, 500, 14, 512, 0.5],
    [52.52, 13.405, 500, 16, 512, 0.1],
    [52.52, 13.405, 500, 12, 256, 0.5],
    [52.52, 13.405, 120, 18, 1024, 0.7],
    [-33.9, 151.2, 2000, 11, 512, 0.3],
    [69.65, 18.96, 800, 13, 512, 0.5],
    [0.01, -0.01, 300, 15, 512, 0.02],
  ])("mask at %p,%p r=%p m at z%p/%p px: inside cleared, outside untouched", (lat, lng, radius, z, size, shift) => {
    const mask: Mask = { name: "m", lat, lng, radius };
    const view = tileAround(lat, lng, z, size, shift);
    const counts = new Uint8Array(size * size);
    for (let i = 0; i < counts.length; i++) counts[i] = 1 + (i % 200);
    const before = counts.slice();
    expect(applyMasks(counts, view, [mask])).toBe(true);
    let inside = 0;
    for (let j = 0; j < size; j++) {
      for (let i = 0; i < size; i++) {
        const d = pixelDistance(view, i, j, mask);
        const p = j * size + i;
        // A hair of slack for the Mercator approximation, far below a pixel at these zooms.
        if (d < radius * 0.999) {
          expect(counts[p]).toBe(0);
          inside++;
        } else if (d > radius * 1.001) {
          expect(counts[p]).toBe(before[p]);
        }
      }
    }
    expect(inside).toBeGreaterThan(0);
  });

  test("a mask away from the image changes nothing and says so", () => {
    const view = tileAround(52.52, 13.405, 14, 256);
    const counts = new Uint8Array(256 * 256).fill(3);
    expect(applyMasks(counts, view, [{ name: "far", lat: 48.1, lng: 11.6, radius: 1000 }])).toBe(false);
    expect(counts.every((v) => v === 3)).toBe(true);
  });

  test("a circle much larger than the image clears all of it", () => {
    const view = tileAround(52.52, 13.405, 16, 256);
    const counts = new Uint8Array(256 * 256).fill(9);
    applyMasks(counts, view, [{ name: "city", lat: 52.52, lng: 13.405, radius: 20_000 }]);
    expect(counts.every((v) => v === 0)).toBe(true);
  });

  test("several masks each clear their own circle", () => {
    const view = tileAround(52.52, 13.405, 14, 512);
    const counts = new Uint8Array(512 * 512).fill(1);
    const cx = view.x0 + 100 / view.scaleX;
    const cy = view.y0 + 100 / view.scaleY;
    const a: Mask = { name: "a", lat: yToLat(cy), lng: xToLng(cx), radius: 100 };
    const b: Mask = { name: "b", lat: yToLat(cy + 300 / view.scaleY), lng: xToLng(cx + 300 / view.scaleX), radius: 100 };
    applyMasks(counts, view, [a, b]);
    expect(counts[100 * 512 + 100]).toBe(0);
    expect(counts[400 * 512 + 400]).toBe(0);
    expect(counts[250 * 512 + 250]).toBe(1);
  });
});

describe("mask list", () => {
  const home: Mask = { name: "home", lat: 52.52, lng: 13.405, radius: 500 };
  const work: Mask = { name: "work", lat: 52.5, lng: 13.3, radius: 200 };

  test("add appends, or replaces the mask of the same name and says so", () => {
    const first = addMask([], home);
    expect(first).toEqual({ masks: [home], replaced: false });
    const second = addMask(first.masks, work);
    expect(second.masks).toEqual([home, work]);
    const moved = addMask(second.masks, { ...home, radius: 900 });
    expect(moved.replaced).toBe(true);
    expect(moved.masks).toEqual([work, { ...home, radius: 900 }]);
  });

  test("remove takes the named mask; an unknown name lists the known ones", () => {
    expect(removeMask([home, work], "home")).toEqual([work]);
    const e = errorOf(() => removeMask([home, work], "gym"));
    expect(e.code).toBe("not_found");
    expect(e.message).toBe("mask 'gym' does not exist (masks are: home, work)");
    expect(errorOf(() => removeMask([], "gym")).message).toContain("there are no masks");
  });

  test.each([
    [{ ...home, lat: 91 }, /latitude: expected -85.05 to 85.05 .*found 91/],
    [{ ...home, lat: -86 }, /latitude/],
    [{ ...home, lat: NaN }, /latitude/],
    [{ ...home, lng: 180.5 }, /longitude: expected -180 to 180, found 180.5/],
    [{ ...home, radius: 0 }, /radius: expected more than 0 and at most 50000 metres, found 0/],
    [{ ...home, radius: -5 }, /radius/],
    [{ ...home, radius: MAX_MASK_RADIUS_M + 1 }, /radius/],
    [{ ...home, name: "" }, /mask name/],
    [{ ...home, name: "a\nb" }, /mask name/],
    [{ ...home, name: "x".repeat(65) }, /mask name/],
  ])("%p is rejected", (mask, message) => {
    const e = errorOf(() => validateMask(mask));
    expect(e.code).toBe("bad_argument");
    expect(e.message).toMatch(message);
  });

  test("validation keeps only the mask's fields", () => {
    expect(validateMask({ ...home, extra: 1 } as Mask)).toEqual(home);
  });
});

describe("parseLatLng", () => {
  test.each([
    ["52.52,13.405", { lat: 52.52, lng: 13.405 }],
    [" -33.9 , 151.2 ", { lat: -33.9, lng: 151.2 }],
    ["+1,.5", { lat: 1, lng: 0.5 }],
    ["0,0", { lat: 0, lng: 0 }],
  ])("%p → %p", (text, expected) => {
    expect(parseLatLng(text)).toEqual(expected);
  });

  test.each(["52.52", "52.52;13.4", "a,b", "52.52,13.4,1", "", "1e3,2"])("%p is rejected naming the parameter", (text) => {
    const e = errorOf(() => parseLatLng(text, "latlng"));
    expect(e.code).toBe("bad_argument");
    expect(e.message).toStartWith("latlng: expected LAT,LNG");
  });
});
