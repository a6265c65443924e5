/**
 * Values a user types, on the command line or in a URL: one parser for each,
 * shared by the commands (src/commands/) and the HTTP parameters
 * (src/server/params.ts), so both accept the same syntax and name the option
 * or parameter that is wrong: numbers, dates, bounds, tile addresses, sizes,
 * formats and choices. Every parser throws a `bad_argument` HotpotError (a 400
 * over HTTP). The query (query.ts) and the settings (config.ts) read dates
 * here too, so this module imports nothing of the store.
 */
import type { ImageFormat } from "./encode.ts";
import { HotpotError } from "./errors.ts";
import { isValidTile, MAX_ZOOM, type Bounds } from "./tile.ts";

/** Tile sides in pixels: the Rust hotpot's @small, plain and @2x tiles. */
export type TileSize = 256 | 512 | 1024;
export const TILE_SIZES: readonly TileSize[] = [256, 512, 1024];


/** Export zooms, both ends included. */
export interface ZoomRange {
  min: number;
  max: number;
}

/** `2-16` or `12`. */
export function parseZooms(text: string): ZoomRange {
  const m = /^(\d{1,2})(?:-(\d{1,2}))?$/.exec(text.trim());
  const min = m ? Number(m[1]) : NaN;
  const max = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || min > max || max > MAX_ZOOM) {
    throw new HotpotError("bad_argument", `zooms: expected MIN-MAX (or one zoom) from 0 to ${MAX_ZOOM} with MIN <= MAX, e.g. 2-16, found '${text}'`);
  }
  return { min, max };
}

/** What a tile address outside the pyramid should have been. */
const tileRange = (z: number) => (z <= MAX_ZOOM ? `x and y from 0 to ${2 ** z - 1}` : `z from 0 to ${MAX_ZOOM}`);

/** `Z/X/Y` as `hotpot tile` takes it. */
export function parseTileZxy(text: string): { z: number; x: number; y: number } {
  const m = /^(\d{1,2})\/(\d{1,7})\/(\d{1,7})$/.exec(text);
  const [z, x, y] = m ? [+m[1], +m[2], +m[3]] : [NaN, NaN, NaN];
  if (!m || !isValidTile(z, x, y)) throw new HotpotError("bad_argument", `tile: expected Z/X/Y with ${m ? tileRange(z) : tileRange(Infinity)}, found '${text}'`);
  return { z, x, y };
}

export interface TileAddress {
  z: number;
  x: number;
  y: number;
  size: TileSize;
  /** From a .png or .webp suffix; otherwise the Accept header decides. */
  format: ImageFormat | null;
}

const DIGITS = /^\d{1,10}$/;
/** `{y}`, `{y}@2x` (1024 px) or `{y}@small` (256 px), each with an optional .png or .webp: the Rust hotpot's URLs. */
const Y_SEGMENT = /^(\d{1,10})(@2x|@small)?(?:\.(png|webp))?$/;

/** The path segments of `/tile/{z}/{x}/{y}[@2x|@small][.png|.webp]`. */
export function parseTileAddress(zText: string, xText: string, yText: string): TileAddress {
  const ySpec = Y_SEGMENT.exec(yText);
  if (!DIGITS.test(zText) || !DIGITS.test(xText) || !ySpec) {
    throw new HotpotError("bad_argument", `tile: expected /tile/{z}/{x}/{y}[@2x|@small][.png|.webp] with integers, found /tile/${zText}/${xText}/${yText}`);
  }
  const z = Number(zText);
  const x = Number(xText);
  const y = Number(ySpec[1]);
  if (!isValidTile(z, x, y)) throw new HotpotError("bad_argument", `tile: expected ${tileRange(z)}, found ${z}/${x}/${y}`);
  const size: TileSize = ySpec[2] === "@2x" ? 1024 : ySpec[2] === "@small" ? 256 : 512;
  return { z, x, y, size, format: (ySpec[3] as ImageFormat | undefined) ?? null };
}

/** A decimal number, with optional sign and surrounding spaces; no exponents, no hex. */
const DECIMAL = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/;

/** `W,S,E,N` in degrees; the ranges are checked where the bounds are used (render.ts). */
export function parseBounds(text: string | null, name = "bounds"): Bounds {
  const parts = (text ?? "").split(",");
  if (parts.length !== 4 || !parts.every((p) => DECIMAL.test(p))) {
    throw new HotpotError("bad_argument", `${name}: expected four numbers W,S,E,N in degrees, found '${(text ?? "").slice(0, 80)}'`);
  }
  const [west, south, east, north] = parts.map(Number);
  return { west, south, east, north };
}

/** Digits only: no sign, no fraction. */
export function parseWhole(text: string, name: string): number {
  if (!/^\d+$/.test(text)) throw new HotpotError("bad_argument", `${name}: expected a whole number, found '${text}'`);
  return Number(text);
}

/** An integer within [min, max]. */
export function parseIntegerIn(text: string, name: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || value < min || value > max) {
    throw new HotpotError("bad_argument", `${name}: expected an integer from ${min} to ${max}, found '${text.slice(0, 40)}'`);
  }
  return value;
}

/** An optional number that `check` accepts (`expected` says what that is); undefined when not given. */
export function parseOptionNumber(flag: string, value: string | undefined, check: (n: number) => boolean, expected: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !check(n)) throw new HotpotError("bad_argument", `--${flag}: expected ${expected}, got '${value}'`);
  return n;
}

/** `--jobs N`: undefined (one per core) when not given. */
export function parseJobs(text: string | undefined): number | undefined {
  const jobs = text === undefined ? undefined : parseWhole(text, "jobs");
  if (jobs !== undefined && (jobs < 1 || jobs > 64)) throw new HotpotError("bad_argument", `jobs: expected 1 to 64, found ${jobs}`);
  return jobs;
}

export function parseTileSize(text: string, name: string): TileSize {
  const size = Number(text) as TileSize;
  if (!TILE_SIZES.includes(size)) throw new HotpotError("bad_argument", `${name}: expected one of ${TILE_SIZES.join(", ")}, found '${text}'`);
  return size;
}

export function parseFormat(text: string, name = "format"): ImageFormat {
  if (text !== "png" && text !== "webp") throw new HotpotError("bad_argument", `${name}: expected png or webp, found '${text.slice(0, 20)}'`);
  return text;
}

/** One of a fixed list of words; an error names `parameter` and the choices. */
export function parseChoice<T extends string>(choices: readonly T[], text: string, parameter: string): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new HotpotError("bad_argument", `${parameter}: expected one of ${choices.join(", ")}, found '${text.slice(0, 40)}'`);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` → Unix ms of that day's 00:00 UTC; a malformed or impossible date names `parameter`. */
export function parseDate(value: string, parameter: string): number {
  const m = DATE.exec(value);
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  if (!m) throw new HotpotError("bad_argument", `${parameter}: expected a date YYYY-MM-DD, found '${shown}'`);
  const date = new Date(0);
  date.setUTCFullYear(+m[1], +m[2] - 1, +m[3]);
  // Date rolls 2021-02-30 over to March: a round trip that changes the text means no such day.
  if (date.toISOString().slice(0, 10) !== value) {
    throw new HotpotError("bad_argument", `${parameter}: expected a date YYYY-MM-DD, found '${shown}' (no such day)`);
  }
  return date.getTime();
}
