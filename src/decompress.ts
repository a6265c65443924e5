/**
 * Every decompression of incoming bytes goes through here: HTTP uploads, the
 * folder and zip import, intervals.icu downloads. A 2 KB file can hold
 * gigabytes, so output is bounded while it is produced (zlib's
 * maxOutputLength stops inflating at the bound), and the layers of a nested
 * `x.gpx.gz.gz` share one budget: the sum of every layer's output.
 *
 *   x.gpx.gz.gz ──gunzip──> x.gpx.gz ──gunzip──> x.gpx
 *                 └──── both outputs count against maxBytes ────┘
 *
 * Bodies read from the network (uploads, downloads) are bounded the same way
 * with readLimited, whatever Content-Length claims. The count pyramid's
 * tiles (src/store/counts.ts) are deflated and inflated here too.
 */
import { constants, deflateRawSync, gunzipSync, inflateRawSync } from "node:zlib";
import { HotpotError } from "./errors.ts";

const MB = 1024 * 1024;
/** Largest unpacked file the server takes (uploads, webhook and fetch sources): a 256 MB machine must survive it. */
export const SERVER_MAX_FILE_BYTES = 64 * MB;
/** Largest unpacked file `hotpot import` takes by default (--max-file-mb); the longest real activities are far below. */
export const CLI_MAX_FILE_BYTES = 1024 * MB;

/** "more than 64 MB" for messages; budgets below 1 MB (tests) in bytes. */
function shown(maxBytes: number): string {
  return maxBytes >= MB ? `${Math.round(maxBytes / MB)} MB` : `${maxBytes} bytes`;
}

export function tooLarge(maxBytes: number): HotpotError {
  return new HotpotError("too_large", `unpacks to more than ${shown(maxBytes)}`, { status: 422 });
}

const overBudget = (e: unknown) => (e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE";

/**
 * The file inside any number of trailing `.gz` layers: "ride.gpx.gz.gz" →
 * "ride.gpx" and its bytes; other names are returned as they are. Callers
 * that hash contents hash these bytes, so a .gz and its plain copy are one
 * activity. Throws too_large past `maxBytes`, bad_file for broken gzip data.
 */
export function stripCompression(name: string, bytes: Uint8Array, maxBytes: number): { name: string; bytes: Uint8Array } {
  let budget = maxBytes;
  while (name.toLowerCase().endsWith(".gz")) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: Math.max(budget, 1) });
    } catch (e) {
      if (overBudget(e)) throw tooLarge(maxBytes);
      const reason = e instanceof Error ? e.message : String(e);
      throw new HotpotError("bad_file", `expected gzip-compressed data (.gz), found data that does not decompress: ${reason}`);
    }
    budget -= bytes.byteLength;
    if (budget < 0) throw tooLarge(maxBytes);
    name = name.slice(0, -3);
  }
  return { name, bytes };
}

/**
 * Raw deflate (as zip stores it, and the count pyramid, src/store/counts.ts)
 * to exactly `size` bytes. A size over `maxBytes` is refused before
 * inflating; output past `size` means the archive lied about it and stops
 * there. Errors do not name the entry: the caller reports it with its path.
 */
export function inflateRaw(raw: Uint8Array, size: number, maxBytes: number, what = "zip entry"): Uint8Array {
  if (size > maxBytes) throw tooLarge(maxBytes);
  let bytes: Uint8Array;
  try {
    bytes = inflateRawSync(raw, { maxOutputLength: Math.max(size, 1) });
  } catch (e) {
    if (overBudget(e)) throw new HotpotError("bad_file", `damaged ${what} (inflates to more than its declared ${size} bytes)`);
    throw new HotpotError("bad_file", `damaged ${what} (${(e as Error).message})`);
  }
  if (bytes.length !== size) throw new HotpotError("bad_file", `damaged ${what} (expected ${size} bytes, inflated ${bytes.length})`);
  return bytes;
}

/** Raw deflate of bytes hotpot made itself (the count pyramid's tiles), at the settings the README's Performance section compares. */
export function deflateRaw(bytes: Uint8Array): Uint8Array {
  return deflateRawSync(bytes, { level: 6, strategy: constants.Z_FILTERED });
}

/** The whole body of a request or a response, refusing (HotpotError too_large) as soon as more than `limit` bytes arrive, whatever Content-Length said. */
export async function readLimited(request: { body: ReadableStream<Uint8Array> | null }, limit: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw new HotpotError("too_large", `body over ${limit} bytes`);
    }
    chunks.push(value);
  }
  return concat(chunks, total);
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
