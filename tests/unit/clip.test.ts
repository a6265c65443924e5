import { describe, expect, test } from "bun:test";
import { CLIP_BUFFER, clipTrack, SIMPLIFY_TOLERANCE, simplify } from "../../src/clip.ts";
import { decodeLines } from "../../src/codec.ts";
import { HotpotError } from "../../src/errors.ts";
import type { TileGeometry } from "../../src/types.ts";

const EXTENT = 2048;
const B = CLIP_BUFFER;

/** A one-line track from points given in integer units of zoom z (world = units / (2^z * EXTENT)). */
function track(z: number, units: number[]) {
  const scale = 2 ** z * EXTENT;
  return { lines: [Float64Array.from(units, (v) => v / scale)] };
}

/** Each tile's decoded pieces as arrays of [x, y] in tile units, keyed "z/x/y". */
function decoded(tiles: TileGeometry[]): Map<string, [number, number][][]> {
  const out = new Map<string, [number, number][][]>();
  for (const t of tiles) {
    const { coords, ends } = decodeLines(t.geometry);
    const pieces: [number, number][][] = [];
    let start = 0;
    for (const end of ends) {
      const piece: [number, number][] = [];
      for (let i = start; i < end; i++) piece.push([coords[2 * i], coords[2 * i + 1]]);
      pieces.push(piece);
      start = end;
    }
    const key = `${t.z}/${t.x}/${t.y}`;
    expect(out.has(key)).toBe(false); // one row per tile
    out.set(key, pieces);
  }
  return out;
}

/**
 * Whether segment a→b passes through the open rectangle [x0,x1]x[y0,y1]
 * (separating axes: bounding boxes, then the rectangle's corners against the
 * segment's line). Written independently of clip.ts's column walk.
 */
function crosses(a: number[], b: number[], x0: number, y0: number, x1: number, y1: number): boolean {
  if (Math.max(a[0], b[0]) <= x0 || Math.min(a[0], b[0]) >= x1) return false;
  if (Math.max(a[1], b[1]) <= y0 || Math.min(a[1], b[1]) >= y1) return false;
  const side = (x: number, y: number) => Math.sign((b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]));
  const sides = new Set([side(x0, y0), side(x1, y0), side(x0, y1), side(x1, y1)]);
  return sides.has(1) && sides.has(-1);
}

/** Segments [ax, ay, bx, by] of decoded pieces, shifted by (ox, oy). */
function segmentsOf(pieces: [number, number][][], ox = 0, oy = 0): number[][] {
  const out: number[][] = [];
  for (const piece of pieces) {
    for (let k = 1; k < piece.length; k++) out.push([piece[k - 1][0] + ox, piece[k - 1][1] + oy, piece[k][0] + ox, piece[k][1] + oy]);
  }
  return out;
}

/** Whether (px, py) is within `reach` of one of the segments. */
function near(px: number, py: number, segments: number[][], reach: number): boolean {
  for (const [ax, ay, bx, by] of segments) {
    if (px < Math.min(ax, bx) - reach || px > Math.max(ax, bx) + reach) continue;
    if (py < Math.min(ay, by) - reach || py > Math.max(ay, by) + reach) continue;
    const dx = bx - ax;
    const dy = by - ay;
    const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
    if (Math.hypot(px - ax - t * dx, py - ay - t * dy) <= reach) return true;
  }
  return false;
}

