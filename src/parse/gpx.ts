/**
 * GPX 1.0 and 1.1: every <trk>, each <trkseg> a separate segment. The title is
 * the first track's <name>, <type> becomes activity_type, and the start time is
 * the first timed point's, else <metadata><time> (1.1) or <gpx><time> (1.0):
 * many apps set those to when the file was written, not when the activity began.
 */
import type { ParseResult, Properties, Segment } from "../types.ts";
import { checkPointCount, ELE, firstTime, newSegment, parseTimeText, scanPoints, TIME, type PointSpec } from "./_scan.ts";
import { bodyRange, listOf, readXml, textOf, type XmlFormat, type XmlNode } from "./_xml.ts";

const GPX: XmlFormat = { label: "GPX", root: "gpx", body: "trkseg", arrays: ["trk", "trkseg", "rte", "wpt"] };

const TRKPT: PointSpec = {
  point: "trkpt",
  latLonAttributes: true,
  fields: [
    { name: "ele", value: ELE, depth: 1 },
    { name: "time", value: TIME, depth: 1 },
  ],
};

/** The first non-empty text of child `key` among `nodes`. */
function firstText(nodes: readonly XmlNode[], key: string): string | undefined {
  for (const node of nodes) {
    const text = textOf(node[key]);
    if (text) return text;
  }
  return undefined;
}

export function parseGpx(bytes: Uint8Array): ParseResult {
  const doc = readXml(bytes, GPX);
  const { root } = doc;
  const tracks = listOf(root.trk);
  const type = firstText(tracks, "type");
  if (type && /^virtual/i.test(type)) return { skip: "virtual", detail: `track type "${type}"` };

  const segments: Segment[] = [];
  let seen = 0;
  for (const trk of tracks) {
    for (const trkseg of listOf(trk.trkseg)) {
      const range = bodyRange(doc, trkseg);
      if (!range) continue;
      const segment = newSegment();
      seen += scanPoints(doc.bytes, range[0], range[1], TRKPT, segment);
      checkPointCount(seen);
      if (segment.lat.length > 0) segments.push(segment);
    }
  }
  if (segments.length === 0) {
    const detail = seen > 0
      ? `${seen} track points, none with lat and lon`
      : `no track points (${listOf(root.wpt).length} waypoints, ${listOf(root.rte).length} routes)`;
    return { skip: "no_track_data", detail };
  }

  const metadata = listOf(root.metadata);
  const declared = parseTimeText(firstText(metadata, "time") ?? textOf(root.time) ?? "");
  const properties: Properties = {};
  if (type) properties.activity_type = type;
  return {
    title: firstText(tracks, "name") ?? firstText(metadata, "name") ?? textOf(root.name),
    startTime: firstTime(segments) ?? (Number.isNaN(declared) ? undefined : declared),
    properties,
    segments,
  };
}
