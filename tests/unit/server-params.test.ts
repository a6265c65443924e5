import { describe, expect, test } from "bun:test";
import { errorOf } from "../helpers/errors.ts";
import { parseTileAddress } from "../../src/args.ts";
import { activityQuery, intParam, negotiateFormat, paletteParam, modeParam, scaleParam } from "../../src/server/params.ts";

const params = (q: string) => new URLSearchParams(q);


describe("parseTileAddress", () => {
  test.each([
    ["0", "0", "0", { z: 0, x: 0, y: 0, size: 512, format: null }],
    ["12", "2148", "1436", { z: 12, x: 2148, y: 1436, size: 512, format: null }],
    ["12", "2148", "1436@2x", { z: 12, x: 2148, y: 1436, size: 1024, format: null }],
    ["12", "2148", "1436@small", { z: 12, x: 2148, y: 1436, size: 256, format: null }],
    ["12", "2148", "1436.png", { z: 12, x: 2148, y: 1436, size: 512, format: "png" }],
    ["12", "2148", "1436@2x.webp", { z: 12, x: 2148, y: 1436, size: 1024, format: "webp" }],
    ["20", "1048575", "1048575", { z: 20, x: 1048575, y: 1048575, size: 512, format: null }],
  ])("/tile/%s/%s/%s", (z, x, y, expected) => {
    expect(parseTileAddress(z, x, y)).toEqual(expected as never);
  });

  test.each([
    ["a", "0", "0", "integers"],
    ["1.5", "0", "0", "integers"],
    ["-1", "0", "0", "integers"],
    ["1e1", "0", "0", "integers"],
    ["1", "0", "0@3x", "integers"],
    ["1", "0", "0.jpg", "integers"],
    ["1", "0", "", "integers"],
    ["1", "2", "0", "x and y from 0 to 1"],
    ["1", "0", "2", "x and y from 0 to 1"],
    ["21", "0", "0", "z from 0 to 20"],
    ["99999999999", "0", "0", "integers"],
  ])("/tile/%s/%s/%s → 400 naming %p", (z, x, y, expected) => {
    const e = errorOf(() => parseTileAddress(z, x, y));
    expect(e.status).toBe(400);
    expect(e.message).toContain(expected);
    expect(e.message).not.toContain("\n");
  });
});

describe("negotiateFormat", () => {
  const req = (accept?: string) => new Request("http://localhost/tile/0/0/0", { headers: accept ? { Accept: accept } : {} });
  test.each([
    [undefined, null, "png"],
    ["image/avif,image/webp,*/*", null, "webp"],
    ["image/png,*/*", null, "png"],
    ["image/webp", "png", "png"],
    [undefined, "webp", "webp"],
  ] as const)("Accept %p, suffix %p → %p", (accept, suffix, expected) => {
    expect(negotiateFormat(req(accept), suffix)).toBe(expected);
  });
});

describe("activityQuery", () => {
  test("empty values count as absent, and equal queries give equal keys", () => {
    const a = activityQuery(params("filter=&before=&after="));
    expect(a.query).toBeNull();
    expect(activityQuery(params("filter=%20type%20%3D%20Ride%20")).query!.key).toBe(activityQuery(params("filter=type%20%3D%20Ride")).query!.key);
    expect(activityQuery(params("after=2024-01-01")).query!.key).not.toBe(activityQuery(params("before=2024-01-01")).query!.key);
  });

  test.each([
    ["a month 13", "after=2024-13-01", "after"],
    ["a word for a date", "before=yesterday", "before"],
    ["a filter missing its value", "filter=type%20%3D%3D", "filter"],
    ["a 3000-character filter", `filter=${"a".repeat(3000)}`, "2000"],
  ])("%s → 400 mentioning %p", (_, q, expected) => {
    const e = errorOf(() => activityQuery(params(q)));
    expect(e.status).toBe(400);
    expect(e.message.toLowerCase()).toContain(expected);
  });
});

describe("paletteParam", () => {
  test("a preset, a custom gradient, or the default", () => {
    expect(paletteParam(params("")).key).toBe(paletteParam(params("color=orange")).key);
    expect(paletteParam(params("color=red")).key).not.toBe(paletteParam(params("")).key);
    expect(paletteParam(params("gradient=1:ff0000;10:ffffff")).rgba).toHaveLength(1024);
  });

  test.each([
    ["color=red&gradient=1:ff0000", "not both"],
    ["color=chartreuse", "color"],
    ["gradient=1:zzzzzz", "gradient"],
  ])("%s → 400 mentioning %p", (q, expected) => {
    const e = errorOf(() => paletteParam(params(q)));
    expect(e.status).toBe(400);
    expect(e.message).toContain(expected);
  });
});

describe("scaleParam", () => {
  test.each([
    ["", "linear"],
    ["scale=", "linear"],
    ["scale=log", "log"],
    ["scale=adaptive", "adaptive"],
  ])("%p → %p", (q, expected) => {
    expect(scaleParam(params(q))).toBe(expected as never);
  });

  test("an unknown scale → 400 naming the parameter", () => {
    const e = errorOf(() => scaleParam(params("scale=sqrt")));
    expect(e.status).toBe(400);
    expect(e.message).toBe("scale: expected one of linear, log, adaptive, found 'sqrt'");
  });
});

describe("modeParam", () => {
  test.each([
    ["", "frequency"],
    ["mode=", "frequency"],
    ["mode=recency", "recency"],
    ["mode=first", "first"],
  ])("%p → %p", (q, expected) => {
    expect(modeParam(params(q))).toBe(expected as never);
  });

  test("an unknown mode → 400 naming the parameter", () => {
    const e = errorOf(() => modeParam(params("mode=last")));
    expect(e.status).toBe(400);
    expect(e.message).toBe("mode: expected one of frequency, recency, first, found 'last'");
  });
});

describe("intParam", () => {
  test.each([
    ["width=10", 10],
    ["", 7],
  ])("%p → %p", (q, expected) => {
    expect(intParam(params(q), "width", 1, 3000, 7)).toBe(expected);
  });

  test.each(["width=0", "width=3001", "width=1.5", "width=abc", "width=1e3"])("%s → 400", (q) => {
    expect(errorOf(() => intParam(params(q), "width", 1, 3000)).message).toStartWith("width: expected an integer from 1 to 3000");
  });

  test("a required parameter that is missing → 400", () => {
    expect(errorOf(() => intParam(params(""), "height", 1, 3000)).message).toContain("found nothing");
  });
});
