import { describe, expect, test } from "bun:test";
import type { LineBuffer } from "../../src/codec.ts";
import { Raster, type Transform } from "../../src/raster.ts";

/** Lines given in pixels (tenths, so fractional positions are exact) as a decoded buffer. */
function buffer(lines: number[][]): LineBuffer {
  const coords = Int32Array.from(lines.flat().map((v) => Math.round(v * 10)));
  let end = 0;
  const ends = Uint32Array.from(lines.map((l) => (end += l.length / 2)));
  return { coords, ends, points: end, lines: lines.length };
}
const TENTHS: Transform = { scaleX: 0.1, scaleY: 0.1, offsetX: 0, offsetY: 0 };

function draw(raster: Raster, id: number, ...lines: number[][]): void {
  raster.activity(id);
  raster.lines(buffer(lines), TENTHS);
}

const column = (r: Raster, x: number) => Array.from({ length: r.height }, (_, y) => r.counts[y * r.width + x]);
const row = (r: Raster, y: number) => Array.from(r.counts.subarray(y * r.width, (y + 1) * r.width));
const rowsDrawn = (values: number[]) => values.flatMap((v, i) => (v ? [i] : []));

describe("line footprint", () => {
  test.each([
    // [y of a horizontal line, pen radius, rows counted]
    [10.3, 1, [9, 10]],
    [10.7, 1, [10, 11]],
    [10.0, 1, [9, 10]],
    // Through the pixel centres: a 1 px stroke covers exactly that row, as a canvas would.
    [10.5, 1, [10]],
    [10.3, 1.5, [9, 10, 11]],
    [10.5, 1.5, [9, 10, 11]],
  ])("horizontal line at y=%p, radius %p → rows %p", (y, radius, rows) => {
    const r = new Raster(32, 32, radius);
    draw(r, 1, [2, y, 30, y]);
    for (const x of [5, 16, 25]) expect(rowsDrawn(column(r, x))).toEqual(rows);
  });

  test("vertical lines mirror horizontal ones", () => {
    const r = new Raster(32, 32, 1);
    draw(r, 1, [10.3, 2, 10.3, 30]);
    for (const y of [5, 16, 25]) expect(rowsDrawn(row(r, y))).toEqual([9, 10]);
  });

  test("a diagonal keeps its width across the line, 2 to 3 pixels per column", () => {
    const r = new Raster(64, 64, 1);
    draw(r, 1, [4.2, 4.7, 60.2, 60.7]);
    for (let x = 8; x < 56; x++) {
      const rows = rowsDrawn(column(r, x));
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect(rows.length).toBeLessThanOrEqual(3);
      // Contiguous, and around the line (y = x + 0.5 at the column centre).
      expect(rows[rows.length - 1] - rows[0]).toBe(rows.length - 1);
      expect(Math.abs((rows[0] + rows[rows.length - 1]) / 2 + 0.5 - (x + 1))).toBeLessThanOrEqual(1);
    }
  });

  test("a line of sub-pixel steps has no gaps", () => {
    const points: number[] = [];
    for (let i = 0; i <= 400; i++) points.push(3 + i * 0.1, 20 + 6 * Math.sin(i / 40));
    const r = new Raster(48, 48, 1);
    draw(r, 1, points);
    for (let x = 4; x < 42; x++) expect(rowsDrawn(column(r, x)).length).toBeGreaterThanOrEqual(2);
  });

  test("ends are drawn where the line ends, not beyond", () => {
    const r = new Raster(32, 32, 1);
    draw(r, 1, [10.2, 16.3, 20.2, 16.3]);
    const counted = rowsDrawn(row(r, 16));
    expect(counted[0]).toBe(10);
    expect(counted[counted.length - 1]).toBe(20);
  });

  test("a line leaving the image is cut at the edge; one wholly outside draws nothing", () => {
    const r = new Raster(16, 16, 1);
    draw(r, 1, [-40, 8.3, 60, 8.3], [-10, -10, -3, -50], [20, 20, 90, 90]);
    expect(rowsDrawn(column(r, 0))).toEqual([7, 8]);
    expect(rowsDrawn(column(r, 15))).toEqual([7, 8]);
    expect(r.counts.reduce((n, v) => n + v, 0)).toBe(32);
    expect([r.top, r.bottom]).toEqual([7, 8]);
  });

  test("segments reaching billions of pixels away (a heavily upscaled image) draw the same as short ones", () => {
    const far = new Raster(16, 16, 1);
    far.activity(1);
    far.segment(-4e12, 8.3, 5e12, 8.3);
    far.segment(8.7, -3e9, 8.7, 7e9);
    far.segment(-1e10 + 0.2, -1e10, 1e10 + 0.2, 1e10);
    // Over the image's columns these pass billions of pixels above or below it: nothing to draw.
    for (const y of [-5e9, -(2 ** 31), 2 ** 31, 7e9]) far.segment(-1e10, y - 2.5e9, 1e10, y + 2.5e9);
    const near = new Raster(16, 16, 1);
    near.activity(1);
    near.segment(-40, 8.3, 50, 8.3);
    near.segment(8.7, -30, 8.7, 70);
    near.segment(-100 + 0.2, -100, 100 + 0.2, 100);
    expect(Array.from(far.counts)).toEqual(Array.from(near.counts));
    expect(far.counts.reduce((n, v) => n + v, 0)).toBeGreaterThan(80);
  });
});

