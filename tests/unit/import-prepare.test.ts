import { describe, expect, test } from "bun:test";
import { gzipSync, strToU8 } from "fflate";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileHash, prepareActivity, type PrepareOptions } from "../../src/import/prepare.ts";
import { writeGpx } from "../../src/synth/formats.ts";
import { timelessGpx, walkActivity } from "../fixtures/import/synth.ts";

const fixture = (name: string) => new Uint8Array(readFileSync(join(import.meta.dir, "../fixtures/activities", name)));
const OPTIONS: PrepareOptions = { zoomLevels: [2, 6, 10, 14, 16], tileExtent: 2048, trimDist: 0, maxFileBytes: 64 * 1024 * 1024 };
const gpx = strToU8(writeGpx(walkActivity(1, 400)));

function ok(name: string, bytes: Uint8Array, options: Partial<PrepareOptions> = {}) {
  const r = prepareActivity(name, bytes, { ...OPTIONS, ...options });
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r)}`);
  return r;
}

describe("prepareActivity", () => {
  test("key and hash: sha256 of the decompressed bytes, 32 hex digits; .gz is the same activity", () => {
    const plain = ok("ride.gpx", gpx);
    const hash = new Bun.CryptoHasher("sha256").update(gpx).digest("hex").slice(0, 32);
    expect(plain.record.fileHash).toBe(hash);
    expect(plain.record.key).toBe(`file:${hash}`);
    expect(fileHash(gpx)).toBe(hash);
    const gz = ok("Ride.GPX.gz", gzipSync(gpx));
    expect(gz.record.key).toBe(plain.record.key);
  });

  test("points counted, tiles at every stored zoom, stats computed", () => {
    const r = ok("ride.gpx", gpx);
    expect(r.points).toBe(400);
    expect(new Set(r.record.tiles.map((t) => t.z))).toEqual(new Set([2, 6, 10, 14, 16]));
    expect(r.record.properties.total_distance).toBeGreaterThan(2);
    expect(r.record.title).toBe("walk 1");
    expect(r.record.startTime).toBe(walkActivity(1).startTime);
    const fewer = ok("ride.gpx", gpx, { zoomLevels: [10] });
    expect(new Set(fewer.record.tiles.map((t) => t.z))).toEqual(new Set([10]));
  });

  test("CSV or API values: key, title; properties over the file's, stats over both; start time only when the file has none", () => {
    const r = ok("ride.gpx", gpx, {
      key: "strava:42",
      title: "From the CSV",
      startTime: 5,
      properties: { activity_type: "Gravel Ride", total_distance: 999, gear: "Canyon" },
    });
    expect(r.record.key).toBe("strava:42");
    expect(r.record.title).toBe("From the CSV");
    expect(r.record.startTime).toBe(walkActivity(1).startTime);
    expect(r.record.properties.activity_type).toBe("Gravel Ride");
    expect(r.record.properties.gear).toBe("Canyon");
    expect(r.record.properties.total_distance).not.toBe(999);
    const timeless = ok("ride.gpx", strToU8(timelessGpx(2)), { startTime: 1234 });
    expect(timeless.record.startTime).toBe(1234);
  });

  test("a known hash is skipped before parsing (even a broken file)", () => {
    const broken = fixture("corrupted.gpx");
    const r = prepareActivity("x.gpx", broken, { ...OPTIONS, isKnown: (h) => h === fileHash(broken) });
    expect(r).toEqual({ ok: false, status: "skipped", reason: "already_stored" });
  });

  test("a virtual type from a CSV or API skips the file", () => {
    expect(prepareActivity("ride.gpx", gpx, { ...OPTIONS, properties: { activity_type: "Virtual Ride" } })).toMatchObject({ ok: false, status: "skipped", reason: "virtual" });
    expect(prepareActivity("ride.gpx", gpx, { ...OPTIONS, properties: { activity_type: "VirtualRun" } })).toMatchObject({ reason: "virtual" });
    expect(prepareActivity("ride.gpx", gpx, { ...OPTIONS, properties: { activity_type: "Ride" } }).ok).toBe(true);
  });

  test.each([
    ["notes.txt", strToU8("hi"), "skipped", "unsupported"],
    ["no_track_data.tcx", fixture("no_track_data.tcx"), "skipped", "no_track_data"],
    ["zwift.gpx", strToU8(writeGpx(walkActivity(3, 50, { type: "VirtualRide" }))), "skipped", "virtual"],
  ])("%s: %s (%s)", (name, bytes, status, reason) => {
    expect(prepareActivity(name, bytes, OPTIONS)).toMatchObject({ ok: false, status, reason });
  });

  test.each([
    ["corrupted.gpx", fixture("corrupted.gpx")],
    ["not-gzip.gpx.gz", strToU8("plain text")],
    ["empty.fit", new Uint8Array(0)],
  ])("%s is an error with a reason", (name, bytes) => {
    const r = prepareActivity(name, bytes, OPTIONS);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.status).toBe("error");
      expect(r.reason.length).toBeGreaterThan(5);
    }
  });
});