describe("cutting into tiles", () => {
  test("a line crossing a tile edge is in both tiles, overlapping by the buffer at exact crossings", () => {
    // Zoom 1 units; the seam between tiles x=0 and x=1 is at 2048.
    const tiles = decoded(clipTrack(track(1, [1900, 1000, 2200, 1100]), [1], EXTENT));
    expect([...tiles.keys()].sort()).toEqual(["1/0/0", "1/1/0"]);
    // Left tile: up to its right buffer edge x = 2048 + B, where the line is at y = 1000 + 100 (148 + B) / 300.
    expect(tiles.get("1/0/0")).toEqual([
      [
        [1900, 1000],
        [EXTENT + B, Math.round(1000 + (100 * (148 + B)) / 300)],
      ],
    ]);
    // Right tile: from its left buffer edge x = 2048 - B, where y = 1000 + 100 (148 - B) / 300.
    expect(tiles.get("1/1/0")).toEqual([
      [
        [-B, Math.round(1000 + (100 * (148 - B)) / 300)],
        [152, 1100],
      ],
    ]);
  });

  test("a line through the corner of four tiles is in all four", () => {
    const tiles = decoded(clipTrack(track(1, [1900, 1950, 2200, 2150]), [1], EXTENT));
    expect([...tiles.keys()].sort()).toEqual(["1/0/0", "1/0/1", "1/1/0", "1/1/1"]);
  });

  test("a line within the buffer of a neighbour row is in that row too, though no point is there", () => {
    // Runs B/2 units above the seam between rows 0 and 1.
    const y = EXTENT - B / 2;
    const tiles = decoded(clipTrack(track(2, [1000, y, 3000, y]), [2], EXTENT));
    expect([...tiles.keys()].sort()).toEqual(["2/0/0", "2/0/1", "2/1/0", "2/1/1"]);
    expect(tiles.get("2/0/1")).toEqual([
      [
        [1000, -B / 2],
        [EXTENT + B, -B / 2],
      ],
    ]);
  });

  test("a line leaving a tile and coming back makes two pieces there", () => {
    const tiles = decoded(clipTrack(track(1, [1000, 1000, 3000, 1000, 3000, 1500, 1000, 1500]), [1], EXTENT));
    expect(tiles.get("1/0/0")).toEqual([
      [
        [1000, 1000],
        [EXTENT + B, 1000],
      ],
      [
        [EXTENT + B, 1500],
        [1000, 1500],
      ],
    ]);
    expect(tiles.get("1/1/0")).toEqual([
      [
        [-B, 1000],
        [952, 1000],
        [952, 1500],
        [-B, 1500],
      ],
    ]);
  });

  test("a long segment at z16 reaches every tile it crosses and no other", () => {
    // About 37 x 13 tiles of 2048 units; the end points avoid exact corner touches.
    const a = [1_000_123.3, 2_000_456.7];
    const b = [1_076_543.2, 2_027_321.9];
    const z = 16;
    const scale = 2 ** z * EXTENT;
    const got = decoded(clipTrack({ lines: [Float64Array.from([...a, ...b], (v) => v / scale)] }, [z], EXTENT));
    const expected: string[] = [];
    for (let tx = Math.floor(a[0] / EXTENT) - 1; tx <= Math.floor(b[0] / EXTENT) + 1; tx++) {
      for (let ty = Math.floor(a[1] / EXTENT) - 1; ty <= Math.floor(b[1] / EXTENT) + 1; ty++) {
        const x0 = tx * EXTENT - B;
        const y0 = ty * EXTENT - B;
        if (crosses(a, b, x0, y0, x0 + EXTENT + 2 * B, y0 + EXTENT + 2 * B)) expected.push(`${z}/${tx}/${ty}`);
      }
    }
    expect(expected.length).toBeGreaterThan(50);
    expect([...got.keys()].sort()).toEqual(expected.sort());
    // Every piece runs across its tile from one buffered edge to another (or to an end point).
    for (const [key, pieces] of got) {
      expect(pieces.length).toBe(1);
      for (const [x, y] of [pieces[0][0], pieces[0][pieces[0].length - 1]]) {
        const onEdge = x === -B || x === EXTENT + B || y === -B || y === EXTENT + B;
        const tile = key.split("/").map(Number);
        const isEnd = [a, b].some((p) => Math.abs(p[0] - tile[1] * EXTENT - x) <= 0.5 && Math.abs(p[1] - tile[2] * EXTENT - y) <= 0.5);
        expect(onEdge || isEnd).toBe(true);
      }
    }
  });

  test("coordinates stay within the buffered tile and no piece repeats a point", () => {
    const units: number[] = [];
    for (let i = 0; i <= 400; i++) units.push(10 * i, 4000 + 900 * Math.sin(i / 7) + ((i * 37) % 11));
    for (const [, pieces] of decoded(clipTrack(track(14, units), [14], EXTENT))) {
      for (const piece of pieces) {
        expect(piece.length).toBeGreaterThanOrEqual(2);
        piece.forEach(([x, y], i) => {
          expect(x).toBeGreaterThanOrEqual(-B);
          expect(x).toBeLessThanOrEqual(EXTENT + B);
          expect(y).toBeGreaterThanOrEqual(-B);
          expect(y).toBeLessThanOrEqual(EXTENT + B);
          if (i > 0) expect([x, y]).not.toEqual(piece[i - 1]);
        });
      }
    }
  });

  test("every tile holds all of the line that passes through its buffered rectangle", () => {
    // A noisy line in zoom-12 units that runs along the seam x = 4096 (in and out of the
    // buffers), loops through the corner at (4096, 4096), and crosses rows and columns.
    const z = 12;
    const units: number[] = [];
    for (let i = 0; i < 1200; i++) {
      const a = i / 60;
      units.push(4096 + 20 * Math.sin(i * 0.9) + 900 * Math.sin(a) * (i > 600 ? 1 : 0.05), 3000 + i * 2 + 15 * Math.cos(i * 1.3));
    }
    const tiles = [...decoded(clipTrack(track(z, units), [z], EXTENT))].map(([key, pieces]) => {
      const [, tx, ty] = key.split("/").map(Number);
      return { tx, ty, segments: segmentsOf(pieces) };
    });
    const reach = (SIMPLIFY_TOLERANCE * 4) / 3 + 1;
    // Well inside the buffered rectangle, so rounding at its edges does not matter.
    const margin = -B + reach;
    let checked = 0;
    let missed = 0;
    for (let i = 2; i < units.length; i += 2) {
      for (let f = 0; f < 1; f += 0.25) {
        const x = units[i - 2] + (units[i] - units[i - 2]) * f;
        const y = units[i - 1] + (units[i + 1] - units[i - 1]) * f;
        for (const { tx, ty, segments } of tiles) {
          const lx = x - tx * EXTENT;
          const ly = y - ty * EXTENT;
          if (lx < margin || ly < margin || lx > EXTENT - margin || ly > EXTENT - margin) continue;
          if (!near(lx, ly, segments, reach)) missed++;
          checked++;
        }
      }
    }
    expect(missed).toBe(0);
    expect(tiles.length).toBeGreaterThanOrEqual(4);
    expect(checked).toBeGreaterThan(3000);
  });

  test("lines on the world's edge keep only tiles that exist", () => {
    const tiles = clipTrack(track(1, [10, 10, 500, 10]), [1], EXTENT);
    expect(tiles.map((t) => `${t.x}/${t.y}`)).toEqual(["0/0"]);
  });
});

