import { expect, test } from "bun:test";
import { emptySummary, formatSummary, FAILURES_SHOWN } from "../../src/import/summary.ts";

const summary = () => {
  const s = emptySummary();
  s.files = 30;
  s.imported = 3;
  s.skipped = { already_stored: 2, no_track_data: 1, virtual: 1, unsupported: 1 };
  s.seconds = 2;
  s.bytes = 4e6;
  return s;
};

test("a clean import", () => {
  expect(formatSummary(summary(), false)).toBe(
    [
      "Imported 3 activities from 30 files in 2.0 s (15 files/s, 2.0 MB/s).",
      "Skipped 5: 2 already stored, 1 without track data, 1 virtual or indoor, 1 unsupported.",
      "Failed: 0.",
    ].join("\n"),
  );
});

test("CSV counts and failures, first 20 unless verbose", () => {
  const s = summary();
  s.csv = { source: "export.zip:activities.csv", withoutFile: 1, manual: 2 };
  s.failed = Array.from({ length: 22 }, (_, i) => ({ path: `f${i}.gpx`, reason: "XML ends early" }));
  const short = formatSummary(s, false).split("\n");
  expect(short.slice(2, 4)).toEqual([
    "export.zip:activities.csv: 1 row naming a file that is not there, 2 manual activities (no file).",
    "Failed: 22 files (the others were imported; the exit status stays 0):",
  ]);
  expect(short.slice(4)).toHaveLength(FAILURES_SHOWN + 1);
  expect(short[4]).toBe("  f0.gpx: XML ends early");
  expect(short.at(-1)).toBe("  ... and 2 more (-v lists all)");
  const long = formatSummary(s, true).split("\n");
  expect(long.slice(4)).toHaveLength(22);
  expect(long.at(-1)).toBe("  f21.gpx: XML ends early");
});
