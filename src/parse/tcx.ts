/**
 * TCX v2: every Activity/Lap/Track/Trackpoint with a Position, each <Track> a
 * separate segment. A multisport session (a triathlon: MultiSportSession/
 * FirstSport|NextSport/Activity) is one activity of all its sports' laps, typed
 * "Multisport" with the sports in order. Activity@Sport becomes activity_type; the start time is the
 * first trackpoint's, else the activity <Id> (a timestamp by the schema). TCX has
 * no name, so the title is the activity's <Notes> when there are any.
 */
import type { ParseResult, Properties, Segment } from "../types.ts";
import { checkPointCount, ELE, firstTime, LAT, LON, newSegment, parseTimeText, scanPoints, TIME, type PointSpec } from "./_scan.ts";
import { bodyRange, listOf, readXml, textOf, type XmlFormat } from "./_xml.ts";

const TCX: XmlFormat = {
  label: "TCX",
  root: "TrainingCenterDatabase",
  body: "Track",
  arrays: ["Activity", "Lap", "Track", "Course", "MultiSportSession", "NextSport"],
};

const TRACKPOINT: PointSpec = {
  point: "Trackpoint",
  latLonAttributes: false,
  fields: [
    { name: "Time", value: TIME, depth: 1 },
    { name: "AltitudeMeters", value: ELE, depth: 1 },
    { name: "LatitudeDegrees", value: LAT, depth: 2 }, // inside <Position>
    { name: "LongitudeDegrees", value: LON, depth: 2 },
  ],
};

export function parseTcx(bytes: Uint8Array): ParseResult {
  const doc = readXml(bytes, TCX);
  const container = listOf(doc.root.Activities)[0];
  const sessions = listOf(container?.MultiSportSession);
  const legs = sessions.flatMap((s) => [...listOf(s.FirstSport), ...listOf(s.NextSport)].flatMap((leg) => listOf(leg.Activity)));
  const activities = [...listOf(container?.Activity), ...legs];
  const first = activities[0];
  const sports = activities.map((a) => textOf(a["@_Sport"])?.trim()).filter((s): s is string => !!s);
  const sport = legs.length > 1 ? "Multisport" : sports[0];
  if (sport && /^virtual/i.test(sport)) return { skip: "virtual", detail: `sport "${sport}"` };

  const segments: Segment[] = [];
  let seen = 0;
  for (const activity of activities) {
    for (const lap of listOf(activity.Lap)) {
      for (const track of listOf(lap.Track)) {
        const range = bodyRange(doc, track);
        if (!range) continue;
        const segment = newSegment();
        seen += scanPoints(doc.bytes, range[0], range[1], TRACKPOINT, segment);
        checkPointCount(seen);
        if (segment.lat.length > 0) segments.push(segment);
      }
    }
  }
  if (segments.length === 0) {
    const courses = listOf(listOf(doc.root.Courses)[0]?.Course).length;
    const detail = seen > 0
      ? `${seen} trackpoints, none with a position`
      : activities.length === 0 && courses > 0 ? `${courses} courses and no activity` : "no trackpoints";
    return { skip: "no_track_data", detail };
  }

  const properties: Properties = {};
  if (sport) properties.activity_type = sport;
  if (legs.length > 1) properties.sports = sports.join(", ");
  const id = parseTimeText(textOf(first.Id) ?? "");
  return {
    title: textOf(first.Notes) || undefined,
    startTime: firstTime(segments) ?? (Number.isNaN(id) ? undefined : id),
    properties,
    segments,
  };
}
