/**
 * Private properties over HTTP, HOTPOT_READ_TOKEN, and the answers to
 * malformed requests (control characters, unknown methods), through
 * app.handle and, for the hot tile route, a real port.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AnyElysia } from "elysia";
import { ingestFiles } from "../../src/import/ingest.ts";
import { createApp } from "../../src/server/app.ts";
import { listen, type HttpServer } from "../../src/server/listen.ts";
import { isPrivateProperty } from "../../src/server/privacy.ts";
import { openStore, type Store } from "../../src/store.ts";
import { latToY, lngToX } from "../../src/tile.ts";

const OWNER = "owner-secret";
const READER = "reader-secret";
const fixture = (name: string) => new Uint8Array(readFileSync(join(import.meta.dir, "../fixtures/activities", name)));
const TILE = `/tile/14/${Math.floor(lngToX(13.377) * 2 ** 14)}/${Math.floor(latToY(52.489) * 2 ** 14)}`;
const PRIVATE = {
  activity_private_note: "door code 1234",
  activity_description: "with Anna",
  athlete_weight: 72,
  device_serial_number: 3_912_345_678,
  private: true,
};

let store: Store;
let app: AnyElysia;
let locked: AnyElysia;
let server: HttpServer;

beforeAll(() => {
  store = openStore(":memory:");
  ingestFiles(store, [{ name: "sample.gpx", bytes: fixture("sample.gpx"), properties: { ...PRIVATE, activity_type: "Ride", weighted_average_power: 180 } }]);
  app = createApp({ store, tileCache: null, access: { ownerToken: OWNER, readToken: null } });
  locked = createApp({ store, tileCache: null, access: { ownerToken: OWNER, readToken: READER } });
  server = listen(locked, { hostname: "127.0.0.1", port: 0, reusePort: false, log: null, maxRequestBodySize: 1024 * 1024 });
});
afterAll(() => {
  server.stop(true);
  store.close();
});

const get = (target: AnyElysia, path: string, token?: string, method = "GET") =>
  target.handle(new Request(`http://localhost${path}`, { method, headers: token ? { Authorization: `Bearer ${token}` } : {} }));

describe("isPrivateProperty", () => {
  test.each([
    ["activity_private_note", true],
    ["activity_description", true],
    ["athlete_weight", true],
    ["bike_weight", true],
    ["device_serial_number", true],
    ["serialNumber", true],
    ["private", true],
    ["weighted_average_power", false],
    ["activity_type", false],
    ["distance", false],
  ] as const)("%s → %p", (key, expected) => {
    expect(isPrivateProperty(key)).toBe(expected);
  });
});

describe("private properties without the owner's token", () => {
  test("listings and the GeoJSON leave them out; the owner sees them", async () => {
    const visitor = (await (await get(app, "/api/activities")).json()).activities[0].properties;
    for (const key of Object.keys(PRIVATE)) expect(visitor).not.toHaveProperty(key);
    expect(visitor).toMatchObject({ activity_type: "Ride", weighted_average_power: 180 });
    const owner = (await (await get(app, "/api/activities", OWNER)).json()).activities[0].properties;
    expect(owner).toMatchObject(PRIVATE);

    const key = (await (await get(app, "/api/activities")).json()).activities[0].key;
    const feature = await (await get(app, `/api/activities/${encodeURIComponent(key)}.geojson`)).json();
    expect(feature.properties).not.toHaveProperty("activity_private_note");
    expect(feature.properties.activity_type).toBe("Ride");
    const ownersFeature = await (await get(app, `/api/activities/${encodeURIComponent(key)}.geojson`, OWNER)).json();
    expect(ownersFeature.properties.activity_private_note).toBe("door code 1234");

    const [lng, lat] = feature.geometry.coordinates[0][0];
    const near = await (await get(app, `/api/activities?near=${lat},${lng}&zoom=14`)).json();
    expect(near.activities.length).toBe(1);
    expect(near.activities[0].properties).not.toHaveProperty("athlete_weight");
  });

  test("/api/properties lists them only for the owner", async () => {
    const keys = async (token?: string) => ((await (await get(app, "/api/properties", token)).json()).properties as { key: string }[]).map((p) => p.key);
    expect(await keys()).not.toContain("activity_private_note");
    expect(await keys()).toContain("activity_type");
    expect(await keys(OWNER)).toContain("activity_private_note");
  });

  test.each([
    "/api/activities?filter=" + encodeURIComponent('has? activity_private_note'),
    "/api/activity-count?filter=" + encodeURIComponent('activity_private_note like "door%"'),
    "/api/bounds?filter=" + encodeURIComponent('activity_type = Ride && athlete_weight > 70'),
    `${TILE}?filter=` + encodeURIComponent('"device_serial_number" = 3912345678'),
  ])("a filter naming one is a 400 naming it: %s", async (path) => {
    const response = await get(app, path);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/^filter: property "[a-z_]+" is private \(only the owner's token may filter on it\)\n$/);
    expect((await get(app, path, OWNER)).status).toBeOneOf([200, 204]);
  });

  test("a tile anyone may ask for is public; the owner's tile filtered on a private property is not", async () => {
    expect((await get(app, TILE)).headers.get("cache-control")).toStartWith("public, ");
    const personal = await get(app, `${TILE}?filter=` + encodeURIComponent("athlete_weight > 70"), OWNER);
    expect(personal.status).toBe(200);
    expect(personal.headers.get("cache-control")).toStartWith("private, ");
  });

  test("the owner's filter works on them", async () => {
    const count = await (await get(app, "/api/activity-count?filter=" + encodeURIComponent('activity_private_note like "door%"'), OWNER)).text();
    expect(count).toBe("1");
  });
});

describe("HOTPOT_READ_TOKEN", () => {
  test("everything but /healthz needs the read token or the owner's", async () => {
    for (const path of ["/", "/api/activities", "/api/features", TILE]) {
      const refused = await get(locked, path);
      expect(refused.status).toBe(401);
      expect(refused.headers.get("www-authenticate")).toStartWith("Basic");
      expect((await get(locked, path, READER)).status).toBeOneOf([200, 204]);
      expect((await get(locked, path, OWNER)).status).toBeOneOf([200, 204]);
    }
    expect((await get(locked, "/healthz")).status).toBe(200);
    // A shared cache in front must not hand tiles to those without the token.
    expect((await get(locked, TILE, READER)).headers.get("cache-control")).toStartWith("private, ");
  });

  test("the reader does not see private properties; Basic auth works as a browser sends it", async () => {
    const reader = (await (await get(locked, "/api/activities", READER)).json()).activities[0].properties;
    expect(reader).not.toHaveProperty("activity_private_note");
    const basic = await get(locked, "/api/activities");
    expect(basic.status).toBe(401);
    const withBasic = await locked.handle(new Request("http://localhost/api/activities", { headers: { Authorization: `Basic ${btoa(`me:${READER}`)}` } }));
    expect(withBasic.status).toBe(200);
  });

  test("the tile route served by Bun's router is locked too", async () => {
    const url = `http://127.0.0.1:${server.port}${TILE}`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { Authorization: `Bearer ${READER}` } })).status).toBe(200);
  });
});

describe("malformed requests get a 4xx with one line", () => {
  test.each([
    ["/api/activities?filter=" + encodeURIComponent('"a\u0000b" = 1'), "filter: control character U+0000 at position 3 is not allowed"],
    [`${TILE}?filter=` + encodeURIComponent("has? \u0001x"), "filter: control character U+0001 at position 6 is not allowed"],
    ["/api/activities/a%00b.geojson", "activity key: control character U+0000 at position 2 is not allowed"],
  ])("%s", async (path, message) => {
    const response = await get(app, path);
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(`${message}\n`);
  });

  test("a method a path does not take is a 405 with Allow; an unknown path stays 404", async () => {
    for (const method of ["PUT", "DELETE", "PATCH", "POST"]) {
      const response = await get(app, "/api/activities", undefined, method);
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("GET, HEAD");
      expect(await response.text()).toBe(`method ${method} is not allowed here (allowed: GET, HEAD)\n`);
    }
    expect((await get(app, "/nowhere", undefined, "PUT")).status).toBe(404);
  });
});
