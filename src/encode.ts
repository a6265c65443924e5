/**
 * Counts + palette → image bytes. Counts map straight to palette entries, so
 * PNG is written by hand as 8-bit indexed colour: one byte a pixel to deflate
 * instead of four, which makes a dense 512 px tile about 20x faster to encode
 * than the canvas's RGBA PNG. Lossless WebP is written the same way (webp.ts).
 *
 *   PNG = signature, IHDR, PLTE (RGB per count), tRNS (alpha per count), IDAT (zlib rows), IEND
 */
import { constants, crc32, deflateSync } from "node:zlib";
import type { Palette } from "./palette.ts";
import { encodeIndexedWebp } from "./webp.ts";

export type ImageFormat = "png" | "webp";

/** Counts → image bytes in `format`: the one place the encoder is chosen. Synchronous, as both encoders are. */
export function encode(format: ImageFormat, counts: Uint8Array, width: number, height: number, palette: Palette): Uint8Array {
  return format === "webp" ? encodeWebp(counts, width, height, palette) : encodePng(counts, width, height, palette);
}

/**
 * zlib settings for IDAT. Measured on 470 drawn tiles of the benchmark
 * session: run-length matching only (Z_RLE) deflates a tile in 0.15 ms to
 * 7.5 KB, where level 2's hash chains take 0.19 ms for 7.9 KB, level 1
 * 0.14 ms for 11 KB, and level 6 2.5 times as long for 2% fewer bytes.
 * A tile is runs of equal counts along lines, which is all RLE looks for.
 */
const DEFLATE_OPTIONS = { level: 2, strategy: constants.Z_RLE };

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** Rows with their filter bytes, reused between calls (encoding is synchronous). */
let scratch = new Uint8Array(0);

export function encodePng(counts: Uint8Array, width: number, height: number, palette: Palette): Uint8Array {
  checkSize(counts, width, height);
  const stride = width + 1;
  if (scratch.length < stride * height) scratch = new Uint8Array(stride * height);
  const raw = scratch.subarray(0, stride * height);
  // Each row is a filter byte, 0 (None: the filters that predict from neighbours cost time and
  // barely help sparse lines), then its counts; an empty row stays as the fill left it.
  raw.fill(0);
  const words = wordView(counts, width);
  let highest = 0;
  for (let y = 0; y < height; y++) {
    const rowHighest = highestCount(counts, words, y * width, (y + 1) * width);
    if (rowHighest === 0) continue;
    if (rowHighest > highest) highest = rowHighest;
    raw.set(counts.subarray(y * width, (y + 1) * width), y * stride + 1);
  }
  // The palette only needs entries up to the highest count present: a sparse tile stays small.
  const entries = highest + 1;
  const plte = new Uint8Array(entries * 3);
  let transparent = 0;
  for (let i = 0; i < entries; i++) {
    plte[i * 3] = palette.rgba[i * 4];
    plte[i * 3 + 1] = palette.rgba[i * 4 + 1];
    plte[i * 3 + 2] = palette.rgba[i * 4 + 2];
    if (palette.rgba[i * 4 + 3] !== 255) transparent = i + 1;
  }
  const trns = new Uint8Array(transparent);
  for (let i = 0; i < transparent; i++) trns[i] = palette.rgba[i * 4 + 3];

  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 3; // colour type: palette indices
  // compression, filter method and interlace are all 0
  const chunks = [chunk("IHDR", ihdr), chunk("PLTE", plte)];
  if (transparent > 0) chunks.push(chunk("tRNS", trns));
  chunks.push(chunk("IDAT", deflateSync(raw, DEFLATE_OPTIONS)), chunk("IEND", new Uint8Array(0)));

  const out = new Uint8Array(SIGNATURE.length + chunks.reduce((n, c) => n + c.length, 0));
  out.set(SIGNATURE, 0);
  let at = SIGNATURE.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** length, type, data, CRC of type + data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Lossless WebP, by webp.ts: counts index a palette of the gradient's
 * colours up to the highest count present.
 */
export function encodeWebp(counts: Uint8Array, width: number, height: number, palette: Palette): Uint8Array {
  checkSize(counts, width, height);
  const entries = highestCount(counts, wordView(counts, width), 0, counts.length) + 1;
  const argb = new Uint32Array(entries);
  const rgba = palette.rgba;
  for (let i = 0; i < entries; i++) {
    argb[i] = ((rgba[i * 4 + 3] << 24) | (rgba[i * 4] << 16) | (rgba[i * 4 + 1] << 8) | rgba[i * 4 + 2]) >>> 0;
  }
  return encodeIndexedWebp(counts, width, height, argb);
}

/**
 * The counts four at a time, when rows are whole words: most of a tile is
 * empty, and one zero word skips four pixels (a byte loop finding the highest
 * count took a quarter of a 512 px tile's encoding time).
 */
function wordView(counts: Uint8Array, width: number): Uint32Array | null {
  if (counts.byteOffset % 4 !== 0 || width % 4 !== 0) return null;
  return new Uint32Array(counts.buffer, counts.byteOffset, counts.length >> 2);
}

/** The highest of counts[from, to), a whole number of rows: by words when `words` (wordView) is given. */
function highestCount(counts: Uint8Array, words: Uint32Array | null, from: number, to: number): number {
  let max = 0;
  if (words) {
    for (let k = from >> 2; k < to >> 2; k++) {
      const w = words[k];
      if (w === 0) continue;
      const m = Math.max(w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24);
      if (m > max) max = m;
    }
  } else {
    for (let i = from; i < to; i++) if (counts[i] > max) max = counts[i];
  }
  return max;
}

/** Counts not matching the size are a caller's bug, not a user's mistake: a RangeError, not a HotpotError. */
function checkSize(counts: Uint8Array, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || counts.length !== width * height) {
    throw new RangeError(`image: expected ${width} x ${height} counts, found ${counts.length}`);
  }
}
