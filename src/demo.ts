/**
 * The demo's data: the project's own generator (src/synth) with a fixed seed,
 * so every demo and every test that uses it sees the same rides, runs and
 * hikes on the same shared roads.
 *
 * The generated tracks go straight to track building and clipping with the
 * metadata a Strava export's activities.csv gives them, joined by the
 * importer's own CSV code. Writing them out as GPX/TCX/FIT files and parsing
 * them back would store the same lines, but costs about four times as long
 * (measured on 6,000 km: 2.3 s writing and 4 s parsing against 0.7 s for
 * tracks and tiles), and the demo should be up in a couple of seconds.
 */
import { existsSync } from "node:fs";
import { HotpotError } from "./errors.ts";
import { prepareOptionsFor } from "./import/ingest.ts";
import { readJoinTable } from "./import/join.ts";
import { prepareParsed } from "./import/prepare.ts";
import { openStore } from "./store.ts";
import { csvHeader, csvRow } from "./synth/csv.ts";
import { generateActivities, type ActivityType, type GenerateOptions } from "./synth/generate.ts";
import type { ActivityRecord } from "./types.ts";

/** About 270 activities over ten years, around 2 s to build. */
export const DEMO_DATA: GenerateOptions = { seed: 1, targetKm: 6000 };

/** Skipped like the parsers skip their files: a virtual ride happened nowhere. */
const VIRTUAL: ActivityType = "Virtual Ride";

/** Records per transaction: bounds the memory a batch of clipped tiles holds. */
const BATCH = 64;

export interface DemoSummary {
  /** Activities stored. */
  activities: number;
  /** Virtual rides left out. */
  virtual: number;
  /** Their total distance. */
  km: number;
  /** First and last start time (Unix ms). */
  from: number;
  to: number;
}

/**
 * Creates the database file at `path` (which must not hold one yet) filled
 * with the demo data, and closes it. The map page's browser tests and
 * `hotpot demo` both start from this.
 */
export function buildDemoStore(path: string, options: GenerateOptions = DEMO_DATA): DemoSummary {
  if (existsSync(path)) throw new HotpotError("bad_argument", `demo database ${path}: expected a new file, found one already there`);
  const activities = [...generateActivities(options)];
  const rows = readJoinTable(csvHeader() + activities.map((a) => csvRow(a.csv)).join(""), "the demo's activities.csv").rows;
  const store = openStore(path);
  const summary: DemoSummary = { activities: 0, virtual: 0, km: 0, from: Infinity, to: -Infinity };
  try {
    const prepare = prepareOptionsFor(store);
    let batch: ActivityRecord[] = [];
    for (const a of activities) {
      if (a.csv.type === VIRTUAL) {
        summary.virtual++;
        continue;
      }
      const row = rows.get(a.filename)!;
      const parsed = { title: a.title, startTime: a.startTime, properties: {}, segments: a.segments };
      const result = prepareParsed(parsed, { ...prepare, key: row.key, title: row.title, properties: row.properties });
      if (!result.ok) throw new Error(`demo activity ${a.filename}: ${result.reason}`);
      batch.push(result.record);
      summary.activities++;
      summary.km += a.csv.distance / 1000;
      summary.from = Math.min(summary.from, a.startTime);
      summary.to = Math.max(summary.to, a.startTime);
      if (batch.length === BATCH) {
        store.insertActivities(batch);
        batch = [];
      }
    }
    store.insertActivities(batch);
  } finally {
    store.close();
  }
  return summary;
}
