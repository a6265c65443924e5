/**
 * The seeded synthetic data set: years of rides, runs and hikes on shared
 * roads, laid out like a Strava bulk export (`activities/<id>.<ext>[.gz]` plus
 * `activities.csv`). The same seed gives the same bytes.
 *
 *   calendar (athlete) → route (plan, network) → recording (record) → file (formats) → export (csv)
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  chooseDevice,
  DEFAULT_SHARES,
  description,
  GEAR,
  homeKind,
  homeRegion,
  MONTHLY_TEMPERATURE,
  planTrips,
  startHour,
  title,
  tripKind,
  utcOffset,
  type DeviceChoice,
  type FileFormat,
  type FormatShares,
  type Kind,
  type Trip,
} from "./athlete.ts";
import { csvHeader, csvRow, type CsvActivity } from "./csv.ts";
import { writeFit, writeGpx, writeTcx, type SynthActivity } from "./formats.ts";
import { buildNetwork } from "./network.ts";
import { Planner } from "./plan.ts";
import { Random } from "./random.ts";
import { planStops, record } from "./record.ts";
import type { RegionSpec } from "./regions.ts";
import type { Route } from "./route.ts";
import { RealismCollector, type Realism } from "./stats.ts";

export type { ActivityType, FileFormat, FormatShares } from "./athlete.ts";

/** Bumped whenever the output for a given seed changes, so cached data sets are regenerated. */
export const GENERATOR_VERSION = 4;

export interface GenerateOptions {
  seed: number;
  /** Total distance to generate (km), met within a few percent. */
  targetKm: number;
  /** First calendar year (default 2015); activities spread over `years` years (default 10). */
  startYear?: number;
  years?: number;
  /** Shares of GPX/TCX/FIT and of gzipped files (default 50/25/25 %, 20 % gzipped). */
  formats?: Partial<FormatShares>;
  /** Holidays in other regions, so the map has several clusters (default true). */
  trips?: boolean;
}

/** One generated activity: the file's content plus what the export's CSV says about it. */
export interface GeneratedActivity extends SynthActivity {
  /** Strava activity ID. */
  id: number;
  /** Path in the export, e.g. "activities/1300007.fit.gz". */
  filename: string;
  format: FileFormat;
  gz: boolean;
  /** Writer options (GPX version, BOM, ...). */
  file: DeviceChoice;
  region: string;
  points: number;
  csv: CsvActivity;
}

const DAY_MS = 86_400_000;

/**
 * Activities in calendar order until `targetKm` is reached, built in memory
 * (nothing touches the disk), so a demo can fill a database directly.
 */
