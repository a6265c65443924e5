/**
 * Compact geometry blobs for stored tiles. A blob holds one or more lines in
 * integer tile units:
 *
 *   varint(points in line 1), zigzag-varint(dx, dy) * points, varint(points in line 2), ...
 *
 * Deltas run on across lines (the cursor is not reset), so a line that starts
 * where the previous ended costs a byte or two. Most deltas of a simplified
 * track fit in one byte, which is what keeps the store near 3% of the raw files.
 */
import { HotpotError } from "./errors.ts";

/** A damaged database file, or one written by something else: the user's to repair, not a bug. */
function truncated(at: number, len: number): HotpotError {
  return new HotpotError("bad_file", `geometry blob truncated at byte ${at} of ${len} (is the database damaged?)`);
}

/** Decoded lines: interleaved x,y in `coords`, and the exclusive end (in points) of each line. */
export interface DecodedLines {
  coords: Int32Array;
  ends: Uint32Array;
}

function writeVarint(out: number[], v: number): void {
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

const zigzag = (v: number) => ((v << 1) ^ (v >> 31)) >>> 0;

/** Encodes lines given as interleaved integer x,y arrays (lines with fewer than 2 points are dropped). */
export function encodeLines(lines: ArrayLike<number>[]): Uint8Array {
  const out: number[] = [];
  let cx = 0;
  let cy = 0;
  for (const line of lines) {
    const n = line.length >> 1;
    if (n < 2) continue;
    writeVarint(out, n);
    for (let i = 0; i < n; i++) {
      const x = line[2 * i];
      const y = line[2 * i + 1];
      writeVarint(out, zigzag(x - cx));
      writeVarint(out, zigzag(y - cy));
      cx = x;
      cy = y;
    }
  }
  return Uint8Array.from(out);
}

/**
 * Decoded lines in buffers that grow and are reused across calls: the tile
 * renderer decodes thousands of blobs per tile, and allocating per blob costs
 * it more than the decoding. `points` and `lines` say how much is valid.
 */
export interface LineBuffer {
  coords: Int32Array;
  ends: Uint32Array;
  points: number;
  lines: number;
}

export function lineBuffer(): LineBuffer {
  return { coords: new Int32Array(1024), ends: new Uint32Array(64), points: 0, lines: 0 };
}

/** Decodes a blob written by encodeLines. Throws on a truncated blob rather than reading garbage. */
export function decodeLines(blob: Uint8Array): DecodedLines {
  const out = lineBuffer();
  decodeLinesInto(blob, out);
  return { coords: out.coords.slice(0, out.points * 2), ends: out.ends.slice(0, out.lines) };
}

/** decodeLines into `out`, overwriting what it held. */
export function decodeLinesInto(blob: Uint8Array, out: LineBuffer): void {
  const len = blob.length;
  // Every point takes at least two bytes, so this bounds the output size.
  if (out.coords.length < len) out.coords = new Int32Array(Math.max(len, out.coords.length * 2));
  const coords = out.coords;
  let ends = out.ends;
  let lines = 0;
  let pos = 0;
  let points = 0;
  let cx = 0;
  let cy = 0;
  // Varints are read inline (no helper call per number): this loop is the renderer's hottest.
  while (pos < len) {
    let b = blob[pos++];
    let n = b & 0x7f;
    for (let shift = 7; b & 0x80; shift += 7) {
      b = blob[pos++];
      n |= (b & 0x7f) << shift;
    }
    n >>>= 0;
    const end = points + n;
    // A point takes at least two bytes: more points than bytes left means a corrupt count.
    if (2 * n > len - pos) throw truncated(pos, len);
    for (; points < end; points++) {
      b = blob[pos++];
      let v = b & 0x7f;
      for (let shift = 7; b & 0x80; shift += 7) {
        b = blob[pos++];
        v |= (b & 0x7f) << shift;
      }
      cx += (v >>> 1) ^ -(v & 1);
      b = blob[pos++];
      v = b & 0x7f;
      for (let shift = 7; b & 0x80; shift += 7) {
        b = blob[pos++];
        v |= (b & 0x7f) << shift;
      }
      cy += (v >>> 1) ^ -(v & 1);
      coords[2 * points] = cx;
      coords[2 * points + 1] = cy;
    }
    // Reading past the end yields undefined, which the bit operations above turn into 0: check once per line.
    if (pos > len) throw truncated(len, len);
    if (lines === ends.length) {
      const grown = new Uint32Array(ends.length * 2);
      grown.set(ends);
      ends = out.ends = grown;
    }
    ends[lines++] = points;
  }
  out.points = points;
  out.lines = lines;
}
