import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { activitiesNear, activityBounds, parseNear, type NearOptions } from "../../src/server/near.ts";
import { CROSSING, fixtureDatabase, ON_A_ONLY } from "../helpers/fixture.ts";
import { compileQuery, type ActivityQuery } from "../../src/query.ts";

let db: ReturnType<typeof fixtureDatabase>;
beforeAll(() => {
  db = fixtureDatabase();
});
afterAll(() => db.cleanup());

const titles = (options: NearOptions) => activitiesNear(db.store, options).map((a) => a.title);

/** Metres → degrees of latitude, to aim a little off a track. */
const north = (metres: number) => metres / 111_320;

describe("activitiesNear", () => {
  test("the fixture imported", () => {
    expect(db.results.map((r) => r.status)).toEqual(["added", "added", "added"]);
  });

  const cases: [string, NearOptions, string[]][] = [
    ["on one track", { ...ON_A_ONLY, zoom: 14 }, ["Morning ride"]],
    ["at a crossing, newest first", { ...CROSSING, zoom: 14 }, ["Morning ride", "Lunch run"]],
    ["at a crossing, zoomed far in (over-zoomed source level)", { ...CROSSING, zoom: 19 }, ["Morning ride", "Lunch run"]],
    ["at a crossing, zoomed out (shallow source level)", { ...CROSSING, zoom: 4 }, ["Morning ride", "Lunch run", "Evening hike"]],
    // 8 px at zoom 14 is about 26 m here: 100 m off is a miss, but at zoom 10 (400 m) a hit.
    ["100 m off at zoom 14", { lat: ON_A_ONLY.lat + north(100), lng: ON_A_ONLY.lng, zoom: 14 }, []],
    ["100 m off at zoom 10", { lat: ON_A_ONLY.lat + north(100), lng: ON_A_ONLY.lng, zoom: 10 }, ["Morning ride"]],
    ["100 m off with a 40 px radius", { lat: ON_A_ONLY.lat + north(100), lng: ON_A_ONLY.lng, zoom: 14, radiusPx: 40 }, ["Morning ride"]],
    ["nowhere near", { lat: 47.2, lng: 8.2, zoom: 12 }, []],
    ["filtered by type", { ...CROSSING, zoom: 14, query: compileQuery({ filter: "activity_type = run" }) }, ["Lunch run"]],
    ["filtered by date", { ...CROSSING, zoom: 14, query: compileQuery({ after: "2024-01-01" }) }, ["Morning ride"]],
    ["filter matching nothing", { ...CROSSING, zoom: 14, query: compileQuery({ filter: "activity_type = swim" }) }, []],
    ["limited", { ...CROSSING, zoom: 14, limit: 1 }, ["Morning ride"]],
  ];
  test.each(cases)("%s", (_name, options, expected) => {
    expect(titles(options)).toEqual(expected);
  });

  test("a point on a stored-tile seam finds the track on both sides", () => {
    // z14 column 8581 starts at this longitude; track A crosses it.
    const seam = (8581 / 2 ** 14) * 360 - 180;
    for (const lng of [seam - 1e-7, seam, seam + 1e-7]) {
      expect(titles({ lat: 47.37, lng, zoom: 16 })).toEqual(["Morning ride"]);
    }
  });

  test("each activity comes with its properties, ISO start time and how far it passes", () => {
    const [a] = activitiesNear(db.store, { lat: ON_A_ONLY.lat + north(10), lng: ON_A_ONLY.lng, zoom: 14 });
    expect(a.key).toStartWith("file:");
    expect(a.start_time).toBe("2024-05-01T07:00:00.000Z");
    expect(a.properties.activity_type).toBe("ride");
    expect(a.properties.total_distance as number).toBeCloseTo(4.52, 1);
    expect(a.offset_m).toBeGreaterThan(7);
    expect(a.offset_m).toBeLessThan(13);
  });

  test("a privacy mask hides the activities passing inside it, and only there", () => {
    const masks = db.store.config().activity_masks;
    db.store.setConfig("activity_masks", [{ name: "home", lat: CROSSING.lat, lng: CROSSING.lng, radius: 200 }]);
    try {
      expect(titles({ ...CROSSING, zoom: 14 })).toEqual([]);
      expect(titles({ ...ON_A_ONLY, zoom: 14 })).toEqual(["Morning ride"]);
    } finally {
      db.store.setConfig("activity_masks", masks);
    }
    expect(titles({ ...CROSSING, zoom: 14 })).toEqual(["Morning ride", "Lunch run"]);
  });
});

describe("activityBounds", () => {
  // Read from stored level 6: about 200 m per tile unit here.
  const slack = 0.004;
  const cases: [string, ActivityQuery, [number, number, number, number] | null][] = [
    ["everything", {}, [8.5, 47.35, 8.56, 47.395]],
    ["runs only", { filter: "activity_type = run" }, [8.53, 47.35, 8.53, 47.39]],
    ["before 2023", { before: "2023-01-01" }, [8.51, 47.395, 8.555, 47.395]],
    ["nothing matches", { filter: "activity_type = swim" }, null],
  ];
  test.each(cases)("%s", (_name, query, expected) => {
    const bounds = activityBounds(db.store, compileQuery(query));
    if (expected === null) return expect(bounds).toBeNull();
    expect(bounds).not.toBeNull();
    bounds!.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(slack));
  });

  test("follows new data (cached per data version)", () => {
    const before = activityBounds(db.store, compileQuery({ filter: "activity_type = run" }));
    db.store.updateProperties(db.results[1].key!, { activity_type: "trail run" });
    try {
      expect(activityBounds(db.store, compileQuery({ filter: "activity_type = run" }))).toBeNull();
    } finally {
      db.store.updateProperties(db.results[1].key!, { activity_type: "run" });
    }
    expect(activityBounds(db.store, compileQuery({ filter: "activity_type = run" }))).toEqual(before);
  });
});

describe("parseNear", () => {
  test("reads LAT,LNG and zoom", () => {
    expect(parseNear("47.37,8.53", "13.5")).toEqual({ lat: 47.37, lng: 8.53, zoom: 13.5 });
  });
  const bad: [string, string | undefined, RegExp][] = [
    ["abc", "10", /^near: expected LAT,LNG/],
    ["47.37", "10", /^near: /],
    ["47.37,8.53,1", "10", /^near: /],
    ["91,0", "10", /^near: .*found "91,0"/],
    ["0,181", "10", /^near: /],
    [",8", "10", /^near: /],
    ["47.37,8.53", undefined, /^zoom: expected a number from 0 to 20/],
    ["47.37,8.53", "21", /^zoom: .*found "21"/],
    ["47.37,8.53", "x", /^zoom: /],
  ];
  test.each(bad)("near=%p zoom=%p is refused", (near, zoom, message) => {
    expect(() => parseNear(near, zoom)).toThrow(message);
  });
});
