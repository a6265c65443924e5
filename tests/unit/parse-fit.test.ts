import { describe, expect, test } from "bun:test";
import { Decoder, Stream } from "@garmin/fitsdk";
import { readRecords } from "../../src/parse/_fit-records.ts";
import { parseFit } from "../../src/parse/fit.ts";
import { exampleActivity, writeFit } from "../../src/synth/formats.ts";
import { activity, badFileMessage, fixture } from "../helpers/parse.ts";

const sample = fixture("activities/sample.fit");

const failure = (bytes: Uint8Array) => badFileMessage(parseFit, bytes);

function concat(...files: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(files.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of files) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

describe("parseFit on a real Garmin file", () => {
  const a = activity(parseFit(sample));

  test("file_id and session fields become properties; sport is the activity_type", () => {
    expect(a.properties).toMatchObject({
      manufacturer: "garmin",
      product: 1765,
      total_calories: 1188,
      total_ascent: 995,
      sport: "cycling",
      sub_sport: "generic",
      activity_type: "cycling",
    });
  });

  test("positions, file bookkeeping and non-scalar fields are not properties", () => {
    const names = Object.keys(a.properties);
    expect(names.filter((n) => n.endsWith("_lat") || n.endsWith("_long"))).toEqual([]);
    for (const hidden of ["type", "event", "event_type", "message_index", "time_in_hr_zone", "timestamp", "start_time"]) {
      expect(names).not.toContain(hidden);
    }
    expect(Object.values(a.properties).every((v) => ["string", "number", "boolean"].includes(typeof v))).toBe(true);
  });

  test("records are degrees with altitude and time", () => {
    expect(a.startTime).toBe(Date.parse("2017-02-24T15:29:08Z"));
    expect(a.segments).toHaveLength(1);
    const [s] = a.segments;
    expect(s.lat).toHaveLength(2740);
    expect(s.lat[0]).toBeCloseTo(33.988883, 6);
    expect(s.lon[0]).toBeCloseTo(-118.474626, 6);
    expect(s.ele[0]).toBeCloseTo(3.6, 6);
    expect(s.time[0]).toBe(Date.parse("2017-02-24T15:29:08Z"));
    expect(s.lat.every((v) => v > 33.9 && v < 34.2)).toBe(true);
    expect(s.lon.every((v) => v > -118.6 && v < -118.4)).toBe(true);
  });
});

describe("parseFit on generated files", () => {
  const example = exampleActivity({ points: 300, segments: 2 });
  const file = writeFit(example, { totalCalories: 640, manufacturer: "wahooFitness" });

  test("reads back what was written (semicircles, altitude scale 1/5 m, whole seconds)", () => {
    const a = activity(parseFit(file));
    expect(a.properties).toMatchObject({ manufacturer: "wahoo_fitness", total_calories: 640, activity_type: "cycling" });
    expect(a.startTime).toBe(example.startTime);
    // FIT has no segments: one file is one line
    expect(a.segments).toHaveLength(1);
    const [s] = a.segments;
    const written = example.segments.flatMap((w) => w.lat.map((lat, i) => [lat, w.lon[i], w.ele[i], w.time[i]]));
    expect(s.lat).toHaveLength(written.length);
    written.forEach(([lat, lon, ele, time], i) => {
      expect(s.lat[i]).toBeCloseTo(lat, 6);
      expect(s.lon[i]).toBeCloseTo(lon, 6);
      expect(Math.abs(s.ele[i] - ele)).toBeLessThanOrEqual(0.1 + 1e-9);
      expect(s.time[i]).toBe(time);
    });
  });

  test("chained FIT files are read whole, one segment per file", () => {
    const second = exampleActivity({ points: 120, startTime: example.startTime + 3_600_000 });
    const a = activity(parseFit(concat(file, writeFit(second))));
    expect(a.segments.map((s) => s.lat.length)).toEqual([600, 120]);
    expect(a.segments[1].time[0]).toBe(second.startTime);
    expect(a.properties.total_calories).toBe(640);
  });

  test.each(["virtualActivity", "indoorCycling", "indoorRowing", "indoorRunning"])("sub_sport %s is skipped as virtual", (subSport) => {
    const result = parseFit(writeFit(exampleActivity({ points: 10 }), { subSport }));
    expect(result).toMatchObject({ skip: "virtual" });
  });

  test.each(["generic", "road", "mountain"])("sub_sport %s is kept", (subSport) => {
    expect(activity(parseFit(writeFit(exampleActivity({ points: 10 }), { subSport }))).segments).toHaveLength(1);
  });

  test("records without positions are no_track_data", () => {
    const indoors = exampleActivity({ points: 12 });
    indoors.segments[0].lat.fill(NaN);
    expect(parseFit(writeFit(indoors))).toEqual({ skip: "no_track_data", detail: "12 records, none with a position" });
  });

  test.each([
    ["an empty file", new Uint8Array(0), /^expected a FIT file, found an empty file$/],
    ["text", new TextEncoder().encode("<gpx></gpx> and more text"), /^expected a FIT file header \("\.FIT" signature\), found 25 bytes without one$/],
    ["a cut header", file.subarray(0, 9), /^expected a FIT file header/],
    ["truncated data", file.subarray(0, 2000), /^expected \d+ bytes of FIT data from byte 0, found 2000 \(truncated\?\)$/],
    ["junk after a complete file", concat(file, new Uint8Array(20)), new RegExp(`^expected another chained FIT file at byte ${file.length}`)],
    ["a truncated second file", concat(file, file.subarray(0, 100)), new RegExp(`from byte ${file.length}, found 100 \\(truncated\\?\\)$`)],
  ])("%s is bad_file", (_, bytes, message) => {
    expect(failure(bytes)).toMatch(message);
  });

  test("a damaged file that decodes to nothing fails on its CRC instead of being skipped", () => {
    const damaged = file.slice();
    damaged[19] = 0xff; // the record definition now names another message
    expect(failure(damaged)).toMatch(/^expected FIT CRC 0x[0-9a-f]{4} at byte \d+, found 0x[0-9a-f]{4} \(corrupt file\)$/);
  });

  test("a damaged definition the decoder cannot follow is bad_file", () => {
    const damaged = file.slice();
    damaged[14] = 0x00; // the first definition becomes a data message without one
    expect(failure(damaged)).toBe("expected valid FIT messages in the file at byte 0, found: FIT data record has no local definition");
  });

  test("a missing CRC at the very end is tolerated when the track decodes", () => {
    expect(activity(parseFit(file.subarray(0, file.length - 2))).segments[0].lat).toHaveLength(600);
  });
});

describe("readRecords: track points read without the library", () => {
  test.each(["activities/sample.fit", "synthetic"])("matches the record messages the Garmin SDK decodes in %s", (name) => {
    const bytes = name === "synthetic" ? writeFit(exampleActivity({ points: 500, segments: 2 })) : fixture(name);
    const decoded = new Decoder(Stream.fromByteArray(Array.from(bytes))).read();
    const records = (decoded.messages.recordMesgs ?? []) as Record<string, unknown>[];
    expect(records.length).toBeGreaterThan(0);
    const read = readRecords(bytes, 0, bytes.length)!;
    expect(read.count).toBe(records.length);
    const positioned = records.filter((r) => typeof r.positionLat === "number" && typeof r.positionLong === "number");
    expect(read.segment.lat.length).toBe(positioned.length);
    positioned.forEach((r, i) => {
      expect(read.segment.lat[i]).toBeCloseTo(((r.positionLat as number) * 180) / 2 ** 31, 9);
      expect(read.segment.lon[i]).toBeCloseTo(((r.positionLong as number) * 180) / 2 ** 31, 9);
      const ele = (r.enhancedAltitude ?? r.altitude) as number | undefined;
      if (ele === undefined) expect(read.segment.ele[i]).toBeNaN();
      else expect(read.segment.ele[i]).toBeCloseTo(ele, 6);
      expect(read.segment.time[i]).toBe((r.timestamp as Date).getTime());
    });
  });

  test("what is left for the library has no records and still decodes", () => {
    const bytes = fixture("activities/sample.fit");
    const { rest } = readRecords(bytes, 0, bytes.length)!;
    const decoded = new Decoder(Stream.fromByteArray(Array.from(rest))).read();
    expect(decoded.messages.recordMesgs ?? []).toEqual([]);
    expect(decoded.messages.sessionMesgs?.length).toBeGreaterThan(0);
  });
});
