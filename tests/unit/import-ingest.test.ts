import { expect, test } from "bun:test";
import { strToU8 } from "fflate";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ingestFiles } from "../../src/import/ingest.ts";
import { openStore } from "../../src/store.ts";
import { writeGpx } from "../../src/synth/formats.ts";
import { walkActivity } from "../fixtures/import/synth.ts";
import { sqlOf } from "../helpers/sql.ts";

const fixture = (name: string) => new Uint8Array(readFileSync(join(import.meta.dir, "../fixtures/activities", name)));

test("each file added, duplicate, skipped or failed on its own", () => {
  const store = openStore(":memory:");
  const ride = strToU8(writeGpx(walkActivity(1)));
  const results = ingestFiles(store, [
    { name: "ride.gpx", bytes: ride },
    { name: "renamed copy.gpx", bytes: ride },
    { name: "sample.fit", bytes: fixture("sample.fit"), key: "strava:7", title: "Long ride", properties: { gear: "Canyon" } },
    { name: "no_track_data.tcx", bytes: fixture("no_track_data.tcx") },
    { name: "corrupted.gpx", bytes: fixture("corrupted.gpx") },
    { name: "again.fit", bytes: new Uint8Array(0), key: "strava:7" },
  ]);
  expect(results.map(({ name, status }) => [name, status])).toEqual([
    ["ride.gpx", "added"],
    ["renamed copy.gpx", "duplicate"],
    ["sample.fit", "added"],
    ["no_track_data.tcx", "skipped"],
    ["corrupted.gpx", "error"],
    ["again.fit", "duplicate"],
  ]);
  expect(results[0].key).toMatch(/^file:[0-9a-f]{32}$/);
  expect(results[3].reason).toBe("no_track_data");
  expect(results[4].reason).toMatch(/\S/);
  expect(store.activityCount()).toBe(2);
  const row = sqlOf(store).query("SELECT title, properties ->> '$.gear' AS gear FROM activities WHERE key = 'strava:7'").get();
  expect(row).toEqual({ title: "Long ride", gear: "Canyon" });
});

test("uses the store's trim_dist and zoom levels", () => {
  const bytes = strToU8(writeGpx(walkActivity(2)));
  const tiles = (trim: number, zooms: number[]) => {
    const store = openStore(":memory:");
    store.setConfig("trim_dist", trim);
    store.setConfig("zoom_levels", zooms);
    ingestFiles(store, [{ name: "a.gpx", bytes }]);
    return sqlOf(store).query("SELECT z, sum(length(geometry)) AS bytes FROM activity_tiles GROUP BY z").all() as { z: number; bytes: number }[];
  };
  const full = tiles(0, [10, 16]);
  expect(full.map((r) => r.z)).toEqual([10, 16]);
  const trimmed = tiles(800, [10, 16]);
  expect(trimmed[1].bytes).toBeLessThan(full[1].bytes);
});
