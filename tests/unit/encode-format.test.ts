import { describe, expect, test } from "bun:test";
import { decodeLines, encodeLines } from "../../src/codec.ts";
import { encode, encodePng, encodeWebp } from "../../src/encode.ts";
import { HotpotError } from "../../src/errors.ts";
import { presetGradient } from "../../src/palette.ts";
import { encodeIndexedWebp } from "../../src/webp.ts";

const palette = presetGradient("orange");
const counts = Uint8Array.from({ length: 16 * 8 }, (_, i) => i % 7);

describe("encode(format, …)", () => {
  test("chooses the encoder by format and answers synchronously", () => {
    const png = encode("png", counts, 16, 8, palette);
    const webp = encode("webp", counts, 16, 8, palette);
    expect(png).toBeInstanceOf(Uint8Array);
    expect(png).toEqual(encodePng(counts, 16, 8, palette));
    expect(webp).toEqual(encodeWebp(counts, 16, 8, palette));
    expect(new TextDecoder().decode(webp.subarray(8, 12))).toBe("WEBP");
  });
});

describe("user-facing encoder and codec failures are HotpotErrors", () => {
  const caught = (f: () => unknown): unknown => {
    try {
      f();
    } catch (e) {
      return e;
    }
    return null;
  };

  test("a WebP wider than the format holds is too_large", () => {
    const e = caught(() => encodeIndexedWebp(new Uint8Array(16385), 16385, 1, Uint32Array.of(0)));
    expect(e).toBeInstanceOf(HotpotError);
    expect((e as HotpotError).code).toBe("too_large");
  });

  test("a truncated geometry blob is bad_file", () => {
    const blob = encodeLines([[0, 0, 100, 100, 200, 50, 300, 300]]);
    const e = caught(() => decodeLines(blob.subarray(0, blob.length - 2)));
    expect(e).toBeInstanceOf(HotpotError);
    expect((e as HotpotError).code).toBe("bad_file");
    expect((e as HotpotError).message).toMatch(/geometry blob truncated/);
  });
});
