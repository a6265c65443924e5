import { describe, expect, test } from "bun:test";
import { createCanvas, loadImage } from "@napi-rs/canvas";
import { crc32, inflateSync } from "node:zlib";
import { encodePng, encodeWebp } from "../../src/encode.ts";
import { parseGradient, presetGradient, type Palette } from "../../src/palette.ts";

interface Chunk {
  type: string;
  data: Uint8Array;
}

/** Splits a PNG into chunks, checking the signature and every CRC. */
function chunks(png: Uint8Array): Chunk[] {
  expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out: Chunk[] = [];
  for (let at = 8; at < png.length; ) {
    const length = view.getUint32(at);
    const type = new TextDecoder().decode(png.subarray(at + 4, at + 8));
    expect(view.getUint32(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
    out.push({ type, data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return out;
}

/** Decodes an image with the canvas library: RGBA, un-premultiplied. */
async function pixels(bytes: Uint8Array, width: number, height: number): Promise<Uint8ClampedArray> {
  const image = await loadImage(Buffer.from(bytes));
  expect([image.width, image.height]).toEqual([width, height]);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  return ctx.getImageData(0, 0, width, height).data;
}

/** A test pattern: every count 0..255 somewhere, runs of zeros, a saturated block. */
function pattern(width: number, height: number): Uint8Array {
  const counts = new Uint8Array(width * height);
  for (let i = 0; i < counts.length; i++) counts[i] = (i * 7) % 3 === 0 ? 0 : (i * 31) % 256;
  return counts;
}

/** Expects decoded pixels to be the palette's colours (partial alpha may round by 2 through premultiplication). */
function expectColours(decoded: Uint8ClampedArray, counts: Uint8Array, palette: Palette): void {
  let worst = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    const alpha = palette.rgba[c * 4 + 3];
    expect(decoded[i * 4 + 3]).toBe(alpha);
    if (alpha === 0) continue;
    for (let k = 0; k < 3; k++) worst = Math.max(worst, Math.abs(decoded[i * 4 + k] - palette.rgba[c * 4 + k]) * (alpha === 255 ? 100 : 1));
  }
  expect(worst).toBeLessThanOrEqual(2);
}

describe("encodePng", () => {
  test.each([
    [1, 1],
    [7, 3],
    [256, 256],
    [512, 300],
  ])("%p x %p: rows, palette and transparency are exact", (width, height) => {
    const counts = pattern(width, height);
    const palette = presetGradient("pinkish");
    const png = encodePng(counts, width, height, palette);
    const parts = chunks(png);
    expect(parts.map((c) => c.type)).toEqual(["IHDR", "PLTE", "tRNS", "IDAT", "IEND"]);
    const ihdr = new DataView(parts[0].data.buffer, parts[0].data.byteOffset);
    expect([ihdr.getUint32(0), ihdr.getUint32(4), parts[0].data[8], parts[0].data[9]]).toEqual([width, height, 8, 3]);
    const max = counts.reduce((m, v) => Math.max(m, v), 0);
    expect(parts[1].data.length).toBe((max + 1) * 3);
    // pinkish: 0 is transparent, 1..9 partly, 10 and up opaque, so tRNS stops after 9 (or the highest count).
    expect(Array.from(parts[2].data)).toEqual(Array.from({ length: Math.min(10, max + 1) }, (_, i) => palette.rgba[i * 4 + 3]));
    const raw = inflateSync(parts[3].data);
    for (let y = 0; y < height; y++) {
      expect(raw[y * (width + 1)]).toBe(0);
      expect(Array.from(raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1)))).toEqual(Array.from(counts.subarray(y * width, (y + 1) * width)));
    }
  });

  test.each([
    ["a 512-wide buffer of its own", 0, 512],
    ["a view at an odd byte offset", 3, 512],
    ["rows of an odd width", 0, 61],
  ])("empty rows between drawn ones, the highest count on the last row: %s", (_, offset, width) => {
    const height = 40;
    const counts = new Uint8Array(offset + width * height).subarray(offset);
    for (const y of [3, 4, 20]) counts.fill(5 + y, y * width + 2, y * width + 9);
    counts[(height - 1) * width + width - 1] = 200;
    const parts = chunks(encodePng(counts, width, height, presetGradient("orange")));
    expect(parts.find((c) => c.type === "PLTE")!.data.length).toBe(201 * 3);
    const raw = inflateSync(parts.find((c) => c.type === "IDAT")!.data);
    for (let y = 0; y < height; y++) {
      expect(raw[y * (width + 1)]).toBe(0);
      expect(Array.from(raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1)))).toEqual(Array.from(counts.subarray(y * width, (y + 1) * width)));
    }
  });

  test("decodes to the palette's colours", async () => {
    const counts = pattern(64, 48);
    for (const palette of [presetGradient("orange"), presetGradient("pinkish"), parseGradient("1:0000ff80;255:ff0000")]) {
      expectColours(await pixels(encodePng(counts, 64, 48, palette), 64, 48), counts, palette);
    }
  });

  test("an empty image is a one-entry palette, fully transparent", async () => {
    const png = encodePng(new Uint8Array(32 * 32), 32, 32, presetGradient("orange"));
    const parts = chunks(png);
    expect(parts.find((c) => c.type === "PLTE")!.data.length).toBe(3);
    expect(Array.from(parts.find((c) => c.type === "tRNS")!.data)).toEqual([0]);
    const decoded = await pixels(png, 32, 32);
    expect(decoded.every((v) => v === 0)).toBe(true);
  });

  test("an opaque palette needs no tRNS beyond count 0", () => {
    const counts = new Uint8Array([0, 1, 2, 3]);
    const parts = chunks(encodePng(counts, 2, 2, parseGradient("1:000;2:fff")));
    expect(Array.from(parts.find((c) => c.type === "tRNS")!.data)).toEqual([0]);
  });

  test("a wrong number of counts is refused", () => {
    expect(() => encodePng(new Uint8Array(10), 4, 4, presetGradient("orange"))).toThrow(/expected 4 x 4 counts, found 10/);
  });
});

