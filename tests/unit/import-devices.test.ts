/**
 * Files real devices and apps write that once went wrong: a multisport TCX, FIT
 * files that are not activities, tracks with no extent, GPX metadata times that
 * are not the start. Generated here (XML written out, FIT by @garmin/fitsdk's
 * Encoder through writeFit) and run through the importer's prepareActivity.
 */
import { describe, expect, test } from "bun:test";
import { prepareActivity, type PrepareOptions, type PrepareResult } from "../../src/import/prepare.ts";
import { exampleActivity, isoTime, writeFit, writeGpx, writeTcx } from "../../src/synth/formats.ts";
import { utf8 } from "../helpers/parse.ts";

const OPTIONS: PrepareOptions = { zoomLevels: [2, 6, 10, 14, 16], tileExtent: 2048, trimDist: 0, maxFileBytes: 64 * 1024 * 1024 };

function prepare(name: string, bytes: Uint8Array | string): PrepareResult {
  return prepareActivity(name, typeof bytes === "string" ? utf8(bytes) : bytes, OPTIONS);
}

function record(result: PrepareResult) {
  if (!result.ok) throw new Error(`not stored: ${result.status} ${result.reason}`);
  return result.record;
}

describe("multisport TCX: every sport's laps, one activity", () => {
  // A triathlon as a Garmin Forerunner writes it: Activities/MultiSportSession/FirstSport|NextSport/Activity.
  const legs = [
    { sport: "Other", type: "swim", from: Date.UTC(2021, 6, 4, 7, 0) },
    { sport: "Biking", type: "ride", from: Date.UTC(2021, 6, 4, 7, 40) },
    { sport: "Running", type: "run", from: Date.UTC(2021, 6, 4, 9, 0) },
  ];
  const activityXml = legs.map((leg) => {
    const tcx = writeTcx(exampleActivity({ points: 120, type: leg.type, startTime: leg.from }), { sport: leg.sport });
    return tcx.slice(tcx.indexOf("<Activity "), tcx.indexOf("</Activities>"));
  });
  const multisport = [
    `<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">`,
    `<Activities><MultiSportSession><Id>${isoTime(legs[0].from)}</Id>`,
    `<FirstSport>${activityXml[0]}</FirstSport>`,
    `<NextSport><Transition StartTime="${isoTime(legs[1].from - 60_000)}"><TotalTimeSeconds>60</TotalTimeSeconds></Transition>${activityXml[1]}</NextSport>`,
    `<NextSport>${activityXml[2]}</NextSport>`,
    `</MultiSportSession></Activities></TrainingCenterDatabase>`,
  ].join("\n");

  test("stored as one activity with all three legs, typed Multisport, starting with the swim", () => {
    const r = record(prepare("triathlon.tcx", multisport));
    expect(r.properties).toMatchObject({ activity_type: "Multisport", sports: "Other, Biking, Running" });
    expect(r.startTime).toBe(legs[0].from);
    expect(r.properties.total_distance).toBeGreaterThan(3 * 0.7);
  });

  test("a plain TCX activity is unchanged", () => {
    const r = record(prepare("ride.tcx", writeTcx(exampleActivity({ points: 120 }), { sport: "Biking" })));
    expect(r.properties.activity_type).toBe("Biking");
    expect(r.properties).not.toContainKey("sports");
  });
});

describe("FIT files that are not recorded activities are skipped, saying which type", () => {
  const track = exampleActivity({ points: 200 });

  test.each([
    ["course", "course"],
    ["workout", "workout"],
    ["settings", "settings"],
    ["monitoringA", "monitoring_a"],
  ])("file_id type %s", (fileType, shown) => {
    expect(prepare(`${fileType}.fit`, writeFit(track, { fileType }))).toEqual({
      ok: false,
      status: "skipped",
      reason: "unsupported",
      detail: `FIT file type ${shown}, not a recorded activity`,
    });
  });

  test("an activity file is stored", () => {
    expect(prepare("ride.fit", writeFit(track, { fileType: "activity" })).ok).toBe(true);
  });
});

describe("a track with no extent after cleaning is 'no track data', not an invisible activity", () => {
  const gpx = (points: [number, number][]) =>
    [
      `<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>`,
      ...points.map(([lat, lon], i) => `<trkpt lat="${lat}" lon="${lon}"><time>${isoTime(Date.UTC(2022, 0, 1) + i * 1000)}</time></trkpt>`),
      `</trkseg></trk></gpx>`,
    ].join("\n");

  test.each([
    ["two identical points", [[52.5, 13.4], [52.5, 13.4]]],
    ["a hundred identical points", Array.from({ length: 100 }, (): [number, number] => [48.1, 11.5])],
    // Every point at one place but one spike, which cleaning drops.
    ["one place and a spike", [[48.1, 11.5], [48.1, 11.5], [48.1, 11.5], [48.1, 11.5], [48.11, 11.5], [48.1, 11.5], [48.1, 11.5], [48.1, 11.5], [48.1, 11.5]]],
  ] as const)("%s", (_, points) => {
    expect(prepare("still.gpx", gpx(points as unknown as [number, number][]))).toMatchObject({ ok: false, status: "skipped", reason: "no_track_data" });
  });

  test("two points a metre apart still make a track", () => {
    expect(prepare("short.gpx", gpx([[52.5, 13.4], [52.50001, 13.4]])).ok).toBe(true);
  });
});

describe("GPX start time: the first timed point's, the metadata time only as a fallback", () => {
  const points = exampleActivity({ points: 60, startTime: Date.UTC(2019, 11, 15, 8, 30) });
  // Written as an app exporting four days later would: <metadata><time> is the export time.
  const exported = { ...points, startTime: Date.UTC(2019, 11, 19, 20, 0) };

  test("metadata time later than the points: the points win", () => {
    expect(record(prepare("watch.gpx", writeGpx(exported))).startTime).toBe(Date.UTC(2019, 11, 15, 8, 30));
  });

  test("gpsbabel's 1970 metadata time: the points win", () => {
    expect(record(prepare("babel.gpx", writeGpx({ ...points, startTime: 0 }))).startTime).toBe(Date.UTC(2019, 11, 15, 8, 30));
  });

  test("no timed point: the metadata time", () => {
    const untimed = { ...exported, segments: exported.segments.map((s) => ({ ...s, time: s.time.map(() => NaN) })) };
    expect(record(prepare("planned.gpx", writeGpx(untimed))).startTime).toBe(Date.UTC(2019, 11, 19, 20, 0));
  });
});