export function* generateActivities(options: GenerateOptions): Generator<GeneratedActivity> {
  const { seed, targetKm } = options;
  const shares = { ...DEFAULT_SHARES, ...options.formats };
  const years = options.years ?? 10;
  const firstDay = Date.UTC(options.startYear ?? 2015, 0, 1) / DAY_MS;
  const spanDays = Math.round(years * 365.25);
  const world = new Random(seed);
  const calendar = world.fork("calendar");
  const trips = options.trips === false ? [] : planTrips(targetKm, world.fork("trips"));
  const planners = new Map<RegionSpec, Planner>();
  const plannerFor = (region: RegionSpec) => {
    let p = planners.get(region);
    if (!p) {
      p = new Planner(buildNetwork(region, world.fork(region.name)), world.fork(`${region.name}-plan`));
      planners.set(region, p);
    }
    return p;
  };

  let km = 0;
  let day = firstDay;
  let busyUntil = 0;
  let id = 1_200_000_000 + calendar.int(50_000_000);
  let trip: { trip: Trip; day: number; start: number } | null = null;
  let nextTrip = 0;
  for (let index = 0; targetKm - km > Math.max(1, targetKm * 0.005); index++) {
    const rng = world.fork(`activity-${index}`);
    const done = km / targetKm;
    if (!trip && nextTrip < trips.length && done >= trips[nextTrip].at) {
      trip = { trip: trips[nextTrip++], day: 0, start: day + 1 };
    }
    if (trip) {
      day = trip.start + trip.day++;
    } else {
      day = Math.max(day, firstDay + Math.floor(done * spanDays));
    }
    const date = new Date(day * DAY_MS);
    const kind = trip ? tripKind(trip.trip, calendar) : homeKind(date, calendar);
    const region = trip ? trip.trip.spec.region : homeRegion(kind);
    const offset = utcOffset(date, trip?.trip ?? null);
    if (trip && trip.day >= trip.trip.days) trip = null;

    const planner = plannerFor(region);
    const remaining = (targetKm - km) * 1000;
    let route: Route;
    if (kind.commute) {
      route = planner.commute(rng.chance(0.5));
    } else {
      // Near the end, aim straight at what is left so the total lands on target.
      const wanted = planner.distance(kind.outing, rng);
      const spec = remaining < 2 * wanted ? { ...kind.outing, favourite: 0 } : kind.outing;
      route = planner.outing(spec, Math.min(wanted, remaining), rng);
    }
    if (route.length < 500) continue; // a degenerate plan; the next index tries again

    const hour = startHour(kind, date, calendar);
    let startTime = day * DAY_MS + Math.round((hour - offset) * 3600) * 1000;
    // One thing at a time: an activity starting before the last one ended moves to the next day.
    while (startTime < busyUntil) {
      startTime += DAY_MS;
      day++;
    }
    const choice = chooseDevice(kind, shares, rng);
    const speed = rng.range(kind.speed[0], kind.speed[1]) / 3.6;
    const stops = kind.type === "Virtual Ride" ? [] : planStops(route, kind.movement, rng);
    const rec = record(route, region, kind.movement, speed, stops, choice.device, startTime, rng);

    id += 1_000_000 + calendar.int(4_000_000);
    const uploadId = Math.round(id * 1.08) + calendar.int(1000);
    const filename = `activities/${uploadId}.${choice.format}${choice.gz ? ".gz" : ""}`;
    const name = title(kind, hour, rng);
    km += route.length / 1000;
    busyUntil = startTime + rec.elapsed * 1000 + 1_800_000;
    yield {
      title: name,
      type: kind.fileType,
      startTime,
      segments: rec.segments,
      id,
      filename,
      format: choice.format,
      gz: choice.gz,
      file: choice,
      region: region.name,
      points: rec.points,
      csv: csvFacts(kind, choice, route, rec, { id, startTime, title: name, filename, month: date.getUTCMonth() }, rng),
    };
  }
}

function csvFacts(
  kind: Kind,
  choice: DeviceChoice,
  route: Route,
  rec: { elapsed: number; moving: number; maxSpeed: number },
  base: { id: number; startTime: number; title: string; filename: string; month: number },
  rng: Random,
): CsvActivity {
  let gain = 0;
  let loss = 0;
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < route.z.length; i++) {
    const z = route.z[i];
    if (i > 0) {
      const d = z - route.z[i - 1];
      if (d > 0) gain += d;
      else loss -= d;
    }
    low = Math.min(low, z);
    high = Math.max(high, z);
  }
  const heart = rng.chance(0.6);
  const maxHeartRate = heart ? 150 + rng.int(40) : null;
  const averageHeartRate = maxHeartRate === null ? null : maxHeartRate - 20 - rng.int(15);
  const hours = rec.moving / 3600;
  const calories = kind.movement === "ride" ? hours * 550 : kind.movement === "run" ? (route.length / 1000) * 70 : hours * 300;
  return {
    ...base,
    type: kind.type,
    description: description(rng),
    elapsed: rec.elapsed,
    moving: rec.moving,
    distance: route.length,
    maxSpeed: rec.maxSpeed,
    elevationGain: gain,
    elevationLoss: loss,
    elevationLow: low,
    elevationHigh: high,
    commute: kind.commute === true,
    gear: rng.pick(GEAR[kind.movement]),
    maxHeartRate,
    averageHeartRate,
    relativeEffort: averageHeartRate === null ? null : Math.round(hours * (averageHeartRate - 95) * 1.2),
    calories,
    averageTemperature:
      choice.format === "fit" && rng.chance(0.8) ? Math.round((MONTHLY_TEMPERATURE[base.month] + 3 * rng.normal()) * 10) / 10 : null,
  };
}

/** The file of a generated activity: its uncompressed bytes and the bytes as stored (gzipped or not). */
export function activityFile(a: GeneratedActivity): { name: string; raw: Uint8Array; bytes: Uint8Array } {
  const raw =
    a.format === "fit"
      ? writeFit(a, a.file.fit)
      : new TextEncoder().encode(a.format === "gpx" ? writeGpx(a, a.file.gpx) : writeTcx(a, a.file.tcx));
  return { name: a.filename, raw, bytes: a.gz ? Bun.gzipSync(raw as Uint8Array<ArrayBuffer>) : raw };
}

export interface FormatSummary {
  files: number;
  gz: number;
  points: number;
  km: number;
  /** Uncompressed bytes. */
  rawBytes: number;
  /** Bytes on disk (gzipped where gzipped). */
  diskBytes: number;
}

