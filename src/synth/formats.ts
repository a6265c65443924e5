/**
 * Writers for synthetic activity files: GPX, TCX and FIT bytes from one activity
 * description. Tests use them to make edge cases on demand; the benchmark data
 * generator pushes about a gigabyte through them, so they build strings from
 * arrays of parts and format timestamps with a per-day cache.
 */
import { Encoder, Profile, type FileIdMesg, type RecordMesg, type SessionMesg, type Types } from "@garmin/fitsdk";
import type { Segment } from "../types.ts";

/** One activity to write; `ele`/`time` entries that are NaN are left out of the file. */
export interface SynthActivity {
  title: string;
  /** Free-form type, e.g. "ride", "run", "hike", "VirtualRide". */
  type: string;
  /** Unix milliseconds. */
  startTime: number;
  segments: Segment[];
}

export interface GpxOptions {
  /** "1.1" (default) writes the start time in <metadata>; "1.0" directly under <gpx>. */
  version?: "1.0" | "1.1";
  /** Prefix the text with a UTF-8 byte order mark. Default false. */
  bom?: boolean;
  /** Namespace prefix for every element, e.g. "gpx" gives <gpx:trkpt>. Default none. */
  prefix?: string;
}

export interface TcxOptions {
  /** Activity@Sport; default derived from `type` (ride → Biking, run → Running, Virtual* kept, else Other). */
  sport?: string;
  /** Whitespace before the XML declaration, as some Strava exports have. Default "". */
  leadingWhitespace?: string;
}

/** Enum values use the FIT SDK's camelCase names ("wahooFitness", "indoorCycling"); an unknown name throws. */
export interface FitOptions {
  /** FIT sport; default derived from `type` (ride → cycling, run → running, ...). */
  sport?: string;
  /** FIT sub_sport; default virtualActivity for Virtual* types, else generic. */
  subSport?: string;
  /** Default "garmin". */
  manufacturer?: string;
  /** Default 0. */
  totalCalories?: number;
  /** file_id type; default "activity" (others: course, workout, settings, monitoringA, ...). */
  fileType?: string;
}

