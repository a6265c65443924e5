import { describe, expect, test } from "bun:test";
import { encodeLines } from "../../src/codec.ts";
import { exploreCells, firstExploredBy, markCells, maxCluster, maxSquare, VisitIndexBuilder, type ExploredCells } from "../../src/explorer.ts";

/** Cells of a tile (extent 2048, 2 × 2 cells of 1024, row-major: 0 NW, 1 NE, 2 SW, 3 SE) that one line marks. */
function cellsOf(line: number[], circles: number[] | null = null): number[] {
  const hit = new Uint8Array(4);
  markCells(Int32Array.from(line), Uint32Array.of(line.length / 2), 1, 2048, 2, circles && Float64Array.from(circles), hit);
  return [...hit.keys()].filter((i) => hit[i] === 1);
}

describe("which cells a line crosses (half-open cells)", () => {
  const cases: [string, number[], number[]][] = [
    ["inside one cell", [10, 10, 900, 500], [0]],
    ["diagonal through the middle corner: only the cells it enters", [0, 0, 2047, 2047], [0, 3]],
    ["anti-diagonal through the middle corner", [2048, 0, 0, 2048], [1, 2, 3]],
    ["x + y = 1024 touches the corners (0,1024) and (1024,0)", [0, 1024, 1024, 0], [0, 1, 2]],
    ["ending exactly at the middle corner", [1000, 1000, 1024, 1024], [0, 3]],
    ["starting at the middle corner, going south-east", [1024, 1024, 1100, 1100], [3]],
    ["along the middle edge x = 1024: the cells east of it", [1024, 0, 1024, 2047], [1, 3]],
    ["one unit west of the middle edge", [1023, 0, 1023, 2047], [0, 2]],
    ["along the middle edge y = 1024: the cells south of it", [0, 1024, 2047, 1024], [2, 3]],
    ["along the tile's west edge", [0, 5, 0, 2000], [0, 2]],
    ["along the tile's east edge: the next tile's", [2048, 5, 2048, 2000], []],
    ["along the tile's south edge: the next tile's", [5, 2048, 2000, 2048], []],
    ["only in the buffer west of the tile", [-32, 100, -1, 100], []],
    ["from the buffer into the tile", [-32, 100, 0, 100], [0]],
    ["cutting the south-east corner from the buffers", [2030, 2060, 2060, 2030], [3]],
    ["missing the south-east corner in the buffers", [2049, 2060, 2060, 2049], []],
  ];
  test.each(cases)("%s", (_name, line, expected) => {
    expect(cellsOf(line)).toEqual(expected);
  });

  test("a privacy circle hides the part of a line inside it", () => {
    // West to east through both northern cells; a circle of radius 300 around the middle of the north-east cell.
    const line = [100, 500, 2000, 500];
    expect(cellsOf(line)).toEqual([0, 1]);
    expect(cellsOf(line, [1536, 500, 300 * 300])).toEqual([0, 1]);
    // A circle covering all of the north-east cell's part of the line.
    expect(cellsOf(line, [1536, 500, 600 * 600])).toEqual([0]);
    expect(cellsOf(line, [1000, 500, 3000 * 3000])).toEqual([]);
  });
});

describe("VisitIndexBuilder and exploreCells", () => {
  test("z17 from z16 rows: cells, visits and first and last visits per cell", () => {
    const b = new VisitIndexBuilder(17, 16, 2048);
    // Tile 16/10/20: activity 1 in its north-west cell, activity 2 across its northern cells; tile 16/11/20: activity 2 again.
    b.addRow(1, 10, 20, encodeLines([[10, 10, 500, 500]]));
    b.addRow(2, 10, 20, encodeLines([[10, 100, 2070, 100]]));
    b.addRow(2, 11, 20, encodeLines([[-22, 100, 700, 100]]));
    // Only in tile 16/12/20's buffer: explores nothing.
    b.addRow(3, 12, 20, encodeLines([[-30, 100, -5, 100]]));
    const times = Float64Array.of(NaN, Date.UTC(2020, 0, 5), Date.UTC(2022, 5, 1), Date.UTC(2023, 0, 1));
    const all = exploreCells(b.build(), null, times);
    expect([...all.x]).toEqual([20, 21, 22]);
    expect([...all.y]).toEqual([40, 40, 40]);
    expect([...all.visits]).toEqual([2, 1, 1]);
    expect([...all.first]).toEqual([times[1], times[2], times[2]]);
    expect([...all.last]).toEqual([times[2], times[2], times[2]]);
    expect(firstExploredBy(all, "year")).toEqual({ "2020": 1, "2022": 2 });
    expect(firstExploredBy(all, "month")).toEqual({ "2020-01": 1, "2022-06": 2 });

    const onlyFirst = exploreCells(b.build(), new Set([1]), times);
    expect([...onlyFirst.x]).toEqual([20]);
    expect([...onlyFirst.visits]).toEqual([1]);
  });

  test("a cell shallower than the stored level gathers its tiles, counting each activity once", () => {
    const b = new VisitIndexBuilder(14, 16, 2048);
    // 16/40/80 and 16/41/80 both lie in 14/10/20; activity 7 crosses both, activity 8 one.
    b.addRow(7, 40, 80, encodeLines([[0, 10, 2047, 10]]));
    b.addRow(8, 40, 80, encodeLines([[0, 10, 20, 10]]));
    b.addRow(7, 41, 80, encodeLines([[0, 10, 2047, 10]]));
    b.addRow(8, 44, 80, encodeLines([[0, 10, 20, 10]]));
    const cells = exploreCells(b.build(), null, new Float64Array(0));
    expect([...cells.x]).toEqual([10, 11]);
    expect([...cells.y]).toEqual([20, 20]);
    expect([...cells.visits]).toEqual([2, 1]);
    expect(Number.isNaN(cells.first[0])).toBe(true);
  });
});

