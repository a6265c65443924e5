/**
 * Activity files by name: .gpx, .tcx and .fit, each optionally gzipped
 * (ride.gpx.gz). A result is an activity or a reason to skip; a broken file
 * throws HotpotError("bad_file") whose message says what was expected and what
 * was found (without the file name: the caller knows the path).
 */
import { HotpotError } from "../errors.ts";
import type { ParseResult } from "../types.ts";
import { parseFit } from "./fit.ts";
import { parseGpx } from "./gpx.ts";
import { parseTcx } from "./tcx.ts";

export { parseFit } from "./fit.ts";
export { parseGpx } from "./gpx.ts";
export { parseTcx } from "./tcx.ts";

const PARSERS = new Map<string, (bytes: Uint8Array) => ParseResult>([
  ["gpx", parseGpx],
  ["tcx", parseTcx],
  ["fit", parseFit],
]);

/** Lower-case extension after removing a trailing ".gz": "Ride.GPX.gz" → "gpx". */
function extensionOf(name: string): string {
  const lower = name.toLowerCase();
  const base = lower.endsWith(".gz") ? lower.slice(0, -3) : lower;
  const dot = base.lastIndexOf(".");
  const slash = Math.max(base.lastIndexOf("/"), base.lastIndexOf("\\"));
  return dot > slash ? base.slice(dot + 1) : "";
}

export function isSupportedName(name: string): boolean {
  return PARSERS.has(extensionOf(name));
}

/**
 * The uncompressed file: "ride.gpx.gz" → "ride.gpx" and the gunzipped bytes;
 * anything else is returned as it is. Callers that hash file contents hash
 * these bytes, so a .gz and its plain copy are the same activity.
 */
export function stripCompression(name: string, bytes: Uint8Array): { name: string; bytes: Uint8Array } {
  if (!name.toLowerCase().endsWith(".gz")) return { name, bytes };
  try {
    return { name: name.slice(0, -3), bytes: Bun.gunzipSync(bytes as Uint8Array<ArrayBuffer>) };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new HotpotError("bad_file", `expected gzip-compressed data (.gz), found data that does not decompress: ${reason}`);
  }
}

/** Parses an activity file chosen by its name; unsupported names are skipped, broken files throw bad_file. */
export function parseFile(name: string, bytes: Uint8Array): ParseResult {
  const ext = extensionOf(name);
  const parse = PARSERS.get(ext);
  if (!parse) {
    return { skip: "unsupported", detail: `expected .gpx, .tcx or .fit (optionally .gz), found ${ext ? "." + ext : "no extension"}` };
  }
  return parse(stripCompression(name, bytes).bytes);
}