describe("simplification", () => {
  // An L in zoom-16 units: 100 collinear points east, then 100 north.
  const l: number[] = [];
  for (let i = 0; i <= 100; i++) l.push(10 * i, 500);
  for (let i = 1; i <= 100; i++) l.push(1000, 500 + 10 * i);

  test("keeps the corner and drops collinear points", () => {
    const [pieces] = [...decoded(clipTrack(track(16, l), [16], EXTENT)).values()];
    expect(pieces).toEqual([
      [
        [0, 500],
        [1000, 500],
        [1000, 1500],
      ],
    ]);
  });

  test.each([
    [0.9, false],
    [1.1, true],
  ])("a bump of %d units against a tolerance of 1 is kept: %p", (bump, kept) => {
    const bumped = l.slice();
    bumped[2 * 50 + 1] += bump;
    const [pieces] = [...decoded(clipTrack(track(16, bumped), [16], EXTENT)).values()];
    expect(pieces[0].some(([x, y]) => x === 500 && y === Math.round(500 + bump))).toBe(kept);
    if (!kept) expect(pieces[0].length).toBe(3);
  });

  test("keeps the far end of an out-and-back (distance to the segment, not its line)", () => {
    const line = Float64Array.from([0, 0, 5, 0, 10, 0, 5, 0.0001, 0, 0.0001]);
    expect(Array.from(simplify(line, 0.001))).toEqual([0, 0, 10, 0, 0, 0.0001]);
  });

  test("keeps a closed loop's far side", () => {
    const line = Float64Array.from([0, 0, 1, 0, 1, 1, 0, 1, 0, 0]);
    expect(simplify(line, 0.1).length).toBeGreaterThanOrEqual(6);
  });

  test("every zoom stays within tolerance plus rounding of the original line", () => {
    // A wiggly line in world space, simplified at three zooms in one call (each from the deeper one).
    const z16: number[] = [];
    for (let i = 0; i < 1500; i++) z16.push(200_000 + 7 * i, 300_000 + 40 * Math.sin(i / 15) + 3 * Math.sin(i * 1.7));
    const t = track(16, z16);
    const tiles = clipTrack(t, [16, 14, 12], EXTENT);
    for (const z of [12, 14, 16]) {
      const scale = 2 ** z * EXTENT;
      // Reassemble the zoom's pieces in whole-zoom units.
      const segments: number[][] = [];
      for (const [key, pieces] of decoded(tiles.filter((g) => g.z === z))) {
        const [, tx, ty] = key.split("/").map(Number);
        segments.push(...segmentsOf(pieces, tx * EXTENT, ty * EXTENT));
      }
      // Zooms two apart: 1 + 1/4 + 1/16 + ... < 4/3 of the tolerance, plus rounding to whole units.
      const reach = (SIMPLIFY_TOLERANCE * 4) / 3 + Math.SQRT1_2;
      const line = t.lines[0];
      let missed = 0;
      for (let i = 0; i < line.length; i += 2) if (!near(line[i] * scale, line[i + 1] * scale, segments, reach)) missed++;
      expect(missed).toBe(0);
      expect(segments.length).toBeLessThan(z === 16 ? 1499 : 750);
    }
  });
});

