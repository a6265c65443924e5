/**
 * FIT: record positions, enhanced_altitude else altitude, and timestamps are
 * read straight from the bytes (_fit-records.ts); fit-file-parser reads the
 * rest: file_id and the first session's scalar fields become properties, the
 * session's sport is the activity_type. Files whose file_id type is not
 * `activity` (a course is a planned route, a workout a plan; settings,
 * monitoring) are skipped as unsupported. The library reads one FIT file and stops at its CRC, so chained
 * files (several FIT files back to back, as some devices write) are split here
 * and each part becomes one segment. CRCs are not checked for files that decode
 * to a track (see checkCrc).
 */
import FitParser, { FitEncoder } from "fit-file-parser";
import { HotpotError } from "../errors.ts";
import type { ParseResult, Properties, PropertyValue, Segment } from "../types.ts";
import { readRecords } from "./_fit-records.ts";
import { checkPointCount, firstTime, newSegment } from "./_scan.ts";

/** sub_sports whose positions are not places on a map (or there are none worth drawing). */
const VIRTUAL_SUB_SPORTS = new Set(["virtual_activity", "indoor_cycling", "indoor_rowing", "indoor_running"]);

/**
 * Fields that do not describe the activity (bookkeeping of the file format) or
 * that would publish where it started and ended, which --trim exists to hide.
 */
const HIDDEN_FIELDS = new Set(["type", "message_index", "event", "event_type", "trigger", "first_lap_index"]);
const isPositionField = (name: string) => name.endsWith("_lat") || name.endsWith("_long");

type FitMessage = Record<string, unknown>;

interface FitPart {
  /** Record messages, with a position or without. */
  records: number;
  /** The positioned ones. */
  segment: Segment;
  fileIds: FitMessage[];
  sessions: FitMessage[];
  sports: FitMessage[];
}

// Defaults otherwise: force (CRC mismatches tolerated, as devices get them wrong), metres, m/s.
const parser = new FitParser({ mode: "list" });

export function parseFit(bytes: Uint8Array): ParseResult {
  const ranges = splitChain(bytes);
  const parts = ranges.map(([start, end]) => readPart(bytes, start, end));
  const fileId = parts.find((p) => p.fileIds.length > 0)?.fileIds[0];
  // The library names known types; an unknown one stays a number (4 is activity).
  const fileType = fileId?.type;
  if (fileType !== undefined && fileType !== "activity" && fileType !== 4) {
    // As for any file that yields no track: a damaged one can decode to any type.
    for (const [start, end] of ranges) checkCrc(bytes, start, end);
    return { skip: "unsupported", detail: `FIT file type ${String(fileType)}, not a recorded activity` };
  }
  const session = parts.find((p) => p.sessions.length > 0)?.sessions[0];
  const sport = session ?? parts.find((p) => p.sports.length > 0)?.sports[0]; // both carry sport and sub_sport
  const subSport = sport?.sub_sport;
  if (typeof subSport === "string" && VIRTUAL_SUB_SPORTS.has(subSport)) {
    return { skip: "virtual", detail: `sub_sport ${subSport}` };
  }

  const segments: Segment[] = [];
  let records = 0;
  for (const part of parts) {
    records += part.records;
    if (part.segment.lat.length > 0) segments.push(part.segment);
  }
  checkPointCount(records);
  if (segments.length === 0) {
    // Lenient decoding of a damaged file can end in "nothing here"; that is a broken file, not a skip.
    for (const [start, end] of ranges) checkCrc(bytes, start, end);
    return { skip: "no_track_data", detail: records > 0 ? `${records} records, none with a position` : "no records" };
  }

  const properties: Properties = {};
  if (fileId) copyScalars(fileId, properties);
  if (session) copyScalars(session, properties);
  if (sport && isScalar(sport.sport)) properties.activity_type = sport.sport;
  const start = session?.start_time;
  return {
    startTime: start instanceof Date ? start.getTime() : firstTime(segments),
    properties,
    segments,
  };
}

