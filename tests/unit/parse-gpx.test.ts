import { describe, expect, test } from "bun:test";
import { HotpotError } from "../../src/errors.ts";
import { MAX_POINTS } from "../../src/parse/_scan.ts";
import { parseGpx } from "../../src/parse/gpx.ts";
import { exampleActivity, writeGpx, writeTcx, type GpxOptions } from "../../src/synth/formats.ts";
import { activity, badFileMessage, fixture, utf8 } from "../helpers/parse.ts";

const failure = (bytes: Uint8Array) => badFileMessage(parseGpx, bytes);

describe("parseGpx on real files", () => {
  test("sample.gpx: title, type, metadata time, points with elevation", () => {
    const a = activity(parseGpx(fixture("activities/sample.gpx")));
    expect(a.title).toBe("20250816 gravel return");
    expect(a.properties).toEqual({ activity_type: "ride" });
    expect(a.startTime).toBe(Date.parse("2025-08-16T10:18:54.087Z"));
    expect(a.segments).toHaveLength(1);
    const [s] = a.segments;
    expect(s.lat).toHaveLength(9);
    expect([s.lat[0], s.lon[0], s.ele[0]]).toEqual([52.489478, 13.377609, 43.8]);
    expect([s.lat[8], s.lon[8], s.ele[8]]).toEqual([52.490137, 13.376738, 44]);
    expect(s.time.every(Number.isNaN)).toBe(true);
  });

  test("corrupted.gpx (truncated inside <trkseg>) is bad_file naming the open element and its line", () => {
    expect(failure(fixture("activities/corrupted.gpx"))).toBe(
      "expected </trkseg> closing the <trkseg> opened at line 9, found the end of the file (truncated?)",
    );
  });

  test("namespace prefixes, single quotes, lon before lat, extensions and comments", () => {
    const a = activity(parseGpx(fixture("parse/prefixed.gpx")));
    expect(a.title).toBe("Prefixed & quoted");
    expect(a.properties).toEqual({ activity_type: "Gravel Ride" });
    // The first point's time; <metadata><time> (07:15:00) is only a fallback.
    expect(a.startTime).toBe(Date.parse("2024-03-09T07:15:02Z"));
    const [s] = a.segments;
    expect(s.lat).toEqual([52.52, 52.521, 52.522]);
    expect(s.lon).toEqual([13.405, 13.406, 13.407]);
    // the <ele>/<time> nested in <extensions> belong to the extension, not the point
    expect(s.ele).toEqual([34.5, NaN, NaN]);
    expect(s.time).toEqual([Date.parse("2024-03-09T07:15:02Z"), Date.parse("2024-03-09T07:15:07.250Z"), NaN]);
  });

  test("GPX 1.0: start time and name under <gpx>, each <trkseg> a segment, routes ignored", () => {
    const a = activity(parseGpx(fixture("parse/gpx10.gpx")));
    expect(a.title).toBe("File name");
    // The first point's time; <gpx><time> (16:00:00) is only a fallback.
    expect(a.startTime).toBe(Date.parse("2012-06-30T16:00:05Z"));
    expect(a.properties).toEqual({});
    expect(a.segments.map((s) => s.lat)).toEqual([[47.0001, 47.0002], [47.01]]);
    expect(a.segments[0].ele).toEqual([410, 411]);
  });

  test("routes and waypoints without track points are no_track_data", () => {
    expect(parseGpx(fixture("parse/routes_only.gpx"))).toEqual({
      skip: "no_track_data",
      detail: "no track points (2 waypoints, 1 routes)",
    });
  });
});

