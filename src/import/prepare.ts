/**
 * One activity file to a storable record, pure CPU and no I/O: decompress,
 * hash, parse, clean and clip. Import workers, HTTP uploads, the Strava
 * webhook and the intervals.icu pull all go through here, so a file becomes
 * the same record whichever way it arrives.
 */
import { clipTrack } from "../clip.ts";
import { isHotpotError } from "../errors.ts";
import { stripCompression } from "../decompress.ts";
import { parseFile } from "../parse/index.ts";
import { buildTrack } from "../track.ts";
import type { ActivityRecord, ParsedActivity, Properties, SkipReason } from "../types.ts";

export interface PrepareOptions {
  /** Stored zoom levels (config zoom_levels). */
  zoomLevels: readonly number[];
  /** Tile units per tile side (config tile_extent). */
  tileExtent: number;
  /** Metres around the first and last points hidden (config trim_dist; see track.ts). */
  trimDist: number;
  /** Largest file after unpacking .gz layers or a zip entry (decompress.ts): the server's 64 MB, the CLI's --max-file-mb. */
  maxFileBytes: number;
  /** Overrides the default key `file:<hash>`, e.g. `strava:<id>`. */
  key?: string;
  /** Overrides the file's own title (a CSV's or an API's activity name). */
  title?: string;
  /** Start time (Unix ms) for a file that has none. */
  startTime?: number;
  /** Properties from a CSV or an API: they win over the file's, computed stats win over them. */
  properties?: Properties;
  /** Stored as file_name: the path relative to the import root, or the uploaded name (default: the name prepareActivity is given). */
  fileName?: string;
  /** Answers true for a file hash already stored: the file is skipped before it is parsed. */
  isKnown?: (fileHash: string) => boolean;
}

/** Why a file was skipped: the parser's reasons, or the same bytes are already stored. */
export type PrepareSkip = SkipReason | "already_stored";

export type PrepareResult =
  | { ok: true; record: ActivityRecord; /** Track points read from the file. */ points: number }
  | { ok: false; status: "skipped"; reason: PrepareSkip; detail?: string }
  | { ok: false; status: "error"; reason: string };

/** The file's identity: sha256 of its decompressed bytes, 128 bits as 32 hex digits. */
export function fileHash(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex").slice(0, 32);
}

/** Types of activities recorded on a trainer or in a game, whose coordinates are not a place ridden. */
const VIRTUAL = /^virtual/i;

export function prepareActivity(name: string, bytes: Uint8Array, options: PrepareOptions): PrepareResult {
  try {
    // Hash what is inside a .gz, so ride.gpx and ride.gpx.gz are one activity.
    const plain = stripCompression(name, bytes, options.maxFileBytes);
    const hash = fileHash(plain.bytes);
    if (options.isKnown?.(hash)) return { ok: false, status: "skipped", reason: "already_stored" };
    // A CSV or API may know what the file does not say (Strava's "Virtual Ride" for a Zwift file).
    const type = options.properties?.activity_type;
    if (typeof type === "string" && VIRTUAL.test(type)) return { ok: false, status: "skipped", reason: "virtual", detail: `activity type ${type}` };
    const parsed = parseFile(plain.name, plain.bytes);
    if ("skip" in parsed) return { ok: false, status: "skipped", reason: parsed.skip, detail: parsed.detail };
    return prepareParsed(parsed, { ...options, fileName: options.fileName ?? name }, hash);
  } catch (e) {
    return { ok: false, status: "error", reason: errorReason(e) };
  }
}

/**
 * An activity already read (from a file, or from an API such as Strava's
 * streams) to a storable record. Without a file there is no hash, and
 * `options.key` should name the activity.
 */
export function prepareParsed(parsed: ParsedActivity, options: PrepareOptions, hash: string | null = null): PrepareResult {
  try {
    let points = 0;
    for (const s of parsed.segments) points += s.lat.length;
    const built = buildTrack(parsed, { trimDist: options.trimDist });
    if (!built) return { ok: false, status: "skipped", reason: "no_track_data", detail: "no two valid points apart after cleaning and trimming" };
    const record: ActivityRecord = {
      key: options.key ?? `file:${hash}`,
      fileHash: hash,
      title: options.title ?? parsed.title ?? null,
      startTime: parsed.startTime ?? options.startTime ?? null,
      properties: { ...parsed.properties, ...options.properties, ...built.stats },
      tiles: clipTrack(built.track, options.zoomLevels, options.tileExtent),
      fileName: options.fileName ?? null,
    };
    return { ok: true, record, points };
  } catch (e) {
    return { ok: false, status: "error", reason: errorReason(e) };
  }
}

/** A file's failure in one line: a HotpotError's message, else the JS error's name and message. */
export function errorReason(e: unknown): string {
  if (isHotpotError(e)) return e.message;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
