import { describe, expect, test } from "bun:test";
import { deflateRawSync, gzipSync } from "node:zlib";
import { inflateRaw, stripCompression } from "../../src/decompress.ts";
import { errorOf } from "../helpers/errors.ts";

const MB = 1024 * 1024;
const text = (s: string) => new TextEncoder().encode(s);

describe("stripCompression", () => {
  test("unpacks every trailing .gz layer and names the file inside", () => {
    const gpx = text("<gpx/>");
    const twice = stripCompression("Ride.gpx.GZ.gz", gzipSync(gzipSync(gpx)), MB);
    expect(twice.name).toBe("Ride.gpx");
    expect(twice.bytes).toEqual(gpx);
    expect(stripCompression("ride.fit", gpx, 1).bytes).toBe(gpx);
  });

  test("a 2 KB double-gzip bomb is refused at the budget, not unpacked", () => {
    const bomb = gzipSync(gzipSync(new Uint8Array(128 * MB), { level: 9 }), { level: 9 });
    expect(bomb.byteLength).toBeLessThan(3000);
    const e = errorOf(() => stripCompression("x.gpx.gz.gz", bomb, 64 * MB));
    expect(e.code).toBe("too_large");
    expect(e.message).toBe("unpacks to more than 64 MB");
  }, 30_000);

  test("the layers share one budget", () => {
    // Outer layer 1 MB-ish, inner 1 MB: each fits alone, the sum does not.
    const inner = gzipSync(new Uint8Array(MB), { level: 0 });
    const outer = gzipSync(inner);
    expect(stripCompression("a.gpx.gz.gz", outer, 3 * MB).bytes.byteLength).toBe(MB);
    expect(errorOf(() => stripCompression("a.gpx.gz.gz", outer, MB + 1000)).message).toBe("unpacks to more than 1 MB");
  });

  test("data that is not gzip is bad_file", () => {
    const e = errorOf(() => stripCompression("a.gpx.gz", text("plain"), MB));
    expect(e.code).toBe("bad_file");
    expect(e.message).toStartWith("expected gzip-compressed data (.gz), found data that does not decompress");
  });
});

describe("inflateRaw (zip entries)", () => {
  const data = new Uint8Array(100_000).fill(7);
  const raw = deflateRawSync(data);

  test("inflates to the declared size", () => {
    expect(inflateRaw(raw, data.length, MB)).toEqual(data);
  });

  test("a declared size over the budget is refused before inflating", () => {
    expect(errorOf(() => inflateRaw(raw, data.length, 50_000)).message).toBe("unpacks to more than 50000 bytes");
  });

  test("an entry that lies about its size stops at the declared size", () => {
    const e = errorOf(() => inflateRaw(raw, 1000, MB));
    expect(e.code).toBe("bad_file");
    expect(e.message).toBe("damaged zip entry (inflates to more than its declared 1000 bytes)");
  });
});
