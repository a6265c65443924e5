/**
 * The hand-written half of the GPX and TCX readers: a scanner over the raw bytes
 * of one point container (a GPX <trkseg>, a TCX <Track>), cut out by _xml.ts.
 * It steps from tag to tag, reads only the handful of elements it needs and
 * parses numbers and ISO-8601 times straight from bytes, so nothing is decoded
 * to strings or allocated per point (beyond the Segment columns themselves).
 *
 * It trusts the structure the way a well-formed document has it: every opened
 * element is closed, so a depth counter tells which elements are direct children
 * of the point (an <ele> or <time> nested in <extensions> is not the point's).
 */
import { HotpotError } from "../errors.ts";
import type { Segment } from "../types.ts";

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const COLON = 0x3a;
const BANG = 0x21;
const QUESTION = 0x3f;
const EQUALS = 0x3d;
const DOT = 0x2e;
const MINUS = 0x2d;
const PLUS = 0x2b;

export const LAT = 0;
export const LON = 1;
export const ELE = 2;
export const TIME = 3;

/** Which elements of one kind of point to read. */
export interface PointSpec {
  /** Local name of the point element, e.g. "trkpt". */
  point: string;
  /** True when lat and lon are attributes of the point element (GPX), not child elements (TCX). */
  latLonAttributes: boolean;
  /** Child elements to read: local name, the value it holds, and its depth below the point (1 = direct child). */
  fields: readonly { name: string; value: typeof LAT | typeof LON | typeof ELE | typeof TIME; depth: number }[];
}

interface CompiledSpec {
  point: Uint8Array;
  latLonAttributes: boolean;
  names: Uint8Array[];
  values: number[];
  depths: number[];
}

const encoder = new TextEncoder();
const utf8 = new TextDecoder();
const compiled = new WeakMap<PointSpec, CompiledSpec>();

