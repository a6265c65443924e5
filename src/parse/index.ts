/**
 * Activity files by name: .gpx, .tcx and .fit, each optionally gzipped
 * (ride.gpx.gz). A result is an activity or a reason to skip; a broken file
 * throws HotpotError("bad_file") whose message says what was expected and what
 * was found (without the file name: the caller knows the path).
 */
import { SERVER_MAX_FILE_BYTES, stripCompression } from "../decompress.ts";
import type { ParseResult } from "../types.ts";
import { parseFit } from "./fit.ts";
import { parseGpx } from "./gpx.ts";
import { parseTcx } from "./tcx.ts";

export { stripCompression } from "../decompress.ts";
export { parseFit } from "./fit.ts";
export { parseGpx } from "./gpx.ts";
export { parseTcx } from "./tcx.ts";

const PARSERS = new Map<string, (bytes: Uint8Array) => ParseResult>([
  ["gpx", parseGpx],
  ["tcx", parseTcx],
  ["fit", parseFit],
]);

/** Lower-case extension after removing trailing ".gz" layers: "Ride.GPX.gz" → "gpx". */
function extensionOf(name: string): string {
  const base = name.toLowerCase().replace(/(\.gz)+$/, "");
  const dot = base.lastIndexOf(".");
  const slash = Math.max(base.lastIndexOf("/"), base.lastIndexOf("\\"));
  return dot > slash ? base.slice(dot + 1) : "";
}

export function isSupportedName(name: string): boolean {
  return PARSERS.has(extensionOf(name));
}

/**
 * Parses an activity file chosen by its name; unsupported names are skipped,
 * broken files throw bad_file, and a .gz unpacking past `maxBytes` throws too_large.
 */
export function parseFile(name: string, bytes: Uint8Array, maxBytes = SERVER_MAX_FILE_BYTES): ParseResult {
  const ext = extensionOf(name);
  const parse = PARSERS.get(ext);
  if (!parse) {
    return { skip: "unsupported", detail: `expected .gpx, .tcx or .fit (optionally .gz), found ${ext ? "." + ext : "no extension"}` };
  }
  return parse(stripCompression(name, bytes, maxBytes).bytes);
}
