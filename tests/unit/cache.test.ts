import { describe, expect, test } from "bun:test";
import { Lru, PerVersion } from "../../src/cache.ts";

describe("Lru", () => {
  test("evicts the least recently used entry past maxEntries", () => {
    const cache = new Lru<string, number>({ maxEntries: 2 });
    cache.set("a", 1);
    cache.set("b", 2);
    expect(cache.get("a")).toBe(1); // a is now the most recent
    cache.set("c", 3);
    expect(cache.has("b")).toBe(false);
    expect(cache.get("a")).toBe(1);
    expect(cache.get("c")).toBe(3);
    expect(cache.size).toBe(2);
  });

  test("bounds the total weight and skips an entry heavier than the budget", () => {
    const cache = new Lru<string, string>({ maxWeight: 10, weigh: (v) => v.length });
    cache.set("a", "xxxx");
    cache.set("b", "yyyy");
    cache.set("c", "zzzz");
    expect(cache.has("a")).toBe(false);
    expect(cache.usedWeight).toBe(8);
    cache.set("d", "w".repeat(11));
    expect(cache.has("d")).toBe(false);
    expect([cache.has("b"), cache.has("c")]).toEqual([true, true]);
  });

  test("replacing a key reweighs it instead of counting it twice", () => {
    const cache = new Lru<string, string>({ maxWeight: 100, weigh: (v, k) => v.length + k.length });
    cache.set("k", "12345");
    cache.set("k", "12");
    expect(cache.usedWeight).toBe(3);
    expect(cache.size).toBe(1);
  });

  test("useVersion empties it when the version moves on, not when it repeats", () => {
    const cache = new Lru<string, number>({ maxEntries: 8 });
    cache.useVersion(1);
    cache.set("a", 1);
    cache.useVersion(1);
    expect(cache.size).toBe(1);
    cache.useVersion(2);
    expect(cache.size).toBe(0);
    expect(cache.usedWeight).toBe(0);
  });

  test("remember computes once and keeps null answers", () => {
    const cache = new Lru<string, number | null>({ maxEntries: 4 });
    let calls = 0;
    const make = () => (calls++, null);
    expect(cache.remember("q", make)).toBeNull();
    expect(cache.remember("q", make)).toBeNull();
    expect(calls).toBe(1);
  });
});

describe("PerVersion", () => {
  test("keeps one cache per owner, emptied when that owner's version moves on", () => {
    const caches = new PerVersion<object, string, number>({ maxEntries: 4 });
    const one = {};
    const two = {};
    caches.at(one, 5).set("a", 1);
    caches.at(two, 9).set("a", 2);
    expect(caches.at(one, 5).get("a")).toBe(1);
    expect(caches.at(two, 9).get("a")).toBe(2);
    expect(caches.at(one, 6).get("a")).toBeUndefined();
    expect(caches.at(two, 9).get("a")).toBe(2);
  });
});
