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

/** Decodes a blob written by encodeLines. Throws on a truncated blob rather than reading garbage. */
export function decodeLines(blob: Uint8Array): DecodedLines {
  // Every point takes at least two bytes, so this bounds the output size.
  const coords = new Int32Array(blob.length);
  const ends: number[] = [];
  let pos = 0;
  let points = 0;
  let cx = 0;
  let cy = 0;
  const len = blob.length;
  const read = (): number => {
    let result = 0;
    let shift = 0;
    let b: number;
    do {
      if (pos >= len) throw new Error(`geometry blob truncated at byte ${pos} of ${len}`);
      b = blob[pos++];
      result |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    return result >>> 0;
  };
  while (pos < len) {
    const n = read();
    for (let i = 0; i < n; i++) {
      const zx = read();
      const zy = read();
      cx += (zx >>> 1) ^ -(zx & 1);
      cy += (zy >>> 1) ^ -(zy & 1);
      coords[2 * points] = cx;
      coords[2 * points + 1] = cy;
      points++;
    }
    ends.push(points);
  }
  return { coords: coords.subarray(0, points * 2), ends: Uint32Array.from(ends) };
}