export interface DatasetSummary {
  generator: number;
  seed: number;
  targetKm: number;
  /** Rows of activities.csv (file rows, manual rows). */
  rows: number;
  /** Activity files written. */
  files: number;
  /** CSV rows without a file name (manual activities). */
  manual: number;
  /** CSV rows whose file was deliberately not written. */
  missing: number;
  /** Over the files written. */
  totalKm: number;
  points: number;
  rawBytes: number;
  diskBytes: number;
  byFormat: Record<FileFormat, FormatSummary>;
  realism: Realism;
}

/**
 * Writes a Strava-export-like folder: `activities/<id>.<ext>[.gz]`, and
 * `activities.csv` with one row per file, a few manual activities (empty
 * file name) and one row whose file is missing, as real exports have.
 */
export async function generateDataset(
  options: GenerateOptions & { outDir: string; onProgress?: (km: number, targetKm: number) => void },
): Promise<DatasetSummary> {
  mkdirSync(join(options.outDir, "activities"), { recursive: true });
  const extra = new Random(options.seed).fork("export");
  // Every activity is at most 150 km, so there are more than targetKm / 300 of them.
  const missingIndex = Math.max(1, Math.floor(options.targetKm / 300));
  const emptyFormat = (): FormatSummary => ({ files: 0, gz: 0, points: 0, km: 0, rawBytes: 0, diskBytes: 0 });
  const byFormat: Record<FileFormat, FormatSummary> = { gpx: emptyFormat(), tcx: emptyFormat(), fit: emptyFormat() };
  const realism = new RealismCollector();
  const rows = [csvHeader()];
  let manual = 0;
  let missing = 0;
  let index = 0;
  let km = 0;
  for (const a of generateActivities(options)) {
    rows.push(csvRow(a.csv));
    realism.add({ type: a.csv.type, region: a.region, segments: a.segments, distance: a.csv.distance, elapsed: a.csv.elapsed, moving: a.csv.moving });
    km += a.csv.distance / 1000;
    options.onProgress?.(km, options.targetKm);
    if (index++ === missingIndex) {
      missing++;
    } else {
      const file = activityFile(a);
      await Bun.write(join(options.outDir, file.name), file.bytes);
      const f = byFormat[a.format];
      f.files++;
      f.gz += a.gz ? 1 : 0;
      f.points += a.points;
      f.km += a.csv.distance / 1000;
      f.rawBytes += file.raw.length;
      f.diskBytes += file.bytes.length;
    }
    if (extra.chance(0.01)) {
      rows.push(csvRow(manualActivity(a.id + 1 + extra.int(1000), a.startTime + DAY_MS, extra)));
      manual++;
    }
  }
  await Bun.write(join(options.outDir, "activities.csv"), rows.join(""));

  const formats = Object.values(byFormat);
  const sum = (pick: (f: FormatSummary) => number) => formats.reduce((s, f) => s + pick(f), 0);
  for (const f of formats) f.km = Math.round(f.km * 10) / 10;
  return {
    generator: GENERATOR_VERSION,
    seed: options.seed,
    targetKm: options.targetKm,
    rows: rows.length - 1,
    files: sum((f) => f.files),
    manual,
    missing,
    totalKm: Math.round(sum((f) => f.km) * 10) / 10,
    points: sum((f) => f.points),
    rawBytes: sum((f) => f.rawBytes),
    diskBytes: sum((f) => f.diskBytes),
    byFormat,
    realism: realism.result(),
  };
}

/** A manual entry: a gym session or a ride typed in by hand, with no file. */
function manualActivity(id: number, startTime: number, rng: Random): CsvActivity {
  const ride = rng.chance(0.5);
  const elapsed = ride ? rng.range(3600, 7200) : rng.range(1800, 4200);
  return {
    id,
    startTime,
    title: ride ? "Ride (forgot the computer)" : "Weight Training",
    type: ride ? "Ride" : "Weight Training",
    description: "",
    elapsed,
    moving: elapsed,
    distance: ride ? Math.round((elapsed / 3600) * 25_000) : 0,
    maxSpeed: 0,
    elevationGain: 0,
    elevationLoss: 0,
    elevationLow: 0,
    elevationHigh: 0,
    commute: false,
    gear: "",
    filename: "",
    maxHeartRate: null,
    averageHeartRate: null,
    relativeEffort: null,
    calories: Math.round(elapsed / 10),
    averageTemperature: null,
  };
}
