import { describe, expect, test } from "bun:test";
import { formatDuration, Progress } from "../../src/import/progress.ts";

/** What a Progress writes when updated at each [clock ms, files done, activities done] and then finished. */
function written(tty: boolean, total: number, updates: [number, number, number][]): string[] {
  let now = 0;
  const out: string[] = [];
  const progress = new Progress({ total, tty, write: (t) => out.push(t), now: () => now });
  for (const [ms, done, activities] of updates) {
    now = ms;
    progress.update(done, activities);
  }
  progress.finish();
  return out;
}

describe("Progress", () => {
  test.each([
    {
      name: "terminal: a bar redrawn in place at most every 100 ms",
      tty: true,
      total: 100,
      updates: [
        [1000, 25, 20],
        [1050, 30, 25],
        [2000, 50, 40],
      ],
      out: [
        "\r\x1b[2K[######------------------] 25/100 files, 20 activities/s ETA 0:03",
        "\r\x1b[2K[############------------] 50/100 files, 20 activities/s ETA 0:02",
        "\r\x1b[2K",
      ],
    },
    {
      name: "log: a plain line every 5 s, nothing before the first interval",
      tty: false,
      total: 10,
      updates: [
        [1000, 1, 1],
        [5000, 5, 5],
        [9000, 9, 9],
        [10000, 10, 10],
      ],
      out: ["import: 5/10 files, 1.0 activities/s ETA 0:05\n", "import: 10/10 files, 1.0 activities/s\n"],
    },
  ] as { name: string; tty: boolean; total: number; updates: [number, number, number][]; out: string[] }[])("$name", ({ tty, total, updates, out }) => {
    expect(written(tty, total, updates)).toEqual(out);
  });
});

test.each([
  [0, "0:00"],
  [75, "1:15"],
  [3725, "1:02:05"],
  [-3, "0:00"],
])("formatDuration(%d) = %j", (s, text) => {
  expect(formatDuration(s)).toBe(text);
});

describe("Progress of something else", () => {
  test("names its own items and rate (hotpot export: tiles)", () => {
    const out: string[] = [];
    let now = 0;
    const progress = new Progress({ total: 400, tty: false, write: (t) => out.push(t), now: () => now, units: { label: "export", items: "tiles", rate: "tiles" } });
    now = 6000;
    progress.update(300, 300);
    expect(out).toEqual(["export: 300/400 tiles, 50 tiles/s ETA 0:02\n"]);
  });
});