describe("parseGpx on generated files", () => {
  const example = exampleActivity({ points: 250, segments: 3, title: "Loop <north> & \"back\"", type: "ride" });

  test.each<[string, GpxOptions]>([
    ["GPX 1.1", {}],
    ["GPX 1.0", { version: "1.0" }],
    ["UTF-8 BOM", { bom: true }],
    ["namespace prefix", { prefix: "gpx" }],
    ["1.0 with BOM and prefix", { version: "1.0", bom: true, prefix: "g" }],
  ])("%s reads back what was written", (_, options) => {
    const a = activity(parseGpx(utf8(writeGpx(example, options))));
    expect(a.title).toBe(example.title);
    expect(a.properties).toEqual({ activity_type: "ride" });
    expect(a.startTime).toBe(example.startTime);
    expect(a.segments).toHaveLength(3);
    a.segments.forEach((s, k) => {
      const w = example.segments[k];
      expect(s.lat.length).toBe(w.lat.length);
      s.lat.forEach((lat, i) => expect(lat).toBeCloseTo(w.lat[i], 7));
      s.lon.forEach((lon, i) => expect(lon).toBeCloseTo(w.lon[i], 7));
      s.ele.forEach((ele, i) => expect(ele).toBeCloseTo(w.ele[i], 1));
      expect(s.time).toEqual(w.time);
    });
  });

  test("UTF-16 with a byte order mark reads like UTF-8", () => {
    const text = writeGpx(example);
    const utf16 = new Uint8Array(2 + text.length * 2);
    utf16.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) utf16[2 + 2 * i] = text.charCodeAt(i); // the text is ASCII
    expect(parseGpx(utf16)).toEqual(parseGpx(utf8(text)));
  });

  test("every <trk> is read; the first track's name and type win", () => {
    const one = writeGpx(exampleActivity({ points: 20, title: "First", type: "hike" }));
    const other = writeGpx(exampleActivity({ points: 30, title: "Second", type: "run" }));
    const secondTrack = other.slice(other.indexOf("<trk>"), other.indexOf("</trk>") + 6);
    const a = activity(parseGpx(utf8(one.replace("</trk>", "</trk>" + secondTrack))));
    expect(a.title).toBe("First");
    expect(a.properties).toEqual({ activity_type: "hike" });
    expect(a.segments.map((s) => s.lat.length)).toEqual([20, 30]);
  });

  test.each(["VirtualRide", "virtual run", "VIRTUALRIDE"])("type %p is skipped as virtual", (type) => {
    expect(parseGpx(utf8(writeGpx(exampleActivity({ points: 5, type }))))).toEqual({
      skip: "virtual",
      detail: `track type "${type}"`,
    });
  });

  test("track points without coordinates are dropped; none left is no_track_data", () => {
    const gpx = writeGpx(exampleActivity({ points: 4 }));
    const withoutLat = gpx.replace(/ lat="[^"]*"/g, "");
    expect(parseGpx(utf8(withoutLat))).toEqual({ skip: "no_track_data", detail: "4 track points, none with lat and lon" });
    const oneBad = gpx.replace(/lat="[^"]*"/, 'lat="north"');
    expect(activity(parseGpx(utf8(oneBad))).segments[0].lat).toHaveLength(3);
  });

  const whole = writeGpx(example);
  test.each([
    ["in the XML declaration", 10],
    ["inside the metadata", whole.indexOf("<metadata>") + 15],
    ["inside the first <trkseg>", whole.indexOf("<trkseg>") + 500],
    ["in the middle", Math.floor(whole.length / 2)],
    ["before </trk>", whole.lastIndexOf("</trk>")],
    ["before </gpx>", whole.lastIndexOf("</gpx>")],
    ["inside </gpx>", whole.length - 3],
  ])("truncated %s is bad_file", (_, at) => {
    expect(failure(utf8(whole.slice(0, at)))).toStartWith("expected ");
  });

  test.each([
    ["an empty file", new Uint8Array(0), "expected a GPX document, found an empty file"],
    ["only whitespace", utf8(" \n\t\r\n"), "expected a GPX document, found an empty file"],
    ["only a BOM", utf8("\uFEFF"), "expected a GPX document, found an empty file"],
    ["plain text", utf8("hello world"), 'expected a GPX (XML) document starting with "<", found "hello world"'],
    ["JSON", utf8('{"type": "FeatureCollection", "features": []}'), 'expected a GPX (XML) document starting with "<", found "{\\"type\\": \\"FeatureCollect…"'],
    ["binary data", new Uint8Array([0x0e, 0x10, 0x2e, 0x46, 0x49, 0x54, 0, 0]), 'expected a GPX (XML) document starting with "<", found binary data'],
    ["a TCX document", utf8(writeTcx(example)), "expected the root element <gpx> of a GPX document, found <TrainingCenterDatabase>"],
  ])("%s is bad_file", (_, bytes, message) => {
    expect(failure(bytes)).toBe(message);
  });

  test("a mismatched tag after the track points is reported at its line in the file", () => {
    const broken = whole.replace("</trk>", "</trx>");
    const line = whole.slice(0, whole.indexOf("</trk>")).split("\n").length;
    expect(line).toBeGreaterThan(700);
    expect(failure(utf8(broken))).toMatch(new RegExp(`^expected a well-formed GPX \\(XML\\) document, found an error at line ${line}, column \\d+: .*'trx'`));
  });

  test.each([
    ["text after the root", whole + "garbage"],
    ["a second root", whole + "<gpx></gpx>"],
    ["an unescaped & in a name", whole.replace("<name>Loop", "<name>Fish & Loop")],
  ])("%s is bad_file", (_, text) => {
    expect(failure(utf8(text))).toStartWith("expected a well-formed GPX (XML) document, found an error at line");
  });
});

describe("the point cap", () => {
  test("a file with more than MAX_POINTS track points is refused, not built", () => {
    const point = '<trkpt lat="47.1" lon="8.5"/>';
    const gpx = `<?xml version="1.0"?><gpx version="1.1" creator="t"><trk><trkseg>${point.repeat(MAX_POINTS + 1)}</trkseg></trk></gpx>`;
    let error: unknown;
    try {
      parseGpx(new TextEncoder().encode(gpx));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HotpotError);
    expect((error as HotpotError).code).toBe("too_large");
    expect((error as HotpotError).message).toBe("expected at most 2,000,000 track points in one file, found more (a multi-day ultra at 1 Hz has about 500,000)");
  });
});