describe("counts", () => {
  test("N activities on one road read N on the road", () => {
    for (const n of [1, 2, 7, 40]) {
      const r = new Raster(32, 32, 1);
      for (let id = 1; id <= n; id++) draw(r, id, [1, 12.3, 31, 12.3]);
      expect(column(r, 15).slice(11, 13)).toEqual([n, n]);
    }
  });

  test("300 activities saturate at 255", () => {
    const r = new Raster(16, 16, 1);
    for (let id = 1; id <= 300; id++) draw(r, id, [1, 8.2, 15, 8.2]);
    expect(Math.max(...r.counts)).toBe(255);
    expect(column(r, 8).slice(7, 9)).toEqual([255, 255]);
  });

  test("an activity crossing, retracing and looping over itself counts once", () => {
    const r = new Raster(32, 32, 1);
    // Out and back, a figure of eight, and the same piece again as a second line.
    draw(r, 7, [2, 10.3, 30, 10.3, 2, 10.4], [16, 2, 16, 30, 4, 16, 28, 4, 16, 2], [2, 10.3, 30, 10.3]);
    expect(Math.max(...r.counts)).toBe(1);
  });

  test("pieces of one activity drawn one after another count once", () => {
    const r = new Raster(32, 32, 1);
    draw(r, 5, [2, 10.3, 20, 10.3]);
    draw(r, 5, [12, 10.3, 30, 10.3]);
    draw(r, 6, [2, 10.3, 30, 10.3]);
    expect(column(r, 15).slice(9, 11)).toEqual([2, 2]);
    expect(column(r, 25).slice(9, 11)).toEqual([2, 2]);
  });

  test("a later raster does not see an earlier one's activities", () => {
    const first = new Raster(16, 16, 1);
    draw(first, 3, [1, 8.3, 15, 8.3]);
    const second = new Raster(16, 16, 1);
    draw(second, 3, [1, 8.3, 15, 8.3]);
    expect(second.counts[8 * 16 + 8]).toBe(1);
    expect(() => first.activity(3)).toThrow(/another raster/);
  });

  test("stamps start again after 65,535 activities without dropping a count", () => {
    // Activity k marks only pixel k mod 65,535, so activities k and k + 65,535 get the same
    // stamp on the same pixel, wherever the stamps stood before: both count only when the
    // table was cleared as stamps started again. Both tables: shared (tile) and an image's own.
    const period = 65_535;
    for (const [width, height] of [[256, 256], [1100, 1000]]) {
      const r = new Raster(width, height, 0.5);
      for (let k = 0; k < 2 * period; k++) {
        const p = k % period;
        const x = (p % width) + 0.5;
        const y = Math.floor(p / width) + 0.5;
        r.activity(k);
        r.segment(x, y, x, y);
      }
      let twice = 0;
      for (let p = 0; p < period; p++) if (r.counts[Math.floor(p / width) * width + (p % width)] === 2) twice++;
      expect(twice).toBe(period);
      expect(r.counts.reduce((n, v) => n + v, 0)).toBe(2 * period);
    }
  });

  test("an image larger than any tile (its own stamp table) counts the same way", () => {
    const big = new Raster(1500, 800, 1);
    draw(big, 1, [2, 400.3, 1490, 400.3, 2, 400.4]);
    draw(big, 2, [750.3, 2, 750.3, 790]);
    expect(rowsDrawn(column(big, 300))).toEqual([399, 400]);
    expect(column(big, 300).slice(399, 401)).toEqual([1, 1]);
    expect(big.counts[400 * 1500 + 750]).toBe(2);
    // A tile-sized raster after it is unaffected.
    const small = new Raster(16, 16, 1);
    draw(small, 1, [1, 8.3, 15, 8.3]);
    expect(small.counts[8 * 16 + 8]).toBe(1);
  });

  test("an untouched raster is empty", () => {
    const r = new Raster(8, 8, 1);
    expect(r.empty).toBe(true);
    draw(r, 1, [20, 20, 30, 30]);
    expect(r.empty).toBe(true);
    draw(r, 1, [1, 1, 2, 2]);
    expect(r.empty).toBe(false);
  });
});