const escapeXml = (s: string) =>
  s.replace(/[<>&"]/g, (c) => (c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : "&quot;"));

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => (i < 10 ? "0" : "") + i);
const DAY_MS = 86_400_000;
let cachedDay = NaN;
let cachedDayPrefix = "";

/** ISO-8601 UTC like Date.toISOString, without the fraction when it is zero. */
export function isoTime(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  const inDay = ms - day * DAY_MS;
  const s = Math.floor(inDay / 1000);
  const frac = inDay - s * 1000;
  const hms = `${cachedDayPrefix}${TWO_DIGITS[Math.floor(s / 3600)]}:${TWO_DIGITS[Math.floor(s / 60) % 60]}:${TWO_DIGITS[s % 60]}`;
  return frac === 0 ? hms + "Z" : `${hms}.${String(Math.round(frac)).padStart(3, "0")}Z`;
}

export function writeGpx(a: SynthActivity, options: GpxOptions = {}): string {
  const version = options.version ?? "1.1";
  const p = options.prefix ? options.prefix + ":" : "";
  const ns = `http://www.topografix.com/GPX/${version === "1.0" ? "1/0" : "1/1"}`;
  const xmlns = options.prefix ? `xmlns:${options.prefix}="${ns}"` : `xmlns="${ns}"`;
  const out: string[] = [
    options.bom ? "\uFEFF" : "",
    `<?xml version="1.0" encoding="UTF-8"?>\n<${p}gpx version="${version}" creator="hotpot synth" ${xmlns}>\n`,
  ];
  const time = isoTime(a.startTime);
  if (version === "1.0") out.push(`<${p}time>${time}</${p}time>\n`);
  else out.push(`<${p}metadata><${p}time>${time}</${p}time></${p}metadata>\n`);
  out.push(`<${p}trk><${p}name>${escapeXml(a.title)}</${p}name><${p}type>${escapeXml(a.type)}</${p}type>\n`);
  for (const s of a.segments) {
    out.push(`<${p}trkseg>\n`);
    for (let i = 0; i < s.lat.length; i++) {
      out.push(`<${p}trkpt lat="${s.lat[i].toFixed(7)}" lon="${s.lon[i].toFixed(7)}">`);
      if (!Number.isNaN(s.ele[i])) out.push(`<${p}ele>${s.ele[i].toFixed(1)}</${p}ele>`);
      if (!Number.isNaN(s.time[i])) out.push(`<${p}time>${isoTime(s.time[i])}</${p}time>`);
      out.push(`</${p}trkpt>\n`);
    }
    out.push(`</${p}trkseg>\n`);
  }
  out.push(`</${p}trk>\n</${p}gpx>\n`);
  return out.join("");
}

function tcxSport(type: string): string {
  if (/^virtual/i.test(type)) return type;
  if (/ride|bik|cycl/i.test(type)) return "Biking";
  if (/run/i.test(type)) return "Running";
  return "Other";
}

/** Each segment becomes one Lap with one Track. */
export function writeTcx(a: SynthActivity, options: TcxOptions = {}): string {
  const start = isoTime(a.startTime);
  const out: string[] = [
    options.leadingWhitespace ?? "",
    `<?xml version="1.0" encoding="UTF-8"?>\n`,
    `<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">\n`,
    `<Activities><Activity Sport="${escapeXml(options.sport ?? tcxSport(a.type))}"><Id>${start}</Id>\n`,
  ];
  for (const s of a.segments) {
    const lapStart = Number.isNaN(s.time[0]) ? start : isoTime(s.time[0]);
    out.push(`<Lap StartTime="${lapStart}"><Track>\n`);
    for (let i = 0; i < s.lat.length; i++) {
      out.push("<Trackpoint>");
      if (!Number.isNaN(s.time[i])) out.push(`<Time>${isoTime(s.time[i])}</Time>`);
      out.push(
        `<Position><LatitudeDegrees>${s.lat[i].toFixed(7)}</LatitudeDegrees>`,
        `<LongitudeDegrees>${s.lon[i].toFixed(7)}</LongitudeDegrees></Position>`,
      );
      if (!Number.isNaN(s.ele[i])) out.push(`<AltitudeMeters>${s.ele[i].toFixed(1)}</AltitudeMeters>`);
      out.push("</Trackpoint>\n");
    }
    out.push("</Track></Lap>\n");
  }
  out.push(`<Notes>${escapeXml(a.title)}</Notes></Activity></Activities>\n</TrainingCenterDatabase>\n`);
  return out.join("");
}

const FIT_EPOCH_S = 631_065_600;
const SEMICIRCLES_PER_DEGREE = 2 ** 31 / 180;
const fitTime = (ms: number) => Math.round(ms / 1000) - FIT_EPOCH_S;

function fitSport(type: string): string {
  if (/ride|bik|cycl/i.test(type)) return "cycling";
  if (/run/i.test(type)) return "running";
  if (/hik/i.test(type)) return "hiking";
  if (/walk/i.test(type)) return "walking";
  return "generic";
}

/** Fields writeFit puts in a record message. */
const RECORD_FIELDS = new Set(["timestamp", "positionLat", "positionLong", "enhancedAltitude"]);

/**
 * The SDK's Encoder finds each field of each message by scanning every field
 * its profile knows for that message (84 for a record), which made FIT the
 * slowest part of generating the benchmark set. While writing, the record
 * profile is narrowed to the fields written: same bytes, about 6x faster.
 */
function withNarrowRecordProfile<T>(write: () => T): T {
  const profile = Profile.messages[Profile.MesgNum.RECORD];
  const all = profile.fields;
  profile.fields = Object.fromEntries(Object.entries(all).filter(([, f]) => RECORD_FIELDS.has(f.name)));
  try {
    return write();
  } finally {
    profile.fields = all;
  }
}

/**
 * A FIT activity file: file_id, one record per point (all segments in order;
 * a point without time repeats the last one), one session. The SDK's Encoder
 * builds a message definition per message, which caps this at roughly 25,000
 * records per second.
 */
export function writeFit(a: SynthActivity, options: FitOptions = {}): Uint8Array {
  return withNarrowRecordProfile(() => encodeFit(a, options));
}

function encodeFit(a: SynthActivity, options: FitOptions): Uint8Array {
  const { MesgNum } = Profile;
  const encoder = new Encoder();
  const fileId: FileIdMesg = {
    type: (options.fileType ?? "activity") as FileIdMesg["type"],
    manufacturer: (options.manufacturer ?? "garmin") as Types.Manufacturer,
    product: 1,
    timeCreated: fitTime(a.startTime),
  };
  encoder.onMesg(MesgNum.FILE_ID, fileId);
  let lastTime = a.startTime;
  for (const s of a.segments) {
    for (let i = 0; i < s.lat.length; i++) {
      if (!Number.isNaN(s.time[i])) lastTime = s.time[i];
      const record: RecordMesg = { timestamp: fitTime(lastTime) };
      // a NaN position is left out, like a device's records before a GPS fix
      if (!Number.isNaN(s.lat[i]) && !Number.isNaN(s.lon[i])) {
        record.positionLat = Math.round(s.lat[i] * SEMICIRCLES_PER_DEGREE);
        record.positionLong = Math.round(s.lon[i] * SEMICIRCLES_PER_DEGREE);
      }
      if (!Number.isNaN(s.ele[i])) record.enhancedAltitude = s.ele[i];
      encoder.onMesg(MesgNum.RECORD, record);
    }
  }
  const session: SessionMesg = {
    timestamp: fitTime(lastTime),
    startTime: fitTime(a.startTime),
    totalElapsedTime: (lastTime - a.startTime) / 1000,
    sport: (options.sport ?? fitSport(a.type)) as Types.Sport,
    subSport: (options.subSport ?? (/^virtual/i.test(a.type) ? "virtualActivity" : "generic")) as Types.SubSport,
    totalCalories: options.totalCalories ?? 0,
  };
  encoder.onMesg(MesgNum.SESSION, session);
  return encoder.close();
}

export interface ExampleOptions {
  /** Points per segment. */
  points: number;
  /** Default 1. */
  segments?: number;
  /** Default "ride". */
  type?: string;
  /** Default "Example ride". */
  title?: string;
  /** Unix ms; default 2024-05-01T06:00:00Z. */
  startTime?: number;
}

/**
 * A plain, deterministic activity for tests and benchmarks (the realistic data
 * set comes from generate.ts): points 1 s and about 7 m apart, wiggling
 * north-east from Berlin, elevation rolling between 30 and 50 m, segments
 * separated by a one-minute pause.
 */
export function exampleActivity(options: ExampleOptions): SynthActivity {
  const startTime = options.startTime ?? Date.UTC(2024, 4, 1, 6, 0, 0);
  const segments: Segment[] = [];
  let k = 0;
  let time = startTime;
  for (let s = 0; s < (options.segments ?? 1); s++) {
    const segment: Segment = { lat: [], lon: [], ele: [], time: [] };
    for (let i = 0; i < options.points; i++, k++, time += 1000) {
      segment.lat.push(52.5 + k * 4e-5 + Math.sin(k / 40) * 2e-4);
      segment.lon.push(13.4 + k * 6e-5);
      segment.ele.push(40 + Math.round(Math.sin(k / 300) * 100) / 10);
      segment.time.push(time);
    }
    segments.push(segment);
    time += 60_000;
  }
  return { title: options.title ?? "Example ride", type: options.type ?? "ride", startTime, segments };
}
