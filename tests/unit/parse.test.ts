import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isHotpotError } from "../../src/errors.ts";
import { parseNumber, parseTime } from "../../src/parse/_scan.ts";
import { isSupportedName, parseFile, stripCompression } from "../../src/parse/index.ts";
import { exampleActivity, writeFit, writeGpx, writeTcx } from "../../src/synth/formats.ts";
import type { ParseResult } from "../../src/types.ts";

const fixture = (name: string) => new Uint8Array(readFileSync(join(import.meta.dir, "../fixtures/activities", name)));
const utf8 = (text: string) => new TextEncoder().encode(text);
const gzip = (bytes: Uint8Array) => Bun.gzipSync(bytes as Uint8Array<ArrayBuffer>);

const example = exampleActivity({ points: 40 });
const gpx = utf8(writeGpx(example));
const tcx = utf8(writeTcx(example));
const fit = writeFit(example);

const pointCount = (r: ParseResult) => ("skip" in r ? -1 : r.segments.reduce((n, s) => n + s.lat.length, 0));

function failure(name: string, bytes: Uint8Array): string {
  try {
    parseFile(name, bytes);
  } catch (e) {
    if (isHotpotError(e) && e.code === "bad_file") return e.message;
    throw e;
  }
  throw new Error(`expected parseFile(${name}) to throw bad_file`);
}

describe("parseFile picks the parser by name", () => {
  test.each<[string, Uint8Array, number]>([
    ["ride.gpx", gpx, 40],
    ["RIDE.GPX", gpx, 40],
    ["ride.gpx.gz", gzip(gpx), 40],
    ["Ride.Gpx.GZ", gzip(gpx), 40],
    ["run.tcx", tcx, 40],
    ["run.tcx.gz", gzip(tcx), 40],
    ["activities/2021.05/ride.fit", fit, 40],
    ["RIDE.FIT.GZ", gzip(fit), 40],
    ["sample.gpx", fixture("sample.gpx"), 9],
    ["sample.tcx", fixture("sample.tcx"), 3],
    ["sample.fit", fixture("sample.fit"), 2740],
  ])("%s", (name, bytes, points) => {
    expect(pointCount(parseFile(name, bytes))).toBe(points);
  });

  test("the name decides, not the content", () => {
    expect(failure("ride.tcx", gpx)).toBe("expected the root element <TrainingCenterDatabase> of a TCX document, found <gpx>");
    expect(failure("ride.fit", gpx)).toStartWith("expected a FIT file header");
  });

  test.each([
    ["notes.txt", ".txt"],
    ["photo.jpg.gz", ".jpg"],
    ["README", "no extension"],
    ["archive.gz", "no extension"],
    ["folder.gpx/notes", "no extension"],
    ["route.kml", ".kml"],
  ])("%s is skipped as unsupported, whatever its bytes", (name, found) => {
    expect(parseFile(name, utf8("not even gzip"))).toEqual({
      skip: "unsupported",
      detail: `expected .gpx, .tcx or .fit (optionally .gz), found ${found}`,
    });
  });

  test("skips and failures come from the parser behind the .gz", () => {
    expect(parseFile("no_track_data.tcx.gz", gzip(fixture("no_track_data.tcx")))).toMatchObject({ skip: "no_track_data" });
    expect(failure("corrupted.gpx.gz", gzip(fixture("corrupted.gpx")))).toStartWith("expected </trkseg>");
  });

  test.each([
    ["not gzip at all", utf8("<gpx></gpx>")],
    ["a truncated gzip stream", gzip(gpx).subarray(0, 200)],
  ])("%s behind .gz is bad_file", (_, bytes) => {
    expect(failure("ride.gpx.gz", bytes)).toStartWith("expected gzip-compressed data (.gz), found data that does not decompress: ");
  });
});

