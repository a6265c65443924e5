/** The quick filter chips' grouping of activity type spellings, and the filter a set of chips writes. */
import { describe, expect, test } from "bun:test";
import { compileFilter } from "../../src/filter.ts";
// A page module: importing it touches no DOM, so its pure helpers are tested here directly.
// @ts-expect-error: plain JavaScript without type declarations.
const { groupTypes, typeFilter } = await import("../../public/js/chips.js");

describe("groupTypes", () => {
  test("spellings of one sport are one group; others stay as they are; biggest first", () => {
    const groups = groupTypes([
      { value: "Ride", count: 10 },
      { value: "ride", count: 3 },
      { value: "cycling", count: 2 },
      { value: "Biking", count: 1 },
      { value: "Run", count: 12 },
      { value: "kayaking", count: 1 },
    ]);
    expect(groups).toEqual([
      { label: "Ride", values: ["Ride", "ride", "cycling", "Biking"], count: 16 },
      { label: "Run", values: ["Run"], count: 12 },
      { label: "kayaking", values: ["kayaking"], count: 1 },
    ]);
  });
});

describe("typeFilter", () => {
  test.each([
    [[], ""],
    [[{ values: ["Run"] }], "activity_type = run"],
    [[{ values: ["Ride", "ride", "cycling"] }], "activity_type in [cycling, ride]"],
    [[{ values: ["Gravel Ride"] }, { values: ["Run"] }], 'activity_type in ["gravel ride", run]'],
  ])("%j → %s, which the filter language accepts", (groups, expected) => {
    const filter = typeFilter(groups);
    expect(filter).toBe(expected);
    if (filter) expect(() => compileFilter(filter)).not.toThrow();
  });
});
