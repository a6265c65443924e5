/**
 * FIT record messages (the track points) read straight from the bytes into a
 * segment's columns. fit-file-parser makes an object with every field of every
 * record: a million-point file took 3.4 s and 400 MB that way. The library
 * still reads the other messages (file_id, session, sport) from `rest`, the
 * same file with its record messages left out.
 *
 *   header byte: 1 . . . . . . .  compressed timestamp: local type in bits 5-6, seconds in bits 0-4
 *                0 1 d . l l l l  definition of local type l (d: developer fields follow)
 *                0 0 . . l l l l  data message of local type l
 */
import type { Segment } from "../types.ts";
import { checkPointCount, newSegment } from "./_scan.ts";

/** FIT's global message number of a record. */
const RECORD = 20;
/** Record field numbers hotpot reads. */
const TIMESTAMP = 253;
const LAT = 0;
const LON = 1;
const ALTITUDE = 2;
const ENHANCED_ALTITUDE = 78;
/** Seconds from the Unix epoch to FIT's, 1989-12-31T00:00:00Z. */
const FIT_EPOCH_S = 631065600;
const DEGREES_PER_SEMICIRCLE = 180 / 2 ** 31;

interface Definition {
  /** Bytes of a data message of this local type. */
  size: number;
  record: boolean;
  little: boolean;
  /** Byte offsets of the record fields within a data message, -1 when absent. */
  timestamp: number;
  lat: number;
  lon: number;
  altitude: number;
  enhanced: number;
}

export interface FitRecords {
  /** Record messages, with a position or without. */
  count: number;
  /** The positions among them, with altitude (enhanced if there) and time; NaN where missing. */
  segment: Segment;
  /** The file without its record messages (and with a zero data CRC), for the library to read the rest. */
  rest: Uint8Array;
}

/**
 * The records of the FIT file at bytes[start, end), or null when its messages
 * cannot be followed (an undefined local type, a message running past the
 * data): the caller then leaves the whole file to the library, which says
 * what is wrong. Throws once more than MAX_POINTS records are seen.
 */
export function readRecords(bytes: Uint8Array, start: number, end: number): FitRecords | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = bytes[start];
  const dataEnd = Math.min(end, start + headerSize + view.getUint32(start + 4, true));
  const defs: (Definition | undefined)[] = new Array(16);
  const segment = newSegment();
  const kept: [number, number][] = [];
  let keptFrom = start + headerSize;
  let count = 0;
  let lastTime = NaN;
  let at = start + headerSize;
  while (at < dataEnd) {
    const messageStart = at;
    const h = bytes[at++];
    if ((h & 0xc0) === 0x40) {
      const def = readDefinition(bytes, at, dataEnd, (h & 0x20) !== 0);
      if (!def) return null;
      defs[h & 0x0f] = def.definition;
      at = def.next;
      continue;
    }
    const compressed = (h & 0x80) !== 0;
    const def = defs[compressed ? (h >> 5) & 0x03 : h & 0x0f];
    if (!def || at + def.size > dataEnd) return null;
    let time = NaN;
    if (def.timestamp >= 0) {
      const t = view.getUint32(at + def.timestamp, def.little);
      if (t !== 0xffffffff) time = lastTime = t;
    } else if (compressed && !Number.isNaN(lastTime)) {
      const offset = h & 0x1f;
      time = lastTime = lastTime - (lastTime & 0x1f) + offset + (offset < (lastTime & 0x1f) ? 0x20 : 0);
    }
    if (def.record) {
      checkPointCount(++count);
      if (messageStart > keptFrom) kept.push([keptFrom, messageStart]);
      keptFrom = at + def.size;
      addPoint(segment, view, at, def, time);
    }
    at += def.size;
  }
  kept.push([keptFrom, dataEnd]);
  return { count, segment, rest: withoutRecords(bytes, start, headerSize, kept) };
}

function addPoint(segment: Segment, view: DataView, at: number, def: Definition, time: number): void {
  if (def.lat < 0 || def.lon < 0) return;
  const lat = view.getInt32(at + def.lat, def.little);
  const lon = view.getInt32(at + def.lon, def.little);
  if (lat === 0x7fffffff || lon === 0x7fffffff) return;
  let ele = NaN;
  if (def.enhanced >= 0) {
    const e = view.getUint32(at + def.enhanced, def.little);
    if (e !== 0xffffffff) ele = e / 5 - 500;
  }
  if (Number.isNaN(ele) && def.altitude >= 0) {
    const a = view.getUint16(at + def.altitude, def.little);
    if (a !== 0xffff) ele = a / 5 - 500;
  }
  segment.lat.push(lat * DEGREES_PER_SEMICIRCLE);
  segment.lon.push(lon * DEGREES_PER_SEMICIRCLE);
  segment.ele.push(ele);
  segment.time.push(Number.isNaN(time) ? NaN : (time + FIT_EPOCH_S) * 1000);
}

/** A definition message's content starting at `at` (after its header byte), or null when cut off. */
function readDefinition(bytes: Uint8Array, at: number, end: number, developer: boolean): { definition: Definition; next: number } | null {
  if (at + 5 > end) return null;
  const little = bytes[at + 1] === 0;
  const global = little ? bytes[at + 2] | (bytes[at + 3] << 8) : (bytes[at + 2] << 8) | bytes[at + 3];
  const fields = bytes[at + 4];
  at += 5;
  if (at + 3 * fields > end) return null;
  const d: Definition = { size: 0, record: global === RECORD, little, timestamp: -1, lat: -1, lon: -1, altitude: -1, enhanced: -1 };
  for (let f = 0; f < fields; f++, at += 3) {
    const num = bytes[at];
    const size = bytes[at + 1];
    // Only fields of the size their type has are read; anything else is skipped like an unknown field.
    if (num === TIMESTAMP && size === 4) d.timestamp = d.size;
    else if (d.record && num === LAT && size === 4) d.lat = d.size;
    else if (d.record && num === LON && size === 4) d.lon = d.size;
    else if (d.record && num === ALTITUDE && size === 2) d.altitude = d.size;
    else if (d.record && num === ENHANCED_ALTITUDE && size === 4) d.enhanced = d.size;
    d.size += size;
  }
  if (developer) {
    if (at >= end) return null;
    const devFields = bytes[at++];
    if (at + 3 * devFields > end) return null;
    for (let f = 0; f < devFields; f++, at += 3) d.size += bytes[at + 1];
  }
  return { definition: d, next: at };
}

/** Header (data size corrected, header CRC 0 = "not set") + the kept byte ranges + a zero data CRC. */
function withoutRecords(bytes: Uint8Array, start: number, headerSize: number, kept: [number, number][]): Uint8Array {
  let dataSize = 0;
  for (const [a, b] of kept) dataSize += b - a;
  const out = new Uint8Array(headerSize + dataSize + 2);
  out.set(bytes.subarray(start, start + headerSize));
  const view = new DataView(out.buffer);
  view.setUint32(4, dataSize, true);
  if (headerSize >= 14) view.setUint16(12, 0, true);
  let at = headerSize;
  for (const [a, b] of kept) {
    out.set(bytes.subarray(a, b), at);
    at += b - a;
  }
  return out;
}