describe("simplification while drawing", () => {
  test("a dense, nearly straight line draws like its two ends", () => {
    const points: number[] = [];
    for (let i = 0; i <= 300; i++) points.push(2 + i * 0.1, 12.3 + (i % 2) * 0.1);
    const dense = new Raster(40, 40, 1);
    draw(dense, 1, points);
    const straight = new Raster(40, 40, 1);
    draw(straight, 1, [2, 12.3, 32, 12.3]);
    let differing = 0;
    for (let i = 0; i < dense.counts.length; i++) if (dense.counts[i] !== straight.counts[i]) differing++;
    expect(differing).toBeLessThanOrEqual(4);
  });

  test("a hairpin is not cut short", () => {
    const r = new Raster(40, 40, 1);
    const points: number[] = [];
    for (let x = 2; x <= 30; x += 0.2) points.push(x, 10.3);
    for (let x = 30; x >= 2; x -= 0.2) points.push(x, 14.3);
    draw(r, 1, points);
    expect(rowsDrawn(column(r, 27))).toEqual([9, 10, 13, 14]);
    expect(rowsDrawn(column(r, 30))).toEqual([9, 10, 11, 12, 13, 14]);
  });
});

describe("culling steps off the image", () => {
  // A zigzag that leaves the 40 px image to the right for 2,000 px and comes back: its turns
  // (1 px apart, 90 degrees) are all kept by the simplification, with or without culling.
  const points: number[] = [];
  for (let x = 5; x < 2000; x += 1) points.push(x, 10 + (x % 2) * 4);
  for (let x = 2000; x > 5; x -= 1) points.push(x, 25 + (x % 2) * 4);

  function drawn(cull: boolean): { raster: Raster; segments: number } {
    const raster = new Raster(40, 40, 1);
    let segments = 0;
    const segment = raster.segment.bind(raster);
    raster.segment = (...args) => {
      segments++;
      segment(...args);
    };
    raster.activity(1);
    raster.lines(buffer([points]), TENTHS, cull);
    return { raster, segments };
  }

  test("draws the same pixels with far fewer segments", () => {
    const all = drawn(false);
    const culled = drawn(true);
    expect(Array.from(culled.raster.counts)).toEqual(Array.from(all.raster.counts));
    const rows = rowsDrawn(column(culled.raster, 20));
    expect(rows.filter((y) => y >= 9 && y <= 15).length).toBeGreaterThanOrEqual(4); // the zigzag out
    expect(rows.filter((y) => y >= 24 && y <= 30).length).toBeGreaterThanOrEqual(4); // and back
    expect(all.segments).toBeGreaterThan(3900);
    expect(culled.segments).toBeLessThan(100);
  });
});
