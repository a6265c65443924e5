import { describe, expect, test } from "bun:test";
import { errorOf } from "../helpers/errors.ts";
import { parseGradient, presetGradient, PRESETS, resolveGradient, type Palette } from "../../src/palette.ts";

const entry = (p: Palette, count: number) => Array.from(p.rgba.subarray(count * 4, count * 4 + 4));

describe("parseGradient", () => {
  test.each([
    // [spec, count, expected RGBA]
    ["1:FF0000;255:FFFFFF", 0, [0, 0, 0, 0]],
    ["1:FF0000;255:FFFFFF", 1, [255, 0, 0, 255]],
    ["1:FF0000;255:FFFFFF", 128, [255, 128, 128, 255]],
    ["1:FF0000;255:FFFFFF", 255, [255, 255, 255, 255]],
    // Below the first stop: transparent; past the last: the last colour.
    ["10:00FF00;20:0000FF", 9, [0, 0, 0, 0]],
    ["10:00FF00;20:0000FF", 10, [0, 255, 0, 255]],
    ["10:00FF00;20:0000FF", 15, [0, 128, 128, 255]],
    ["10:00FF00;20:0000FF", 200, [0, 0, 255, 255]],
    // RGB, #-prefixed, alpha, lower case, spaces around stops.
    ["1:F80", 1, [255, 136, 0, 255]],
    ["1:#102030", 1, [16, 32, 48, 255]],
    ["1:ff000000; 3:ff0000ff", 2, [255, 0, 0, 128]],
    // A stop at 0 shapes the ramp, but count 0 stays transparent.
    ["0:000000;100:C8C8C8", 0, [0, 0, 0, 0]],
    ["0:000000;100:C8C8C8", 50, [100, 100, 100, 255]],
    // One stop: that colour from its count on.
    ["5:123456", 4, [0, 0, 0, 0]],
    ["5:123456", 255, [18, 52, 86, 255]],
    ["1:FF0000;255:FFFFFF;", 255, [255, 255, 255, 255]],
  ])("%p at %p → %p", (spec, count, rgba) => {
    expect(entry(parseGradient(spec), count)).toEqual(rgba);
  });

  test.each([
    ["", /empty string/],
    ["FF0000", /stop 1 'FF0000': expected COUNT:COLOUR/],
    ["1:FF0000;x:00FF00", /stop 2 'x:00FF00': expected a count from 0 to 255, found 'x'/],
    ["1:FF0000;256:00FF00", /stop 2 .*found '256'/],
    ["-1:FF0000", /stop 1 .*found '-1'/],
    ["10:FF0000;10:00FF00", /stop 2 .*above the previous stop's 10, found 10/],
    ["10:FF0000;5:00FF00", /stop 2 .*found 5/],
    ["1:GG0000", /stop 1 '1:GG0000': expected a colour RGB, RRGGBB or RRGGBBAA in hex, found 'GG0000'/],
    ["1:FF00", /found 'FF00'/],
    ["1:FF00000", /found 'FF00000'/],
    ["1:", /found ''/],
    ["1:FF0000;;2:00FF00", /stop 2 '': expected COUNT:COLOUR/],
  ])("%p is rejected: %p", (spec, message) => {
    const e = errorOf(() => parseGradient(spec));
    expect(e.code).toBe("bad_gradient");
    expect(e.message).toMatch(message);
  });

  test("equivalent specs share a key; the table is built once per string", () => {
    expect(parseGradient("1:f00;255:fff").key).toBe(parseGradient("1:FF0000FF; 255:#FFFFFF").key);
    expect(parseGradient("1:f00;255:fff")).toBe(parseGradient("1:f00;255:fff"));
    expect(parseGradient("1:f00;255:fff").key).not.toBe(parseGradient("2:f00;255:fff").key);
  });
});

describe("presets", () => {
  test.each([
    // The Rust hotpot's presets, stop for stop.
    ["orange", 1, [0xfc, 0x4a, 0x1a, 255]],
    ["orange", 10, [0xf7, 0xb7, 0x33, 255]],
    ["orange", 50, [0xfd, 0xed, 0xce, 255]],
    ["orange", 255, [0xfd, 0xed, 0xce, 255]],
    ["pinkish", 1, [0xff, 0xb1, 0xff, 0x7f]],
    ["pinkish", 10, [0xff, 0xb1, 0xff, 0xff]],
    ["pinkish", 50, [255, 255, 255, 255]],
    ["blue-red", 1, [0x3f, 0x5e, 0xfb, 255]],
    ["blue-red", 10, [0xfc, 0x46, 0x6b, 255]],
    ["red", 1, [0xb2, 0x0a, 0x2c, 255]],
    ["red", 10, [0xff, 0xfb, 0xd5, 255]],
    ["red", 50, [255, 255, 255, 255]],
  ])("%p at %p → %p", (name, count, rgba) => {
    expect(entry(presetGradient(name), count)).toEqual(rgba);
  });

  test("every preset is opaque enough to see at count 1, transparent at 0, and changes lightness with count (darker only for light maps)", () => {
    const lightness = (rgba: number[]) => 0.2126 * rgba[0] + 0.7152 * rgba[1] + 0.0722 * rgba[2];
    const forLightMaps = new Set(["fire"]);
    for (const name of Object.keys(PRESETS)) {
      const p = presetGradient(name);
      expect(entry(p, 0)).toEqual([0, 0, 0, 0]);
      expect(entry(p, 1)[3]).toBeGreaterThanOrEqual(0x7f);
      const [low, high] = [lightness(entry(p, 1)), lightness(entry(p, 255))];
      if (forLightMaps.has(name)) expect(high).toBeLessThan(low / 2);
      else expect(high).toBeGreaterThan(low);
    }
  });

  test("viridis and magma spend their colours on the counts a personal data set has: half the ramp by 30, all of it by 60", () => {
    const lightness = (rgba: number[]) => 0.2126 * rgba[0] + 0.7152 * rgba[1] + 0.0722 * rgba[2];
    for (const name of ["viridis", "magma"]) {
      const p = presetGradient(name);
      const [l1, l30, l255] = [1, 30, 255].map((c) => lightness(entry(p, c)));
      expect(l30 - l1).toBeGreaterThan((l255 - l1) * 0.5);
      expect(entry(p, 60)).toEqual(entry(p, 255));
    }
  });

  test("an unknown preset lists the known ones", () => {
    const e = errorOf(() => presetGradient("purple"));
    expect(e.code).toBe("bad_gradient");
    expect(e.message).toContain("orange, pinkish, blue-red, red");
    expect(e.message).toContain("'purple'");
  });
});

describe("resolveGradient", () => {
  test("the default is orange; a preset by color; stops by gradient; empty means not given", () => {
    expect(resolveGradient({})).toBe(presetGradient("orange"));
    expect(resolveGradient({ color: "", gradient: null })).toBe(presetGradient("orange"));
    expect(resolveGradient({ color: "red" })).toBe(presetGradient("red"));
    expect(resolveGradient({ gradient: "1:000" }).key).toBe("1:000000ff");
  });

  test("color and gradient together are an error", () => {
    const e = errorOf(() => resolveGradient({ color: "red", gradient: "1:000" }));
    expect(e.code).toBe("bad_gradient");
    expect(e.message).toMatch(/not both/);
  });
});
