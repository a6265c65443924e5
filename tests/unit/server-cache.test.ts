import { describe, expect, test } from "bun:test";
import { TileCache } from "../../src/server/cache.ts";

const tile = (bytes: number, etag = '"e"') => ({ body: bytes > 0 ? new Blob([new Uint8Array(bytes)]) : null, etag, headers: new Headers() });

describe("TileCache", () => {
  test("returns what was stored and counts its bytes", () => {
    const cache = new TileCache(10_000);
    cache.set("a", tile(1000));
    expect(cache.get("a")?.body?.size).toBe(1000);
    expect(cache.usedBytes).toBeGreaterThan(1000);
    expect(cache.get("b")).toBeUndefined();
  });

  test("evicts the least recently used entries once over its byte budget", () => {
    const cache = new TileCache(35_000);
    cache.set("a", tile(10_000));
    cache.set("b", tile(10_000));
    cache.set("c", tile(10_000));
    cache.get("a"); // a is now the most recent, b the oldest
    cache.set("d", tile(10_000));
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBeDefined();
    expect(cache.get("c")).toBeDefined();
    expect(cache.get("d")).toBeDefined();
    expect(cache.usedBytes).toBeLessThanOrEqual(35_000);
  });

  test("keeps the byte count right when a key is stored again", () => {
    const cache = new TileCache(100_000);
    cache.set("a", tile(1000));
    const once = cache.usedBytes;
    cache.set("a", tile(1000));
    expect(cache.usedBytes).toBe(once);
    expect(cache.size).toBe(1);
  });

  test("does not keep an entry larger than the whole budget", () => {
    const cache = new TileCache(500);
    cache.set("small", tile(10));
    cache.set("huge", tile(1000));
    expect(cache.get("huge")).toBeUndefined();
    expect(cache.get("small")).toBeDefined();
  });

  test("drops everything when the data version moves on", () => {
    const cache = new TileCache(10_000);
    cache.useVersion(1);
    cache.set("1|a", tile(100));
    cache.useVersion(1);
    expect(cache.size).toBe(1);
    cache.useVersion(2);
    expect(cache.size).toBe(0);
    expect(cache.usedBytes).toBe(0);
  });

  test("empty tiles (answered 204) are entries too", () => {
    const cache = new TileCache(10_000);
    cache.set("empty", tile(0));
    expect(cache.get("empty")?.body).toBeNull();
  });
});
