import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HotpotError } from "../../src/errors.ts";
import { ingestFiles } from "../../src/import/ingest.ts";
import { parseFile } from "../../src/parse/index.ts";
import { apiHandlers, propertyInfo } from "../../src/server/api.ts";
import { activityFeature } from "../../src/server/geojson.ts";
import { openStore, type Store } from "../../src/store.ts";
import type { ParsedActivity } from "../../src/types.ts";

const FIXTURES = join(import.meta.dir, "../fixtures/activities");
const dir = mkdtempSync(join(tmpdir(), "hotpot-api-"));
let store: Store;
let keys: Record<string, string>;

beforeAll(() => {
  store = openStore(join(dir, "api.sqlite3"));
  const results = ingestFiles(
    store,
    ["sample.gpx", "sample.tcx", "sample.fit"].map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(FIXTURES, name))) })),
  );
  keys = Object.fromEntries(results.map((r) => [r.name, r.key!]));
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string) => new Request(`http://localhost${path}`);
const json = async (response: Response) => {
  expect(response.headers.get("content-type")).toContain("json");
  return response.json();
};

describe("api", () => {
  test("activity count, all and filtered", async () => {
    const api = apiHandlers(store);
    const asJson = (path: string) => new Request(`http://localhost${path}`, { headers: { Accept: "application/json" } });
    expect(await json(api.count(asJson("/api/activity-count")))).toEqual({ count: 3 });
    expect(await json(api.count(asJson("/api/activity-count?after=2100-01-01")))).toEqual({ count: 0 });
  });

  test("activity count without Accept: application/json is the bare number, as the Rust hotpot answers", async () => {
    const api = apiHandlers(store);
    for (const [path, body] of [["/api/activity-count", "3"], ["/api/activity-count?filter=activity_type%20%3D%20'nothing'", "0"]]) {
      const response = api.count(get(path));
      expect(response.headers.get("content-type")).toStartWith("text/plain");
      expect(await response.text()).toBe(body);
    }
  });

  test("a bad filter or date is a 400 HotpotError naming it", () => {
    const api = apiHandlers(store);
    for (const [path, name] of [
      ["/api/activity-count?filter=type%20%3D%3D", "filter"],
      ["/api/activities?after=2024-02-30", "after"],
      ["/api/activities?limit=100000", "limit"],
      ["/api/activities?offset=-1", "offset"],
    ]) {
      let error: unknown;
      try {
        path.includes("count") ? api.count(get(path)) : api.activities(get(path));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(HotpotError);
      expect((error as HotpotError).status).toBe(400);
      expect((error as HotpotError).message.toLowerCase()).toContain(name);
    }
  });

  test("activities: a bounded page with the total", async () => {
    const api = apiHandlers(store);
    const page = await json(api.activities(get("/api/activities?limit=2&offset=1")));
    expect(page.total).toBe(3);
    expect(page.activities).toHaveLength(2);
    expect(page.activities[0]).toHaveProperty("key");
    expect(page.activities[0]).toHaveProperty("properties");
    const all = await json(api.activities(get("/api/activities")));
    expect(all.activities.map((a: { key: string }) => a.key).sort()).toEqual(Object.values(keys).sort());
  });

  test("activities near a point lists the activity that passes there", async () => {
    const api = apiHandlers(store);
    const near = await json(api.activities(get("/api/activities?near=52.489478,13.377609&zoom=15")));
    expect(near.activities.map((a: { key: string }) => a.key)).toContain(keys["sample.gpx"]);
  });

  test("properties: every key with its count and value types", async () => {
    const list = propertyInfo(store);
    const byKey = Object.fromEntries(list.map((p) => [p.key, p]));
    expect(byKey.activity_type).toEqual({ key: "activity_type", count: 3, types: ["string"] });
    const numeric = list.find((p) => p.types.includes("number"));
    expect(numeric).toBeDefined();
    expect(list.map((p) => p.key)).toEqual([...list.map((p) => p.key)].sort());
    // Cached per data version: the same array until a write.
    expect(propertyInfo(store)).toBe(list);
    store.updateProperties(keys["sample.gpx"], { commute: true });
    const after = propertyInfo(store);
    expect(after).not.toBe(list);
    expect(after.find((p) => p.key === "commute")).toEqual({ key: "commute", count: 1, types: ["boolean"] });
  });

  test("healthz: data version and activity count", async () => {
    const health = await json(apiHandlers(store).health());
    expect(health).toEqual({ status: "ok", data_version: store.dataVersion(), activities: 3 });
  });

  test("geojson names the file the activity came from, as `hotpot activities` does", async () => {
    const feature = await json(apiHandlers(store).geojson(new Request("http://localhost/"), `${keys["sample.gpx"]}.geojson`));
    expect(feature.properties.file_name).toBe("sample.gpx");
  });

  test("geojson of an unknown key or a path without .geojson is a 404", () => {
    const api = apiHandlers(store);
    for (const file of ["file:nope.geojson", keys["sample.gpx"], `${keys["sample.gpx"]}.json`]) {
      expect(() => api.geojson(new Request("http://localhost/"), file)).toThrow(HotpotError);
    }
  });
});

describe("activityFeature", () => {
  const parsed = parseFile("sample.gpx", new Uint8Array(readFileSync(join(FIXTURES, "sample.gpx")))) as ParsedActivity;
  const points = parsed.segments.flatMap((s) => s.lat.map((lat, i) => [s.lon[i], lat]));

  /** Metres from a point to the nearest point of the file (the track is dense enough for a point check). */
  const offset = ([lng, lat]: number[]) =>
    Math.min(...points.map(([plng, plat]) => Math.hypot((lng - plng) * 111_320 * Math.cos((lat * Math.PI) / 180), (lat - plat) * 110_540)));

  test("rebuilds the track from the deepest stored tiles, close to the file's points", () => {
    const feature = activityFeature(store, keys["sample.gpx"])!;
    expect(feature.type).toBe("Feature");
    expect(feature.geometry.type).toBe("MultiLineString");
    const coords = feature.geometry.coordinates.flat();
    expect(coords.length).toBeGreaterThan(1);
    for (const c of coords) expect(offset(c)).toBeLessThan(15);
    // Both ends of the track are there (nothing trimmed with trim_dist 0).
    for (const p of [points[0], points[points.length - 1]]) {
      expect(Math.min(...coords.map(([lng, lat]) => Math.hypot(lng - p[0], lat - p[1])))).toBeLessThan(0.0002);
    }
    expect(feature.properties.key).toBe(keys["sample.gpx"]);
    expect(feature.properties.title).toBe("20250816 gravel return");
  });

  test("leaves out what a privacy mask covers", () => {
    const [lng, lat] = points[0];
    store.setConfig("activity_masks", [{ name: "home", lat, lng, radius: 30 }]);
    try {
      const coords = activityFeature(store, keys["sample.gpx"])!.geometry.coordinates.flat();
      expect(coords.length).toBeGreaterThan(0);
      const nearest = Math.min(...coords.map(([x, y]) => Math.hypot((x - lng) * 111_320 * Math.cos((lat * Math.PI) / 180), (y - lat) * 110_540)));
      expect(nearest).toBeGreaterThan(29);
    } finally {
      store.setConfig("activity_masks", []);
    }
  });

  test("null for an unknown key", () => {
    expect(activityFeature(store, "strava:1")).toBeNull();
  });
});
