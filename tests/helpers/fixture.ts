/**
 * A small, exactly known data set for the near query and the browser tests:
 * straight tracks around Zurich whose crossings and gaps are easy to aim at.
 *
 *            47.395  C (hike, 2022) ───────────────
 *                          │ B (run, 2023)
 *            47.370  A ────┼──────────────────── (ride, 2024)
 *                          │
 *                        8.530
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ingestFiles, type IngestResult } from "../../src/import/ingest.ts";
import { openStore, type Store } from "../../src/store.ts";
import { writeGpx } from "../../src/synth/formats.ts";

export interface Line {
  name: string;
  title: string;
  type: string;
  /** YYYY-MM-DD, started at 07:00 UTC. */
  date: string;
  from: [lat: number, lng: number];
  to: [lat: number, lng: number];
}

export const LINES: Line[] = [
  { name: "a-ride.gpx", title: "Morning ride", type: "ride", date: "2024-05-01", from: [47.37, 8.5], to: [47.37, 8.56] },
  { name: "b-run.gpx", title: "Lunch run", type: "run", date: "2023-07-10", from: [47.35, 8.53], to: [47.39, 8.53] },
  { name: "c-hike.gpx", title: "Evening hike", type: "hike", date: "2022-09-03", from: [47.395, 8.51], to: [47.395, 8.555] },
];

/** The crossing of A and B, and points on one track only. */
export const CROSSING = { lat: 47.37, lng: 8.53 };
export const ON_A_ONLY = { lat: 47.37, lng: 8.545 };

/** A GPX of a straight line at about 18 km/h, a point every 5 s, so cleaning keeps all of it. */
export function lineGpx(line: Line): Uint8Array {
  const start = Date.parse(`${line.date}T07:00:00Z`);
  const metres = Math.hypot((line.to[0] - line.from[0]) * 111_320, (line.to[1] - line.from[1]) * 111_320 * Math.cos((line.from[0] * Math.PI) / 180));
  const n = Math.max(2, Math.round(metres / 25) + 1);
  const seg = { lat: [] as number[], lon: [] as number[], ele: [] as number[], time: [] as number[] };
  for (let i = 0; i < n; i++) {
    const t = i / (n - 1);
    seg.lat.push(line.from[0] + (line.to[0] - line.from[0]) * t);
    seg.lon.push(line.from[1] + (line.to[1] - line.from[1]) * t);
    seg.ele.push(400);
    seg.time.push(start + i * 5000);
  }
  return new TextEncoder().encode(writeGpx({ title: line.title, type: line.type, startTime: start, segments: [seg] }));
}

/** A fresh database file under the OS temp folder holding LINES; `cleanup()` removes it. */
export function fixtureDatabase(): { dir: string; path: string; store: Store; results: IngestResult[]; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "hotpot-page-"));
  const path = join(dir, "hotpot.sqlite3");
  const store = openStore(path);
  const results = ingestFiles(store, LINES.map((l) => ({ name: l.name, bytes: lineGpx(l) })));
  return {
    dir,
    path,
    store,
    results,
    cleanup: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A real activity file from tests/fixtures/activities. */
export const fixtureFile = (name: string) => new Uint8Array(readFileSync(join(import.meta.dir, "../fixtures/activities", name)));