function compile(spec: PointSpec): CompiledSpec {
  let c = compiled.get(spec);
  if (!c) {
    c = {
      point: encoder.encode(spec.point),
      latLonAttributes: spec.latLonAttributes,
      names: spec.fields.map((f) => encoder.encode(f.name)),
      values: spec.fields.map((f) => f.value),
      depths: spec.fields.map((f) => f.depth),
    };
    compiled.set(spec, c);
  }
  return c;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isNameEnd = (c: number) => c === GT || c === SLASH || isSpace(c);

function sameName(b: Uint8Array, start: number, end: number, name: Uint8Array): boolean {
  if (end - start !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (b[start + k] !== name[k]) return false;
  return true;
}

/**
 * Reads every point in b[start, end) into `seg` (points without both coordinates
 * are left out) and returns how many point elements there were. Each byte is
 * looked at about once: value parsers leave `cursor` where they stopped and the
 * scan goes on from there. Plain loops beat the native indexOf here, as tags are
 * only a few bytes apart.
 */
export function scanPoints(b: Uint8Array, start: number, end: number, spec: PointSpec, seg: Segment): number {
  const { point, latLonAttributes, names, values, depths } = compile(spec);
  const v = current; // lat, lon, ele, time of the current point
  let seen = 0;
  let depth = 0; // open elements of the current point, itself included; 0 = between points
  let i = start;
  while (true) {
    while (i < end && b[i] !== LT) i++;
    if (i >= end) break;
    const c = b[i + 1];
    if (c === SLASH) {
      if (depth > 0 && --depth === 0) push(seg, v);
      i += 2;
      continue;
    }
    if (c === BANG || c === QUESTION) {
      i = skipSpecial(b, i, end);
      continue;
    }
    let nameEnd = i + 1;
    let local = nameEnd;
    while (nameEnd < end && !isNameEnd(b[nameEnd])) if (b[nameEnd++] === COLON) local = nameEnd;
    if (depth === 0 && sameName(b, local, nameEnd, point)) {
      seen++;
      v[LAT] = v[LON] = v[ELE] = v[TIME] = NaN;
      i = latLonAttributes ? readLatLon(b, nameEnd, end) : tagEnd(b, nameEnd, end);
      if (b[i - 1] === SLASH) push(seg, v);
      else depth = 1;
      i++;
      continue;
    }
    const gt = tagEnd(b, nameEnd, end);
    i = gt + 1;
    if (depth === 0 || b[gt - 1] === SLASH) continue;
    for (let f = 0; f < names.length; f++) {
      if (depths[f] === depth && sameName(b, local, nameEnd, names[f])) {
        v[values[f]] = values[f] === TIME ? parseTime(b, i, end) : parseNumber(b, i, end);
        i = cursor;
        break;
      }
    }
    depth++;
  }
  return seen;
}

const current = new Float64Array(4);

/** Where the last parseNumber/parseTime/readLatLon stopped. */
let cursor = 0;

function push(seg: Segment, v: Float64Array): void {
  if (Number.isNaN(v[LAT]) || Number.isNaN(v[LON])) return;
  seg.lat.push(v[LAT]);
  seg.lon.push(v[LON]);
  seg.ele.push(v[ELE]);
  seg.time.push(v[TIME]);
}

/** Index of the ">" ending the tag (or `end` when there is none). */
function tagEnd(b: Uint8Array, i: number, end: number): number {
  while (i < end && b[i] !== GT) i++;
  return i;
}

const PI_END = Buffer.from("?>");
const COMMENT_END = Buffer.from("-->");
const CDATA_END = Buffer.from("]]>");
const TAG_END = Buffer.from(">");

/** Skips a comment, CDATA section or processing instruction starting at `lt`. */
function skipSpecial(b: Uint8Array, lt: number, end: number): number {
  const close = b[lt + 1] === QUESTION ? PI_END : b[lt + 2] === MINUS ? COMMENT_END : b[lt + 2] === 0x5b ? CDATA_END : TAG_END;
  const at = Buffer.from(b.buffer, b.byteOffset + lt, end - lt).indexOf(close, 2);
  return at === -1 ? end : lt + at + close.length;
}

/**
 * Reads the lat and lon attributes (any prefix, either quote, either order) of
 * the tag whose attributes start at `i` into current; returns the index of its ">".
 */
function readLatLon(b: Uint8Array, i: number, end: number): number {
  while (i < end) {
    while (i < end && (isSpace(b[i]) || b[i] === SLASH)) i++;
    if (b[i] === GT || i >= end) return i;
    let local = i;
    while (i < end && b[i] !== EQUALS && b[i] !== GT && !isSpace(b[i])) if (b[i++] === COLON) local = i;
    const nameEnd = i;
    while (i < end && isSpace(b[i])) i++;
    if (b[i] !== EQUALS) return tagEnd(b, i, end);
    i++;
    while (i < end && isSpace(b[i])) i++;
    const quote = b[i++];
    if (quote !== 0x22 && quote !== 0x27) return tagEnd(b, i, end);
    // "lat" / "lon": l, a|o, t|n
    const which = nameEnd - local !== 3 || b[local] !== 0x6c ? -1
      : b[local + 1] === 0x61 && b[local + 2] === 0x74 ? LAT
      : b[local + 1] === 0x6f && b[local + 2] === 0x6e ? LON
      : -1;
    if (which !== -1) {
      current[which] = parseNumber(b, i, end);
      i = cursor;
    }
    while (i < end && b[i] !== quote) i++;
    i++;
  }
  return end;
}

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isTerminator = (c: number) => c === LT || c === 0x22 || c === 0x27 || isSpace(c);

/**
 * A decimal number at b[i] (leading whitespace skipped), NaN when there is none.
 * Up to 15 significant digits the mantissa is an exact integer and dividing by an
 * exact power of ten rounds once, so the result equals parseFloat's; longer
 * mantissas and exponents take the slow path.
 */
export function parseNumber(b: Uint8Array, i: number, end: number): number {
  while (i < end && isSpace(b[i])) i++;
  const start = i;
  const negative = b[i] === MINUS;
  if (negative || b[i] === PLUS) i++;
  let mantissa = 0;
  let digits = 0;
  let decimals = 0;
  while (i < end && isDigit(b[i])) {
    mantissa = mantissa * 10 + (b[i++] - 0x30);
    digits++;
  }
  if (b[i] === DOT) {
    i++;
    while (i < end && isDigit(b[i])) {
      mantissa = mantissa * 10 + (b[i++] - 0x30);
      digits++;
      decimals++;
    }
  }
  cursor = i;
  if (digits === 0) return NaN;
  if (digits > 15 || !(i === end || isTerminator(b[i]))) return slowNumber(b, start, end);
  const value = decimals === 0 ? mantissa : mantissa / POW10[decimals];
  return negative ? -value : value;
}

function slowNumber(b: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end && !isTerminator(b[i])) i++;
  cursor = i;
  return Number(utf8.decode(b.subarray(start, i)));
}

let cachedDayKey = -1;
let cachedDayMs = NaN;

const twoDigits = (b: Uint8Array, i: number) =>
  isDigit(b[i]) && isDigit(b[i + 1]) ? (b[i] - 0x30) * 10 + (b[i + 1] - 0x30) : -1;

/**
 * An ISO-8601 time at b[i] as Unix ms, NaN when invalid. The common shape
 * YYYY-MM-DDTHH:MM:SS(.fff)?Z is computed directly (the date part once per day);
 * offsets and other shapes go through parseTimeText.
 */
export function parseTime(b: Uint8Array, i: number, end: number): number {
  while (i < end && isSpace(b[i])) i++;
  if (i + 19 <= end && b[i + 4] === MINUS && b[i + 7] === MINUS && (b[i + 10] | 0x20) === 0x74 && b[i + 13] === COLON && b[i + 16] === COLON) {
    const century = twoDigits(b, i);
    const yy = twoDigits(b, i + 2);
    const month = twoDigits(b, i + 5);
    const day = twoDigits(b, i + 8);
    const hour = twoDigits(b, i + 11);
    const minute = twoDigits(b, i + 14);
    const second = twoDigits(b, i + 17);
    let j = i + 19;
    let ms = 0;
    if (b[j] === DOT) {
      j++;
      // milliseconds: digits past the third are dropped, as Date.parse does
      for (let scale = 100; j < end && isDigit(b[j]); j++, scale = (scale / 10) | 0) ms += (b[j] - 0x30) * scale;
    }
    if ((b[j] | 0x20) === 0x7a) j++; // "Z"; no zone at all also means UTC in GPX and TCX
    const valid = century >= 0 && yy >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59;
    if (valid && (j === end || b[j] === LT || isSpace(b[j]))) {
      cursor = j;
      const key = ((century * 100 + yy) * 100 + month) * 100 + day;
      if (key !== cachedDayKey) {
        const dayMs = Date.UTC(century * 100 + yy, month - 1, day);
        cachedDayMs = new Date(dayMs).getUTCDate() === day ? dayMs : NaN; // 31 April is not 1 May
        cachedDayKey = key;
      }
      return cachedDayMs + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
    }
  }
  let k = i;
  while (k < end && b[k] !== LT) k++;
  cursor = k;
  return parseTimeText(utf8.decode(b.subarray(i, k)));
}

/** An ISO-8601 time string as Unix ms, NaN when invalid; a time without a zone is UTC. */
export function parseTimeText(text: string): number {
  const t = text.trim();
  const zoned = /(?:z|[+-]\d\d(?::?\d\d)?)$/i.test(t) || !t.includes("T");
  return Date.parse(zoned ? t : t + "Z");
}

/**
 * Most track points read from one file. A multi-day ultra recorded every
 * second has about 500,000; four times that bounds what one file can cost in
 * memory and time (parsers check as they go, before the track is built).
 */
export const MAX_POINTS = 2_000_000;

/** Throws once `count` points exceed MAX_POINTS. */
export function checkPointCount(count: number): void {
  if (count > MAX_POINTS) {
    throw new HotpotError("too_large", `expected at most ${MAX_POINTS.toLocaleString("en")} track points in one file, found more (a multi-day ultra at 1 Hz has about 500,000)`, { status: 422 });
  }
}

export function newSegment(): Segment {
  return { lat: [], lon: [], ele: [], time: [] };
}

/** Earliest position's time of the first segment that has one, else undefined. */
export function firstTime(segments: readonly Segment[]): number | undefined {
  for (const s of segments) for (const t of s.time) if (!Number.isNaN(t)) return t;
  return undefined;
}
