/** DELETE /api/activities/{key} through createApp (no port): the token, the answers, and the heat going at once. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AnyElysia } from "elysia";
import { ingestFiles } from "../../src/import/ingest.ts";
import { createApp } from "../../src/server/app.ts";
import { DEFAULT_UPLOAD } from "../../src/server/upload.ts";
import { openStore, type Store } from "../../src/store.ts";
import { latToY, lngToX } from "../../src/tile.ts";

const fixture = (name: string) => new Uint8Array(readFileSync(join(import.meta.dir, "../fixtures/activities", name)));
const dir = mkdtempSync(join(tmpdir(), "hotpot-delete-"));
let store: Store;
let app: AnyElysia;
// sample.gpx lies in south Berlin.
const TILE = `/tile/14/${Math.floor(lngToX(13.377) * 2 ** 14)}/${Math.floor(latToY(52.489) * 2 ** 14)}`;

beforeAll(() => {
  store = openStore(join(dir, "delete.sqlite3"));
  ingestFiles(store, [
    { name: "sample.gpx", bytes: fixture("sample.gpx"), key: "strava:1" },
    { name: "sample.tcx", bytes: fixture("sample.tcx"), key: "file:two" },
  ]);
  app = createApp({ store, upload: { ...DEFAULT_UPLOAD, token: "s3cret" }, tileCache: null });
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const request = (method: string, path: string, headers: Record<string, string> = {}) => app.handle(new Request(`http://localhost${path}`, { method, headers }));
const count = async () => (await (await request("GET", "/api/activity-count", { Accept: "application/json" })).json()).count;

describe("DELETE /api/activities/{key}", () => {
  test.each([
    ["no token", {}],
    ["a wrong token", { Authorization: "Bearer nope" }],
  ])("%s is a 401 and deletes nothing", async (_, headers) => {
    const res = await request("DELETE", "/api/activities/strava%3A1", headers);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("missing or wrong token");
    expect(await count()).toBe(2);
  });

  test("an unknown key is a 404 naming it", async () => {
    const res = await request("DELETE", "/api/activities/strava%3A999", { Authorization: "Bearer s3cret" });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('activity "strava:999" not found\n');
  });

  test("with the token: 204, the activity and its heat are gone at once", async () => {
    // Only strava:1 passes through this tile.
    const before = await request("GET", TILE);
    expect(before.status).toBe(200);
    const etag = before.headers.get("etag")!;
    expect((await request("DELETE", "/api/activities/strava%3A1", { Authorization: "Bearer s3cret" })).status).toBe(204);
    expect(await count()).toBe(1);
    expect((await request("GET", "/api/activities/strava%3A1.geojson")).status).toBe(404);
    expect((await request("GET", TILE, { "If-None-Match": etag })).status).toBe(204);
  });

  test("without --upload the path takes no DELETE: 405 naming the methods it takes, and nothing is removed", async () => {
    const readOnly = createApp({ store, tileCache: null });
    const before = store.activityCount();
    const response = await readOnly.handle(new Request("http://localhost/api/activities/file%3Atwo", { method: "DELETE" }));
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).not.toContain("DELETE");
    expect(store.activityCount()).toBe(before);
  });
});