describe("simplifying a track that retraces itself", () => {
  /** Each point's distance (world units) to the nearest segment of `kept`, worst over the line. */
  function worstDeviation(line: Float64Array, kept: Float64Array): number {
    const segments: number[][] = [];
    for (let i = 0; i + 3 < kept.length; i += 2) segments.push([kept[i], kept[i + 1], kept[i + 2], kept[i + 3]]);
    let worst = 0;
    for (let i = 0; i < line.length; i += 2) {
      let best = Infinity;
      for (const [ax, ay, bx, by] of segments) {
        const dx = bx - ax;
        const dy = by - ay;
        const len2 = dx * dx + dy * dy;
        const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((line[i] - ax) * dx + (line[i + 1] - ay) * dy) / len2));
        best = Math.min(best, Math.hypot(line[i] - ax - t * dx, line[i + 1] - ay - t * dy));
      }
      worst = Math.max(worst, best);
    }
    return worst;
  }

  test.each([
    ["back and forth over three spots", 3],
    ["out and back over 40 points", 41],
  ])("%s: every dropped point stays within tolerance", (_, spots) => {
    // 4000 points bouncing between `spots` places 5 units apart, with a little noise.
    const line = new Float64Array(8000);
    for (let i = 0; i < 4000; i++) {
      const k = i % (2 * (spots - 1));
      const at = k < spots ? k : 2 * (spots - 1) - k;
      line[2 * i] = at * 5 + ((i * 7919) % 13) * 0.01;
      line[2 * i + 1] = ((i * 104729) % 17) * 0.01;
    }
    const kept = simplify(line, 1);
    expect(kept.length).toBeLessThan(line.length);
    expect(kept.slice(0, 2)).toEqual(line.slice(0, 2));
    expect(kept.slice(-2)).toEqual(line.slice(-2));
    expect(worstDeviation(line, kept)).toBeLessThanOrEqual(1);
  });
});

describe("zoom levels and encoding", () => {
  test("one row per tile at each zoom, and the round trip through the codec is exact", () => {
    // A zigzag far coarser than the tolerance, so every point survives simplification.
    const units: number[] = [];
    for (let i = 0; i < 20; i++) units.push(100 + 50 * i, 100 + (i % 2) * 40);
    const tiles = clipTrack(track(10, units), [10, 8, 10], EXTENT);
    expect(tiles.map((g) => `${g.z}/${g.x}/${g.y}`)).toEqual(["10/0/0", "8/0/0"]);
    expect(decoded(tiles).get("10/0/0")).toEqual([Array.from({ length: 20 }, (_, i) => [units[2 * i], units[2 * i + 1]])]);
  });

  test("a track with no length at a zoom leaves no row there", () => {
    expect(clipTrack(track(16, [100, 100, 100.2, 100.1]), [16], EXTENT)).toEqual([]);
  });

  test.each([
    ["extent", [16], 0],
    ["extent", [16], 100.5],
    ["zoom", [21], EXTENT],
    ["zoom", [-1], EXTENT],
    ["zoom", [2.5], EXTENT],
  ] as [string, number[], number][])("rejects a bad %s (%j, %d)", (_, zooms, extent) => {
    expect(() => clipTrack(track(1, [0, 0, 10, 10]), zooms, extent)).toThrow(HotpotError);
  });
});
