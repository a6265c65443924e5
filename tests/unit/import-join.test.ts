import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { normaliseHeader, normaliseJoinPath, readJoinTable, uniqueHeaders } from "../../src/import/join.ts";

const fixture = (name: string) => readFileSync(join(import.meta.dir, "../fixtures", name), "utf8");

describe("headers", () => {
  test.each([
    ["Activity ID", "activity_id"],
    ["  Elapsed   Time ", "elapsed_time"],
    ["Aktivitäts-ID", "aktivitäts-id"],
    ["filename", "filename"],
  ])("normaliseHeader(%j) = %j", (raw, name) => {
    expect(normaliseHeader(raw)).toBe(name);
  });

  test.each([
    [["Distance", "Elapsed Time", "Distance", "Elapsed Time"], ["distance", "elapsed_time", "distance_2", "elapsed_time_2"]],
    [["a", "a", "a"], ["a", "a_2", "a_3"]],
    // A real column called a_2 keeps its name; the repeat takes the next free suffix.
    [["a", "a", "a_2"], ["a", "a_3", "a_2"]],
    [["x", "", ""], ["x", "column_2", "column_3"]],
  ])("uniqueHeaders(%j)", (raw, names) => {
    expect(uniqueHeaders(raw)).toEqual(names);
  });

  test.each([
    ["./activities/1.gpx", "activities/1.gpx"],
    ["activities\\1.gpx", "activities/1.gpx"],
    [" a.gpx ", "a.gpx"],
  ])("normaliseJoinPath(%j) = %j", (raw, path) => {
    expect(normaliseJoinPath(raw)).toBe(path);
  });
});

describe("readJoinTable", () => {
  test("metadata.csv: rows by filename, numbers typed, type column", () => {
    const t = readJoinTable(fixture("metadata.csv"), "metadata.csv");
    expect([...t.rows.keys()]).toEqual(["activities/sample.gpx", "activities/sample.tcx", "activities/sample.fit", "activities/missing.gpx"]);
    expect(t.rows.get("activities/sample.tcx")).toEqual({
      properties: { distance: 10000, elevation_gain: 100, activity_type: "run", duration: 2400 },
    });
    expect(t.rows.get("activities/missing.gpx")).toEqual({ properties: {} });
    expect(t.manual).toBe(0);
  });

  test("strava_export.csv: Activity ID gives strava keys", () => {
    const t = readJoinTable(fixture("strava_export.csv"), "strava_export.csv");
    expect([...t.rows.values()].map((r) => r.key)).toEqual(["strava:19387121985", "strava:19387121986", "strava:19387121987"]);
  });

  test("English Strava export: repeated columns apart, quoted newline, date, name, manual rows", () => {
    const t = readJoinTable(fixture("import/strava_en.csv"), "strava_en.csv");
    expect(t.manual).toBe(1);
    expect(t.rows.size).toBe(4);
    const ride = t.rows.get("activities/sample.gpx")!;
    expect(ride.key).toBe("strava:19387121985");
    expect(ride.title).toBe("Morning Ride");
    expect(ride.startTime).toBe(Date.parse("2021-01-02T07:03:11Z"));
    expect(ride.properties).toMatchObject({
      activity_type: "Ride",
      activity_description: 'Cold, windy and "fun"\r\nsecond line of the description',
      elapsed_time: 3600,
      elapsed_time_2: 3600,
      distance: 25.31,
      distance_2: 25310.5,
      moving_time: 3400,
      commute: false,
      activity_gear: "Canyon",
    });
    expect(ride.properties).not.toHaveProperty("filename");
    expect(t.rows.get("activities/sample.tcx")!.properties.commute).toBe(true);
  });

  test("German Strava export: localised roles, day-first dates, decimal commas", () => {
    const t = readJoinTable(fixture("import/strava_de.csv"), "strava_de.csv");
    expect(t.manual).toBe(1);
    const ride = t.rows.get("activities/sample.gpx")!;
    expect(ride.key).toBe("strava:19387121985");
    expect(ride.title).toBe("Morgenfahrt");
    expect(ride.startTime).toBe(Date.parse("2021-01-02T07:03:11Z"));
    expect(ride.properties).toMatchObject({ activity_type: "Radfahrt", distanz: 25.31, distanz_2: 25310.5, verstrichene_zeit_2: 3600 });
    expect(t.rows.get("activities/sample.tcx")!.startTime).toBe(Date.parse("2021-01-03T12:30:00Z"));
  });

  test("semicolon-separated export with decimal commas", () => {
    const t = readJoinTable("Dateiname;Distanz\nride.gpx;12,5\n", "x.csv");
    expect(t.rows.get("ride.gpx")!.properties).toEqual({ distanz: 12.5 });
  });

  test("a table without a file column names the column it expected", () => {
    expect(() => readJoinTable("Activity ID,Name\n1,x\n", "activities.csv")).toThrow(
      "activities.csv: no file column (expected 'filename' or 'Filename', or a localised name such as 'Dateiname'); found 'Activity ID', 'Name'",
    );
  });

  test("an empty CSV is an error", () => {
    expect(() => readJoinTable("", "e.csv")).toThrow("e.csv: empty CSV");
  });
});