/** Cells from a picture: '#' explored, one row per line, north-west cell at (x0, y0). */
function picture(rows: string[], x0 = 100, y0 = 200): ExploredCells {
  const points: [number, number][] = [];
  rows.forEach((row, y) => [...row].forEach((c, x) => c === "#" && points.push([x0 + x, y0 + y])));
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const n = points.length;
  return {
    zoom: 14,
    x: Uint32Array.from(points, (p) => p[0]),
    y: Uint32Array.from(points, (p) => p[1]),
    visits: new Uint32Array(n).fill(1),
    first: new Float64Array(n).fill(NaN),
    last: new Float64Array(n).fill(NaN),
  };
}

/** The cluster's cells, drawn back as a picture of the same frame. */
function clusterPicture(rows: string[]): string[] {
  const cells = picture(rows);
  const { member } = maxCluster(cells);
  const inCluster = new Set([...member.keys()].filter((i) => member[i] === 1).map((i) => `${cells.x[i] - 100}/${cells.y[i] - 200}`));
  return rows.map((row, y) => [...row].map((_, x) => (inCluster.has(`${x}/${y}`) ? "C" : ".")).join(""));
}

describe("max square and max cluster", () => {
  const cases: [string, string[], { size: number; x: number; y: number }, number][] = [
    ["nothing", [], { size: 0, x: 0, y: 0 }, 0],
    ["one cell", ["#"], { size: 1, x: 100, y: 200 }, 0],
    ["a full 3 × 3", ["###", "###", "###"], { size: 3, x: 100, y: 200 }, 1],
    ["a 3 × 3 ring (hole in the middle)", ["###", "#.#", "###"], { size: 1, x: 100, y: 200 }, 0],
    ["4 × 4 without its north-west corner: two equal squares, the western one", [".###", "####", "####", "####"], { size: 3, x: 100, y: 201 }, 4],
    ["a hole breaks the big square and the cluster", ["#####", "#####", "##.##", "#####", "#####"], { size: 2, x: 100, y: 200 }, 1],
    ["touching squares, 2 × 2 beside 3 × 3", ["#####", "#####", "..###"], { size: 3, x: 102, y: 200 }, 2],
    ["several equal squares: the westernmost", ["...##", "...##", ".....", "##...", "##..."], { size: 2, x: 100, y: 203 }, 0],
    ["equal squares in one column: the northernmost", ["##", "##", "..", "##", "##"], { size: 2, x: 100, y: 200 }, 0],
    ["a plus: one cluster cell", [".#.", "###", ".#."], { size: 1, x: 100, y: 201 }, 1],
    ["diagonal cluster cells are separate clusters", [".#...", "###..", ".####", "..###", "...#."], { size: 2, x: 101, y: 201 }, 1],
  ];
  test.each(cases)("%s", (_name, rows, square, cluster) => {
    const cells = picture(rows);
    expect(maxSquare(cells)).toEqual(square);
    expect(maxCluster(cells).size).toBe(cluster);
  });

  test("the cluster's cells are the inner ones of the larger of two blocks", () => {
    const rows = ["###......", "###.#####", "###.#####", "....#####", "....#####", "....#####"];
    expect(clusterPicture(rows)).toEqual([".........", ".........", ".....CCC.", ".....CCC.", ".....CCC.", "........."]);
    expect(maxSquare(picture(rows))).toEqual({ size: 5, x: 104, y: 201 });
  });

  test("first explored per year counts each cell once, at its first visit", () => {
    const cells = picture(["##"]);
    cells.first.set([Date.UTC(2019, 11, 31, 23), Date.UTC(2020, 0, 1)]);
    expect(firstExploredBy(cells, "year")).toEqual({ "2019": 1, "2020": 1 });
  });
});
