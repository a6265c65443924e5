import { describe, expect, test } from "bun:test";
import { formatDuration, Progress } from "../src/import/progress.ts";

function harness(tty: boolean, total: number) {
  let now = 0;
  const out: string[] = [];
  const progress = new Progress({ total, tty, write: (t) => out.push(t), now: () => now });
  return { progress, out, at: (ms: number) => (now = ms) };
}

describe("Progress", () => {
  test("terminal: a bar redrawn in place at most every 100 ms", () => {
    const { progress, out, at } = harness(true, 100);
    at(1000);
    progress.update(25, 20);
    at(1050);
    progress.update(30, 25);
    at(2000);
    progress.update(50, 40);
    progress.finish();
    expect(out).toEqual([
      "\r\x1b[2K[######------------------] 25/100 files, 20 activities/s ETA 0:03",
      "\r\x1b[2K[############------------] 50/100 files, 20 activities/s ETA 0:02",
      "\r\x1b[2K",
    ]);
  });

  test("log: a plain line every 5 s, nothing before the first interval", () => {
    const { progress, out, at } = harness(false, 10);
    at(1000);
    progress.update(1, 1);
    at(5000);
    progress.update(5, 5);
    at(9000);
    progress.update(9, 9);
    at(10000);
    progress.update(10, 10);
    progress.finish();
    expect(out).toEqual(["import: 5/10 files, 1.0 activities/s ETA 0:05\n", "import: 10/10 files, 1.0 activities/s\n"]);
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
