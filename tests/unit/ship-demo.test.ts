/**
 * src/demo.ts: the demo database, on a small sample of the same generator (the
 * full-size one is served by the executable in ship-executable.test.ts).
 */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDemoStore } from "../../src/demo.ts";
import { generateActivities, type GenerateOptions } from "../../src/synth/generate.ts";

const SMALL: GenerateOptions = { seed: 1, targetKm: 300 };
const dir = mkdtempSync(join(tmpdir(), "hotpot-demo-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ActivityRow {
  key: string;
  title: string | null;
  start_time: number;
  properties: string;
}

/** Everything stored but the import time: activities, then every tile's geometry, in a fixed order. */
function contents(path: string): { activities: ActivityRow[]; tiles: string } {
  const db = new Database(path, { readonly: true });
  try {
    const activities = db.query<ActivityRow, []>("SELECT key, title, start_time, json(properties) AS properties FROM activities ORDER BY key").all();
    const hasher = new Bun.CryptoHasher("sha256");
    for (const row of db.query<{ key: string; z: number; x: number; y: number; geometry: Uint8Array }, []>(
      "SELECT a.key, t.z, t.x, t.y, t.geometry FROM activity_tiles t JOIN activities a ON a.id = t.activity_id ORDER BY a.key, t.z, t.x, t.y",
    ).iterate()) {
      hasher.update(`${row.key} ${row.z}/${row.x}/${row.y} `).update(row.geometry);
    }
    return { activities, tiles: hasher.digest("hex") };
  } finally {
    db.close();
  }
}

describe("buildDemoStore", () => {
  const first = join(dir, "first.sqlite3");
  const summary = buildDemoStore(first, SMALL);
  const generated = [...generateActivities(SMALL)];
  const stored = contents(first).activities;

  test("stores every generated activity but the virtual rides, keyed by Strava id", () => {
    const real = generated.filter((a) => a.csv.type !== "Virtual Ride");
    expect(summary.virtual).toBe(generated.length - real.length);
    expect(summary.virtual).toBeGreaterThan(0);
    expect(summary.activities).toBe(real.length);
    expect(stored.map((a) => a.key)).toEqual(real.map((a) => `strava:${a.id}`).sort());
    expect(summary.km).toBeCloseTo(real.reduce((km, a) => km + a.csv.distance / 1000, 0), 6);
  });

  test("gives each the title, start time and properties its activities.csv row has", () => {
    const byKey = new Map(stored.map((a) => [a.key, a]));
    for (const a of generated.filter((g) => g.csv.type !== "Virtual Ride")) {
      const row = byKey.get(`strava:${a.id}`)!;
      expect({ title: row.title, start: row.start_time }).toEqual({ title: a.csv.title, start: a.startTime });
      expect(JSON.parse(row.properties)).toMatchObject({ activity_id: a.id, activity_name: a.csv.title, activity_type: a.csv.type, commute: a.csv.commute });
    }
  });

  test("is deterministic: a second build stores the same activities and tiles", () => {
    const second = join(dir, "second.sqlite3");
    expect(buildDemoStore(second, SMALL)).toEqual(summary);
    expect(contents(second)).toEqual(contents(first));
  });

  test("refuses a path that already holds a file", () => {
    const taken = join(dir, "taken.sqlite3");
    writeFileSync(taken, "");
    expect(() => buildDemoStore(taken, SMALL)).toThrow(`demo database ${taken}: expected a new file, found one already there`);
  });
});
