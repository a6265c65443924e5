import { describe, expect, test } from "bun:test";
import { parseGradient, presetGradient } from "../../src/palette.ts";
import { parseScale, scalePalette } from "../../src/scale.ts";

/** Black at the first stop (2), white at the last (12): a value's grey says where on the ramp it landed. */
const RAMP = parseGradient("2:000000;12:ffffff");
const grey = (palette: { rgba: Uint8Array }, value: number) => palette.rgba[value * 4];
const alpha = (palette: { rgba: Uint8Array }, value: number) => palette.rgba[value * 4 + 3];

/** A tile holding `n` pixels of each value given as [value, n]. */
function tile(...runs: [number, number][]): Uint8Array {
  const out: number[] = new Array(100).fill(0);
  for (const [value, n] of runs) for (let i = 0; i < n; i++) out.push(value);
  return Uint8Array.from(out);
}

describe("scalePalette", () => {
  test("linear counts: the palette itself, whatever the tile", () => {
    expect(scalePalette(RAMP, tile([3, 5]), "linear")).toBe(RAMP);
  });

  test("empty pixels stay transparent under every scale", () => {
    for (const scale of ["linear", "log", "adaptive"] as const) expect(alpha(scalePalette(RAMP, tile([1, 1], [200, 1]), scale, true), 0)).toBe(0);
  });

  test("log: 1 at the ramp's start, 255 at its end, 16 halfway", () => {
    const log = scalePalette(RAMP, tile([1, 1]), "log");
    expect([grey(log, 1), grey(log, 255)]).toEqual([0, 255]);
    // ln 16 / ln 255 = 0.50: index 2 + round(0.50 * 10) = 7, half-way grey.
    expect(grey(log, 16)).toBe(grey(RAMP, 7));
    // Below the first stop is transparent on the linear ramp; log lifts a count of 1 onto it.
    expect(alpha(RAMP, 1)).toBe(0);
    expect(alpha(log, 1)).toBe(255);
  });

  test.each([
    ["a quiet tile of counts 1 and 3", [[1, 90], [3, 10]], [1, 3]],
    ["a busy tile of counts 40 and 200", [[40, 90], [200, 10]], [40, 200]],
  ] as [string, [number, number][], [number, number]][])("adaptive: %s uses the whole ramp", (_, runs, [low, high]) => {
    const adaptive = scalePalette(RAMP, tile(...runs), "adaptive");
    expect([grey(adaptive, low), grey(adaptive, high)]).toEqual([0, 255]);
  });

  test("adaptive: values between spread by how many pixels hold them", () => {
    // 2 is held by few pixels and 3 by many: 3 sits far above 2, well past the ramp's middle.
    const adaptive = scalePalette(RAMP, tile([1, 50], [2, 5], [3, 50], [9, 5]), "adaptive");
    const [one, two, three, nine] = [1, 2, 3, 9].map((v) => grey(adaptive, v));
    expect(one).toBe(0);
    expect(two).toBeGreaterThan(one);
    expect(three).toBeGreaterThan(two);
    expect(three).toBeGreaterThan(128);
    expect(nine).toBe(255);
  });

  test("adaptive: a tile with one value puts it at the ramp's start", () => {
    expect(grey(scalePalette(RAMP, tile([4, 30]), "adaptive"), 4)).toBe(0);
  });

  test("time buckets on the linear scale: 1 at the start, 255 at the end of any preset's ramp", () => {
    const orange = presetGradient("orange");
    const ramp = scalePalette(orange, tile([1, 1]), "linear", true);
    expect(ramp.rgba.subarray(4, 8)).toEqual(orange.rgba.subarray(4, 8));
    expect(ramp.rgba.subarray(255 * 4)).toEqual(orange.rgba.subarray(50 * 4, 51 * 4));
  });
});

describe("parseScale", () => {
  test.each(["linear", "log", "adaptive"])("%p", (text) => expect(parseScale(text)).toBe(text as never));

  test.each(["", "Log", "sqrt"])("%p is an error naming the parameter", (text) => {
    expect(() => parseScale(text, "--scale")).toThrow(`--scale: expected one of linear, log, adaptive, found '${text}'`);
  });
});
