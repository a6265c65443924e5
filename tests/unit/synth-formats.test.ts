import { describe, expect, test } from "bun:test";
import { Decoder, Stream } from "@garmin/fitsdk";
import { exampleActivity, isoTime, writeFit, writeGpx, writeTcx } from "../../src/synth/formats.ts";

const example = exampleActivity({ points: 5, segments: 2, title: `Tom's <"fast"> & slow`, type: "ride" });

describe("isoTime", () => {
  test.each([
    Date.UTC(2024, 4, 1, 6, 0, 0),
    Date.UTC(2024, 4, 1, 23, 59, 59),
    Date.UTC(2024, 1, 29, 12, 30, 5, 87),
    Date.UTC(1999, 11, 31, 23, 59, 59, 999),
    Date.UTC(2030, 0, 1, 0, 0, 0, 5),
    0,
  ])("%p matches toISOString, without a zero fraction", (ms) => {
    const expected = new Date(ms).toISOString().replace(".000Z", "Z");
    expect(isoTime(ms)).toBe(expected);
  });
});

describe("exampleActivity", () => {
  test("is deterministic, 1 s apart within a segment and a minute apart between them", () => {
    expect(exampleActivity({ points: 5, segments: 2 })).toEqual(exampleActivity({ points: 5, segments: 2 }));
    const [a, b] = example.segments;
    expect(a.time[1] - a.time[0]).toBe(1000);
    expect(b.time[0] - a.time[4]).toBe(61_000);
    expect(a.time[0]).toBe(example.startTime);
  });
});

describe("writeGpx", () => {
  test("GPX 1.1: metadata time, escaped name and type, one trkseg per segment", () => {
    const text = writeGpx(example);
    expect(text).toStartWith('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1"');
    expect(text).toContain('xmlns="http://www.topografix.com/GPX/1/1"');
    expect(text).toContain("<metadata><time>2024-05-01T06:00:00Z</time></metadata>");
    expect(text).toContain("<name>Tom's &lt;&quot;fast&quot;&gt; &amp; slow</name><type>ride</type>");
    expect(text.match(/<trkseg>/g)).toHaveLength(2);
    expect(text.match(/<trkpt /g)).toHaveLength(10);
    expect(text).toContain('<trkpt lat="52.5000000" lon="13.4000000"><ele>40.0</ele><time>2024-05-01T06:00:00Z</time></trkpt>');
  });

  test("GPX 1.0 puts the time under <gpx>", () => {
    const text = writeGpx(example, { version: "1.0" });
    expect(text).toContain('version="1.0"');
    expect(text).toContain('xmlns="http://www.topografix.com/GPX/1/0"');
    expect(text).not.toContain("<metadata>");
    expect(text).toMatch(/<gpx [^>]*>\n<time>2024-05-01T06:00:00Z<\/time>/);
  });

  test("bom and prefix", () => {
    const text = writeGpx(example, { bom: true, prefix: "gpx" });
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text).toContain('xmlns:gpx="http://www.topografix.com/GPX/1/1"');
    expect(text.match(/<\/?[a-z]+[ >]/g)).toBeNull(); // no element without the prefix
    expect(text).toContain("<gpx:trkpt ");
  });

  test("missing elevation and time are left out", () => {
    const sparse = exampleActivity({ points: 2 });
    sparse.segments[0].ele[0] = NaN;
    sparse.segments[0].time[1] = NaN;
    const text = writeGpx(sparse);
    expect(text).toContain('<trkpt lat="52.5000000" lon="13.4000000"><time>');
    expect(text).toMatch(/<ele>[\d.]+<\/ele><\/trkpt>\n<\/trkseg>/);
  });
});

describe("writeTcx", () => {
  test.each([
    ["ride", "Biking"],
    ["Mountain Bike", "Biking"],
    ["run", "Running"],
    ["Trail Run", "Running"],
    ["hike", "Other"],
    ["Virtual Ride", "Virtual Ride"],
  ])("type %p becomes Sport %p", (type, sport) => {
    expect(writeTcx({ ...example, type })).toContain(`<Activity Sport="${sport}">`);
  });

  test("leading whitespace, Id, one Lap per segment, title in Notes", () => {
    const text = writeTcx(example, { leadingWhitespace: "\r\n  ", sport: "Biking" });
    expect(text).toStartWith('\r\n  <?xml version="1.0" encoding="UTF-8"?>');
    expect(text).toContain("<Id>2024-05-01T06:00:00Z</Id>");
    expect(text.match(/<Lap StartTime="[^"]+"><Track>/g)).toHaveLength(2);
    expect(text.match(/<Trackpoint>/g)).toHaveLength(10);
    expect(text).toContain("<Notes>Tom's &lt;&quot;fast&quot;&gt; &amp; slow</Notes>");
  });
});

describe("writeFit", () => {
  test("the FIT SDK's own decoder reads file_id, every record and the session", () => {
    const bytes = writeFit(example, { manufacturer: "hammerhead", totalCalories: 321 });
    const decoder = new Decoder(Stream.fromByteArray(Array.from(bytes)));
    expect(decoder.checkIntegrity()).toBe(true);
    const { messages, errors } = decoder.read();
    expect(errors).toEqual([]);
    expect(messages.fileIdMesgs?.[0]).toMatchObject({ type: "activity", manufacturer: "hammerhead" });
    const records = messages.recordMesgs ?? [];
    expect(records).toHaveLength(10);
    expect(records[0].positionLat).toBe(Math.round(52.5 * (2 ** 31 / 180)));
    expect(records[0].enhancedAltitude).toBeCloseTo(40, 6);
    expect((records[5].timestamp as Date).getTime()).toBe(example.segments[1].time[0]);
    expect(messages.sessionMesgs?.[0]).toMatchObject({ sport: "cycling", subSport: "generic", totalCalories: 321 });
  });

  test.each([
    ["ride", "cycling", "generic"],
    ["run", "running", "generic"],
    ["hike", "hiking", "generic"],
    ["walk", "walking", "generic"],
    ["yoga", "generic", "generic"],
    ["Virtual Ride", "cycling", "virtualActivity"],
  ])("type %p is sport %p, sub_sport %p", (type, sport, subSport) => {
    const decoder = new Decoder(Stream.fromByteArray(Array.from(writeFit({ ...example, type }))));
    expect(decoder.read().messages.sessionMesgs?.[0]).toMatchObject({ sport, subSport });
  });

  test("an unknown enum name is an error, not a silent default", () => {
    expect(() => writeFit(example, { sport: "quidditch" })).toThrow();
  });
});
