import { describe, expect, test } from "bun:test";
import { etagOf, ifNoneMatch } from "../../src/server/etag.ts";

describe("etagOf", () => {
  test("is a quoted strong tag, stable for a key and different for another", () => {
    expect(etagOf("1|2/3/4|512|png")).toMatch(/^"[0-9a-z]+"$/);
    expect(etagOf("1|2/3/4|512|png")).toBe(etagOf("1|2/3/4|512|png"));
    expect(etagOf("2|2/3/4|512|png")).not.toBe(etagOf("1|2/3/4|512|png"));
  });
});

describe("ifNoneMatch", () => {
  const tag = '"abc"';
  test.each([
    [null, false],
    ['"abc"', true],
    ['"xyz"', false],
    ['W/"abc"', true],
    ['"xyz", "abc"', true],
    ['"xyz",W/"abc"', true],
    ["*", true],
    ["abc", false],
    ['"ab"', false],
  ] as const)("If-None-Match %p → %p", (header, expected) => {
    expect(ifNoneMatch(header, tag)).toBe(expected);
  });
});
