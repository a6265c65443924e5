import { describe, expect, test } from "bun:test";
import { parseTcx } from "../../src/parse/tcx.ts";
import { exampleActivity, writeGpx, writeTcx, type TcxOptions } from "../../src/synth/formats.ts";
import { activity, badFileMessage, fixture, utf8 } from "../helpers/parse.ts";

const failure = (bytes: Uint8Array) => badFileMessage(parseTcx, bytes);

describe("parseTcx on real files", () => {
  test("sample.tcx: Sport, start time and the three positioned trackpoints", () => {
    const a = activity(parseTcx(fixture("activities/sample.tcx")));
    expect(a.properties).toEqual({ activity_type: "Biking" });
    expect(a.startTime).toBe(Date.parse("2026-01-02T10:00:00Z"));
    expect(a.title).toBeUndefined();
    expect(a.segments).toHaveLength(1);
    const [s] = a.segments;
    expect(s.lat).toEqual([42.0001, 42.0005, 42.0009]);
    expect(s.lon).toEqual([-71.0001, -71.0005, -71.0009]);
    expect(s.ele.every(Number.isNaN)).toBe(true);
    expect(s.time).toEqual(["10:00:00", "10:02:30", "10:05:00"].map((t) => Date.parse(`2026-01-02T${t}Z`)));
  });

  test("no_track_data.tcx (trackpoints without Position) is skipped, not failed", () => {
    expect(parseTcx(fixture("activities/no_track_data.tcx"))).toEqual({
      skip: "no_track_data",
      detail: "2 trackpoints, none with a position",
    });
  });

  test("Strava-style: whitespace before the declaration, laps, offsets, a point without position, Notes", () => {
    const a = activity(parseTcx(fixture("parse/strava.tcx")));
    expect(a.title).toBe("Isar run");
    expect(a.properties).toEqual({ activity_type: "Running" });
    expect(a.startTime).toBe(Date.parse("2023-10-01T05:30:01Z"));
    expect(a.segments.map((s) => s.lat)).toEqual([[48.1371, 48.1372], [48.14]]);
    expect(a.segments[0].ele).toEqual([519.2, NaN]);
    expect(a.segments[0].time).toEqual([Date.parse("2023-10-01T05:30:01Z"), Date.parse("2023-10-01T05:30:03.500Z")]);
    expect(a.segments[1].ele).toEqual([521]);
  });
});

describe("parseTcx on generated files", () => {
  const example = exampleActivity({ points: 200, segments: 2, title: "Evening & run", type: "run" });

  test.each<[string, TcxOptions]>([
    ["plain", {}],
    ["leading newline", { leadingWhitespace: "\n" }],
    ["leading spaces", { leadingWhitespace: "          " }],
    ["leading CRLF", { leadingWhitespace: "\r\n  " }],
  ])("%s reads back what was written", (_, options) => {
    const a = activity(parseTcx(utf8(writeTcx(example, options))));
    expect(a.title).toBe("Evening & run");
    expect(a.properties).toEqual({ activity_type: "Running" });
    expect(a.startTime).toBe(example.startTime);
    expect(a.segments).toHaveLength(2);
    a.segments.forEach((s, k) => {
      const w = example.segments[k];
      s.lat.forEach((lat, i) => expect(lat).toBeCloseTo(w.lat[i], 7));
      s.lon.forEach((lon, i) => expect(lon).toBeCloseTo(w.lon[i], 7));
      s.ele.forEach((ele, i) => expect(ele).toBeCloseTo(w.ele[i], 1));
      expect(s.time).toEqual(w.time);
    });
  });

  test("a UTF-8 BOM is accepted", () => {
    expect(activity(parseTcx(utf8("\uFEFF" + writeTcx(example)))).segments).toHaveLength(2);
  });

  test("without trackpoint times the start time is the activity Id", () => {
    const text = writeTcx(example).replace(/<Time>[^<]*<\/Time>/g, "");
    const a = activity(parseTcx(utf8(text)));
    expect(a.startTime).toBe(example.startTime);
    expect(a.segments[0].time.every(Number.isNaN)).toBe(true);
  });

  test.each(["VirtualRide", "Virtual Ride", "virtualrun"])("Sport %p is skipped as virtual", (sport) => {
    expect(parseTcx(utf8(writeTcx(example, { sport })))).toEqual({ skip: "virtual", detail: `sport "${sport}"` });
  });

  test("a course file (no activity) is no_track_data", () => {
    const course = writeTcx(example)
      .replace("<Activities><Activity", "<Courses><Course")
      .replace("</Activity></Activities>", "</Course></Courses>");
    expect(parseTcx(utf8(course))).toEqual({ skip: "no_track_data", detail: "1 courses and no activity" });
  });

  const whole = writeTcx(example, { leadingWhitespace: "\n  " });
  test.each([
    ["in the declaration", 12],
    ["inside a Track", whole.indexOf("<Track>") + 300],
    ["between laps", whole.indexOf("</Lap>") + 7],
    ["before </TrainingCenterDatabase>", whole.lastIndexOf("</TrainingCenterDatabase>")],
    ["inside the last tag", whole.length - 4],
  ])("truncated %s is bad_file", (_, at) => {
    expect(failure(utf8(whole.slice(0, at)))).toStartWith("expected ");
  });

  test.each([
    ["an empty file", new Uint8Array(0), "expected a TCX document, found an empty file"],
    ["a GPX document", utf8(writeGpx(example)), "expected the root element <TrainingCenterDatabase> of a TCX document, found <gpx>"],
  ])("%s is bad_file", (_, bytes, message) => {
    expect(failure(bytes)).toBe(message);
  });
});