describe("isSupportedName and stripCompression", () => {
  test.each([
    ["a.gpx", true],
    ["a.tcx", true],
    ["a.fit", true],
    ["a.FIT.gz", true],
    ["dir/a.tcx.GZ", true],
    ["a.gz", false],
    ["a.csv", false],
    ["activities.csv", false],
    ["gpx", false],
    ["a.gpx.zip", false],
  ])("isSupportedName(%p) is %p", (name, supported) => {
    expect(isSupportedName(name)).toBe(supported);
  });

  test("a .gz is gunzipped and renamed; anything else comes back as it is", () => {
    const plain = stripCompression("Ride.GPX.gz", gzip(gpx), 1 << 20);
    expect(plain.name).toBe("Ride.GPX");
    expect(plain.bytes).toEqual(gpx);
    const same = stripCompression("ride.gpx", gpx, 1 << 20);
    expect(same.name).toBe("ride.gpx");
    expect(same.bytes).toBe(gpx);
  });
});

describe("number and time scanning", () => {
  const number = (text: string) => parseNumber(utf8(text), 0, text.length);
  const time = (text: string) => parseTime(utf8(text), 0, text.length);

  test.each([
    ["52.489478", 52.489478],
    ["-118.4746257", -118.4746257],
    ["+3", 3],
    ["0", 0],
    ["5.", 5],
    [".5", 0.5],
    ["  42.25", 42.25],
    ["1e3", 1000],
    ["-2.5E-2", -0.025],
    ["52.48947812345678901", 52.48947812345678901],
    ["abc", NaN],
    ["-", NaN],
    ["12abc", NaN],
    ["", NaN],
  ])("parseNumber(%p) is %p", (text, value) => {
    expect(number(text)).toBe(value);
  });

  test("parseNumber equals Number() on 20,000 random decimals of up to 15 digits", () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let k = 0; k < 20_000; k++) {
      const digits = 1 + Math.floor(random() * 15);
      const decimals = Math.floor(random() * (digits + 1));
      const raw = String(Math.floor(random() * 10 ** digits)).padStart(digits, "0");
      const text = (random() < 0.5 ? "-" : "") + raw.slice(0, digits - decimals) + (decimals ? "." + raw.slice(digits - decimals) : "");
      expect(number(text)).toBe(Number(text));
    }
  });

  test.each([
    ["2024-05-01T06:00:00Z", "2024-05-01T06:00:00.000Z"],
    ["2024-05-01T06:00:00.087Z", "2024-05-01T06:00:00.087Z"],
    ["2024-05-01T06:00:00.1Z", "2024-05-01T06:00:00.100Z"],
    ["2024-05-01T06:00:00.1239Z", "2024-05-01T06:00:00.123Z"],
    ["2024-05-01t06:00:00z", "2024-05-01T06:00:00.000Z"],
    ["  2024-05-01T06:00:00Z", "2024-05-01T06:00:00.000Z"],
    ["2024-05-01T06:00:00", "2024-05-01T06:00:00.000Z"],
    ["2024-05-01T08:00:00+02:00", "2024-05-01T06:00:00.000Z"],
    ["2024-05-01T02:30:00.500-03:30", "2024-05-01T06:00:00.500Z"],
    ["2024-02-29T23:59:59Z", "2024-02-29T23:59:59.000Z"],
    ["2024-03-01T00:00:00Z", "2024-03-01T00:00:00.000Z"],
    ["2024-05-01T24:00:00Z", "2024-05-02T00:00:00.000Z"], // ISO 8601's end of day
  ])("parseTime(%p) is %s", (text, iso) => {
    expect(time(text)).toBe(Date.parse(iso));
  });

  test.each(["2023-02-29T10:00:00Z", "2024-04-31T10:00:00Z", "2024-13-01T10:00:00Z", "2024-05-01T25:00:00Z", "2024-05-01T06:60:00Z", "yesterday", ""])(
    "parseTime(%p) is NaN",
    (text) => {
      expect(time(text)).toBeNaN();
    },
  );
});
