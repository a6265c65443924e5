import { describe, expect, test } from "bun:test";
import { Collector } from "../../src/server/collect.ts";

describe("Collector", () => {
  test("collects once the renders since the last collection reach the threshold, then counts afresh", () => {
    let collections = 0;
    const collector = new Collector(1000, () => collections++);
    collector.rendered(400);
    collector.rendered(500);
    expect(collections).toBe(0);
    collector.rendered(100);
    expect(collections).toBe(1);
    collector.rendered(999);
    expect(collections).toBe(1);
    collector.rendered(5000);
    expect(collections).toBe(2);
  });
});