/** Byte ranges of each FIT file in a chain; throws when the declared sizes do not fit the bytes. */
function splitChain(bytes: Uint8Array): [number, number][] {
  if (bytes.length === 0) throw new HotpotError("bad_file", "expected a FIT file, found an empty file");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: [number, number][] = [];
  let at = 0;
  while (at < bytes.length) {
    const headerSize = bytes[at];
    const signature = at + 12 <= bytes.length ? String.fromCharCode(...bytes.subarray(at + 8, at + 12)) : "";
    if ((headerSize !== 12 && headerSize !== 14) || signature !== ".FIT") {
      const what = parts.length === 0 ? "a FIT file header" : `another chained FIT file at byte ${at}`;
      throw new HotpotError("bad_file", `expected ${what} (".FIT" signature), found ${bytes.length - at} bytes without one`);
    }
    const dataEnd = at + headerSize + view.getUint32(at + 4, true);
    if (dataEnd > bytes.length) {
      throw new HotpotError("bad_file", `expected ${dataEnd - at} bytes of FIT data from byte ${at}, found ${bytes.length - at} (truncated?)`);
    }
    const end = Math.min(dataEnd + 2, bytes.length); // the CRC; a missing one is tolerated like a wrong one
    parts.push([at, end]);
    at = end;
  }
  return parts;
}

/**
 * Throws unless the file at bytes[start, end) ends in the CRC of its header and
 * data. Only files that yield no track are checked: some devices write wrong
 * CRCs, and a ride that decodes is worth keeping.
 */
function checkCrc(bytes: Uint8Array, start: number, end: number): void {
  const dataEnd = start + bytes[start] + new DataView(bytes.buffer, bytes.byteOffset).getUint32(start + 4, true);
  const expected = FitEncoder.calculateCRC(bytes.subarray(start, dataEnd));
  const found = dataEnd + 2 <= end ? bytes[dataEnd] | (bytes[dataEnd + 1] << 8) : undefined;
  if (found !== expected) {
    const hex = (n: number) => "0x" + n.toString(16).padStart(4, "0");
    throw new HotpotError("bad_file", `expected FIT CRC ${hex(expected)} at byte ${dataEnd}, found ${found === undefined ? "none" : hex(found)} (corrupt file)`);
  }
}

/**
 * The FIT file at bytes[start, end): records read here (_fit-records.ts), the
 * other messages by the library. A file whose messages cannot be followed is
 * left to the library whole, which then reads its records too or says what is wrong.
 */
function readPart(bytes: Uint8Array, start: number, end: number): FitPart {
  const fast = readRecords(bytes, start, end);
  const messages = decode(fast ? fast.rest : bytes.subarray(start, end), start);
  if (fast) return { ...messages, records: fast.count, segment: fast.segment };
  return { ...messages, records: messages.records.length, segment: segmentOf(messages.records) };
}

/** The positioned records the library decoded, as a segment. */
function segmentOf(records: FitMessage[]): Segment {
  const segment = newSegment();
  for (const r of records) {
    const lat = r.position_lat;
    const lon = r.position_long;
    if (typeof lat !== "number" || typeof lon !== "number") continue;
    const ele = r.enhanced_altitude ?? r.altitude;
    segment.lat.push(lat);
    segment.lon.push(lon);
    segment.ele.push(typeof ele === "number" ? ele : NaN);
    segment.time.push(r.timestamp instanceof Date ? r.timestamp.getTime() : NaN);
  }
  return segment;
}

interface Decoded {
  records: FitMessage[];
  fileIds: FitMessage[];
  sessions: FitMessage[];
  sports: FitMessage[];
}

function decode(bytes: Uint8Array, offset: number): Decoded {
  let result: Decoded | undefined;
  let failure: string | undefined;
  try {
    parser.parse(Buffer.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength), (error, data) => {
      failure = error;
      if (data) {
        result = {
          records: (data.records ?? []) as FitMessage[],
          fileIds: (data.file_ids ?? []) as FitMessage[],
          sessions: (data.sessions ?? []) as FitMessage[],
          sports: (data.sports ?? []) as FitMessage[],
        };
      }
    });
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e); // the library throws on records running past the data
  }
  if (failure !== undefined || !result) {
    throw new HotpotError("bad_file", `expected valid FIT messages in the file at byte ${offset}, found: ${failure ?? "nothing"}`);
  }
  return result;
}

const isScalar = (v: unknown): v is PropertyValue =>
  typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));

function copyScalars(message: FitMessage, into: Properties): void {
  for (const [name, value] of Object.entries(message)) {
    if (isScalar(value) && !HIDDEN_FIELDS.has(name) && !isPositionField(name)) into[name] = value;
  }
}
