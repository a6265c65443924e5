/**
 * buildTrack + clipTrack throughput and stored bytes per input point, on the seeded synthetic data set.
 *
 *   bun run bench clip [km=3000]
 *
 * Activities come from src/synth (1 s and smart sampling, drifting GPS error,
 * spikes, pauses), in memory. Storage is compared with each activity's own
 * uncompressed file; rows are charged ROW_OVERHEAD_BYTES on top of their blob.
 * Throughput is the best of a few passes, once over all activities and once
 * over one 100k-point track made of consecutive activities' segments.
 */
import { clipTrack } from "../../src/clip.ts";
import { DEFAULT_CONFIG } from "../../src/store.ts";
import { activityFile, generateActivities, type GeneratedActivity } from "../../src/synth/generate.ts";
import { buildTrack } from "../../src/track.ts";
import type { ParsedActivity } from "../../src/types.ts";

const { zoom_levels: ZOOMS, tile_extent: EXTENT } = DEFAULT_CONFIG;
/**
 * What an activity_tiles row costs besides its blob, measured on a vacuumed
 * store of 4,000 rows: key columns, cell header, the activity index entry, page slack.
 */
const ROW_OVERHEAD_BYTES = 48;
const PASSES = 5;

interface Tally {
  activities: number;
  points: number;
  rawBytes: number;
  blobBytes: number;
  rows: number;
  perZoom: Map<number, number>;
}

const tally = (): Tally => ({ activities: 0, points: 0, rawBytes: 0, blobBytes: 0, rows: 0, perZoom: new Map() });

const parsed = (a: GeneratedActivity): ParsedActivity => ({ properties: {}, segments: a.segments });

function measure(a: GeneratedActivity, into: Tally[]): void {
  const built = buildTrack(parsed(a), { trimDist: 0 });
  if (built === null) return;
  const tiles = clipTrack(built.track, ZOOMS, EXTENT);
  const raw = activityFile(a).raw.length;
  for (const t of into) {
    t.activities++;
    t.points += a.points;
    t.rawBytes += raw;
    t.rows += tiles.length;
    for (const g of tiles) {
      t.blobBytes += g.geometry.length;
      t.perZoom.set(g.z, (t.perZoom.get(g.z) ?? 0) + g.geometry.length);
    }
  }
}

function printTally(label: string, t: Tally): void {
  const stored = t.blobBytes + t.rows * ROW_OVERHEAD_BYTES;
  const zooms = ZOOMS.map((z) => `z${z} ${((t.perZoom.get(z) ?? 0) / t.points).toFixed(2)}`).join(", ");
  console.log(
    `${label.padEnd(14)} ${String(t.activities).padStart(4)} activities ${String(t.points).padStart(8)} points ` +
      `${(t.rawBytes / t.points).toFixed(0).padStart(4)} B/point raw | blobs ${(t.blobBytes / t.points).toFixed(2)} B/point ` +
      `(${zooms}) | ${(t.rows / t.activities).toFixed(0)} rows/activity | with rows ${(stored / t.points).toFixed(2)} B/point ` +
      `= ${((100 * stored) / t.rawBytes).toFixed(1)}% of raw`,
  );
}

function timePasses(label: string, activities: ParsedActivity[], points: number): void {
  const run = () => {
    for (const a of activities) {
      const built = buildTrack(a, { trimDist: 0 });
      if (built) clipTrack(built.track, ZOOMS, EXTENT);
    }
  };
  run(); // warm up the JIT
  const times: number[] = [];
  for (let i = 0; i < PASSES; i++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  times.sort((x, y) => x - y);
  const rate = (ms: number) => ((points / ms) * 1000) / 1e6;
  console.log(
    `${label}: ${points} points, buildTrack+clipTrack best ${rate(times[0]).toFixed(2)} M points/s, ` +
      `median ${rate(times[PASSES >> 1]).toFixed(2)} M points/s (${times[0].toFixed(0)}-${times[PASSES - 1].toFixed(0)} ms)`,
  );
}

const km = Number(process.argv[2] ?? 3000);
const activities = [...generateActivities({ seed: 1, targetKm: km })].filter((a) => !/^virtual/i.test(a.type));

const all = tally();
const groups = new Map<string, Tally>();
for (const a of activities) {
  const key = `${a.format} ${a.file.device.sampling === "every" ? "1 s" : "smart"}`;
  if (!groups.has(key)) groups.set(key, tally());
  measure(a, [all, groups.get(key) as Tally]);
}
console.log(`zoom levels ${ZOOMS.join(",")}, extent ${EXTENT}, ${km} km of synthetic activities (seed 1)`);
for (const [key, t] of [...groups].sort()) printTally(key, t);
printTally("all", all);

timePasses("all activities", activities.map(parsed), all.points);
const long: ParsedActivity = { properties: {}, segments: [] };
let longPoints = 0;
for (const a of activities) {
  if (longPoints >= 100_000) break;
  long.segments.push(...a.segments);
  longPoints += a.points;
}
timePasses("one 100k-point track", [long], longPoints);