describe("encodeWebp", () => {
  /** Images that take every path of the encoder: runs, rows like the row above, literals, tiny and padded palettes. */
  const IMAGES: [string, number, number, (i: number, width: number) => number][] = [
    ["1 x 1, count 0", 1, 1, () => 0],
    ["1 x 1, count 7", 1, 1, () => 7],
    ["all transparent", 64, 64, () => 0],
    ["one count everywhere", 33, 17, () => 12],
    ["two counts in stripes", 40, 9, (i) => (i % 40 < 20 ? 1 : 2)],
    ["rows repeating", 50, 30, (i, w) => ((i % w) * 5) % 256],
    ["every count, no runs", 96, 40, (i) => (i * 97 + (i >> 3)) % 256],
    ["sparse lines", 512, 300, (i, w) => (Math.abs((i % w) - Math.floor(i / w) * 1.3) < 1.5 ? 1 + (i % 200) : 0)],
    ["wider than a reference reaches", 5000, 3, (i) => (i % 4999 === 0 ? 3 : 0)],
  ];

  test.each(IMAGES)("%p: lossless VP8L of the palette's colours", async (_, width, height, count) => {
    const counts = Uint8Array.from({ length: width * height }, (_, i) => count(i, width));
    for (const palette of [presetGradient("orange"), presetGradient("pinkish")]) {
      const webp = encodeWebp(counts, width, height, palette);
      const text = new TextDecoder("latin1").decode(webp);
      expect(text.slice(0, 4)).toBe("RIFF");
      expect(new DataView(webp.buffer, webp.byteOffset).getUint32(4, true)).toBe(webp.length - 8);
      // Lossless is the VP8L bitstream (lossy would be "VP8 " plus an ALPH chunk).
      expect(text.slice(8, 16)).toBe("WEBPVP8L");
      expectColours(await pixels(webp, width, height), counts, palette);
    }
  });

  test("runs and repeated rows make a sparse tile small", () => {
    const counts = new Uint8Array(512 * 512);
    for (let x = 0; x < 512; x++) counts[200 * 512 + x] = counts[201 * 512 + x] = 1 + (x % 5);
    expect(encodeWebp(counts, 512, 512, presetGradient("orange")).length).toBeLessThan(600);
  });
});
