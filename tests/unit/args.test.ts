/** The argument parsers the commands and the HTTP parameters share (src/args.ts). */
import { describe, expect, test } from "bun:test";
import { parseBounds, parseFormat, parseIntegerIn, parseJobs, parseOptionNumber, parseTileSize, parseTileZxy, parseWhole, parseZooms } from "../../src/args.ts";
import { errorOf } from "../helpers/errors.ts";

describe("parseBounds", () => {
  test.each([
    ["13.3,52.4,13.5,52.6", { west: 13.3, south: 52.4, east: 13.5, north: 52.6 }],
    [" -1.5 , -2 ,+3., .5", { west: -1.5, south: -2, east: 3, north: 0.5 }],
  ])("%p", (text, bounds) => expect(parseBounds(text)).toEqual(bounds));

  test.each(["", "1,2,3", "1,2,3,4,5", "1,2,,4", "a,b,c,d", "1e1,2,3,4", "0x10,2,3,4", "Infinity,2,3,4"])("refuses %p, naming the parameter", (text) => {
    const e = errorOf(() => parseBounds(text, "bbox"));
    expect(e.code).toBe("bad_argument");
    expect(e.message).toBe(`bbox: expected four numbers W,S,E,N in degrees, found '${text}'`);
  });

  test("absent (a missing URL parameter) reads as empty", () => {
    expect(errorOf(() => parseBounds(null)).message).toBe("bounds: expected four numbers W,S,E,N in degrees, found ''");
  });
});

describe("numbers", () => {
  test("whole numbers are digits only", () => {
    expect(parseWhole("0042", "width")).toBe(42);
    for (const bad of ["", "-1", "1.5", " 1", "1e3"]) expect(errorOf(() => parseWhole(bad, "width")).message).toBe(`width: expected a whole number, found '${bad}'`);
  });

  test("integers within a range", () => {
    expect(parseIntegerIn("-3", "n", -5, 5)).toBe(-3);
    for (const bad of ["6", "-6", "1.0", "x"]) expect(errorOf(() => parseIntegerIn(bad, "n", -5, 5)).message).toBe(`n: expected an integer from -5 to 5, found '${bad}'`);
  });

  test("an option's number, checked by the option", () => {
    const metres = (text: string | undefined) => parseOptionNumber("trim", text, (n) => Number.isFinite(n) && n >= 0, "a distance in metres >= 0");
    expect(metres(undefined)).toBeUndefined();
    expect(metres("12.5")).toBe(12.5);
    for (const bad of ["", " ", "-1", "ten"]) expect(errorOf(() => metres(bad)).message).toBe(`--trim: expected a distance in metres >= 0, got '${bad}'`);
  });

  test("--jobs: absent means one per core, else 1 to 64", () => {
    expect(parseJobs(undefined)).toBeUndefined();
    expect(parseJobs("64")).toBe(64);
    expect(errorOf(() => parseJobs("0")).message).toBe("jobs: expected 1 to 64, found 0");
    expect(errorOf(() => parseJobs("two")).message).toBe("jobs: expected a whole number, found 'two'");
  });
});

describe("tiles and images", () => {
  test("tile sizes", () => {
    expect([parseTileSize("256", "width"), parseTileSize("512", "width"), parseTileSize("1024", "width")]).toEqual([256, 512, 1024]);
    expect(errorOf(() => parseTileSize("300", "tile-size")).message).toBe("tile-size: expected one of 256, 512, 1024, found '300'");
  });

  test("export zooms", () => {
    expect([parseZooms("2-16"), parseZooms(" 12 ")]).toEqual([{ min: 2, max: 16 }, { min: 12, max: 12 }]);
    expect(errorOf(() => parseZooms("16-2")).message).toBe("zooms: expected MIN-MAX (or one zoom) from 0 to 20 with MIN <= MAX, e.g. 2-16, found '16-2'");
  });

  test("formats", () => {
    expect([parseFormat("png"), parseFormat("webp")]).toEqual(["png", "webp"]);
    expect(errorOf(() => parseFormat("jpeg")).message).toBe("format: expected png or webp, found 'jpeg'");
  });

  test("Z/X/Y", () => {
    expect(parseTileZxy("14/8547/5696")).toEqual({ z: 14, x: 8547, y: 5696 });
    expect(errorOf(() => parseTileZxy("2/4/0")).message).toBe("tile: expected Z/X/Y with x and y from 0 to 3, found '2/4/0'");
    expect(errorOf(() => parseTileZxy("14/1")).message).toBe("tile: expected Z/X/Y with z from 0 to 20, found '14/1'");
  });
});
