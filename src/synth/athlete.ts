/**
 * Who does what, when and with which device: the habits of one synthetic
 * athlete over ten years. Rides, runs, hikes and walks from home; commutes on
 * weekdays; long rides at weekends; more indoor riding in winter; a few trips
 * to other regions; a mix of devices and apps writing GPX, TCX and FIT.
 */
import type { FitOptions, GpxOptions, TcxOptions } from "./formats.ts";
import type { OutingSpec } from "./plan.ts";
import type { Random } from "./random.ts";
import { ALPS, FELLS, HOME, ISLAND, VIRTUAL, type RegionSpec } from "./regions.ts";
import type { Device, Movement } from "./record.ts";

/** Activity types as the Strava export's `Activity Type` column names them. */
export type ActivityType = "Ride" | "Run" | "Hike" | "Walk" | "Virtual Ride";
export type FileFormat = "gpx" | "tcx" | "fit";

export interface Kind {
  type: ActivityType;
  /** The type written into the file (GPX <type>; FIT and TCX derive their sport from it). */
  fileType: string;
  movement: Movement;
  /** Base speed on the flat (km/h). */
  speed: [number, number];
  outing: OutingSpec;
  commute?: boolean;
}

const RIDE: Kind = {
  type: "Ride",
  fileType: "Ride",
  movement: "ride",
  speed: [21, 31],
  outing: { profile: "ride", km: { min: 20, median: 50, max: 150 }, favourite: 0.55, trailhead: false, outAndBack: 0.05, climb: 0.25 },
};
const COMMUTE: Kind = { ...RIDE, speed: [18, 25], commute: true };
const RUN: Kind = {
  type: "Run",
  fileType: "Run",
  movement: "run",
  speed: [9.5, 13.5],
  outing: { profile: "foot", km: { min: 5, median: 9, max: 20 }, favourite: 0.65, trailhead: false, outAndBack: 0.2, climb: 0 },
};
const HIKE: Kind = {
  type: "Hike",
  fileType: "Hike",
  movement: "hike",
  speed: [3.5, 5.5],
  outing: { profile: "foot", km: { min: 6, median: 13, max: 28 }, favourite: 0.4, trailhead: true, outAndBack: 0.25, climb: 0.3 },
};
const WALK: Kind = {
  type: "Walk",
  fileType: "Walk",
  movement: "hike",
  speed: [4, 5.5],
  outing: { profile: "foot", km: { min: 2, median: 4, max: 8 }, favourite: 0.6, trailhead: false, outAndBack: 0.3, climb: 0 },
};
const VIRTUAL_RIDE: Kind = {
  type: "Virtual Ride",
  fileType: "VirtualRide",
  movement: "ride",
  speed: [25, 33],
  outing: { profile: "ride", km: { min: 15, median: 30, max: 70 }, favourite: 0.9, trailhead: false, outAndBack: 0, climb: 0.5 },
};

/** Mean distance per activity (km) with the home mix below, used to pace the calendar. */
export const MEAN_KM_PER_ACTIVITY = 26;

interface TripSpec {
  region: RegionSpec;
  days: [number, number];
  kinds: [Kind, number][];
  /** Hours from UTC of local time in summer. */
  utcOffset: number;
}

const TRIPS: TripSpec[] = [
  { region: ISLAND, days: [7, 10], kinds: [[RIDE, 0.85], [RUN, 0.15]], utcOffset: 2 },
  { region: ALPS, days: [6, 9], kinds: [[RIDE, 0.5], [HIKE, 0.4], [RUN, 0.1]], utcOffset: 2 },
  { region: FELLS, days: [5, 7], kinds: [[HIKE, 0.75], [RUN, 0.25]], utcOffset: 1 },
];

export interface Trip {
  spec: TripSpec;
  /** Share of the target distance done when the trip starts. */
  at: number;
  days: number;
}

/** Trips spread over the years: about one per 15,000 km, at most six. */
export function planTrips(targetKm: number, rng: Random): Trip[] {
  const count = Math.min(6, Math.max(1, Math.round(targetKm / 15000)));
  const trips: Trip[] = [];
  for (let i = 0; i < count; i++) {
    const spec = TRIPS[i % TRIPS.length];
    const at = (i + rng.range(0.2, 0.8)) / count;
    trips.push({ spec, at, days: spec.days[0] + rng.int(spec.days[1] - spec.days[0] + 1) });
  }
  return trips;
}

/** What to do on a day at home. */
export function homeKind(day: Date, rng: Random): Kind {
  const weekend = day.getUTCDay() === 0 || day.getUTCDay() === 6;
  const winter = [11, 0, 1].includes(day.getUTCMonth());
  const weights: [Kind, number][] = [
    [RIDE, (weekend ? 0.55 : 0.22) * (winter ? 0.6 : 1)],
    [COMMUTE, weekend ? 0 : 0.2 * (winter ? 0.7 : 1)],
    [RUN, 0.32],
    [HIKE, weekend ? 0.1 : 0.03],
    [WALK, 0.07],
    [VIRTUAL_RIDE, winter ? 0.08 : 0.015],
  ];
  return weights[rng.weighted(weights.map(([, w]) => w))][0];
}

export function tripKind(trip: Trip, rng: Random): Kind {
  const kinds = trip.spec.kinds;
  return kinds[rng.weighted(kinds.map(([, w]) => w))][0];
}

/** The region an activity of this kind happens in when at home. */
export function homeRegion(kind: Kind): RegionSpec {
  return kind === VIRTUAL_RIDE ? VIRTUAL : HOME;
}

/** Local start hour (fractional) by kind and weekday. */
export function startHour(kind: Kind, day: Date, rng: Random): number {
  const weekend = day.getUTCDay() === 0 || day.getUTCDay() === 6;
  if (kind.commute) return rng.chance(0.5) ? rng.range(6.8, 8.6) : rng.range(16.5, 18.8);
  if (kind.type === "Virtual Ride") return rng.range(17.5, 21);
  if (weekend || kind.type === "Hike") return rng.range(7.5, 11);
  return rng.pick([rng.range(6, 7.5), rng.range(12, 13), rng.range(17.5, 19.8)]);
}

/** Central European time: +2 h from the last Sunday of March to the last of October (close enough: April-October). */
export function utcOffset(day: Date, trip: Trip | null): number {
  const summer = day.getUTCMonth() >= 3 && day.getUTCMonth() <= 9;
  return (trip ? trip.spec.utcOffset : 2) - (summer ? 0 : 1);
}

/** Strava's default title: "Morning Ride", "Lunch Run", ...; sometimes a name the athlete typed. */
export function title(kind: Kind, localHour: number, rng: Random): string {
  if (rng.chance(0.12)) return rng.pick(CUSTOM_TITLES[kind.movement]);
  const part =
    localHour < 5 ? "Night" : localHour < 11 ? "Morning" : localHour < 14 ? "Lunch" : localHour < 18 ? "Afternoon" : localHour < 22 ? "Evening" : "Night";
  return `${part} ${kind.type}`;
}

// Names with the characters that break careless writers and parsers: &, quotes, <, non-ASCII, emoji.
const CUSTOM_TITLES: Record<Movement, string[]> = {
  ride: ["Coffee ride ☕", "Hill repeats", "Über den Kamm", "Gravel & forest roads", 'Ride with "the gang"', "Recovery spin", "<3 long summer day", "Kaffee & Kuchen"],
  run: ["Tempo run", "Long run", "Intervals 6×800 m", "Parkrun & back", "Easy run", "Run in the rain"],
  hike: ["Sunday hike", "Summit day ⛰️", "Hike with the kids", "Ridge walk", "Fog & sun"],
};

const DESCRIPTIONS = [
  "Windy, but worth it.",
  "Legs felt heavy, coffee helped.",
  'New tyres: "fast" they said,\nand they were right.',
  "Flat tyre at km 30, fixed in 10 min",
  "Sunrise over the plain.\nCold hands, warm heart.",
];

export function description(rng: Random): string {
  return rng.chance(0.1) ? rng.pick(DESCRIPTIONS) : "";
}

export interface DeviceChoice {
  format: FileFormat;
  gz: boolean;
  device: Device;
  gpx?: GpxOptions;
  tcx?: TcxOptions;
  fit?: FitOptions;
}

export interface FormatShares {
  gpx: number;
  tcx: number;
  fit: number;
  /** Share of all files gzipped. */
  gz: number;
}

export const DEFAULT_SHARES: FormatShares = { gpx: 0.5, tcx: 0.25, fit: 0.25, gz: 0.2 };

/**
 * A recording device and the file it leaves: phone apps write GPX every
 * second, mostly with GPS elevation; bike computers write FIT, often with
 * smart recording and a barometer; TCX comes from both.
 */
export function chooseDevice(kind: Kind, shares: FormatShares, rng: Random): DeviceChoice {
  const formats: FileFormat[] = ["gpx", "tcx", "fit"];
  const format = formats[rng.weighted(formats.map((f) => shares[f]))];
  const gz = rng.chance(shares.gz);
  const virtual = kind.type === "Virtual Ride";
  // Watches on long hikes save battery with smart recording more often.
  const everySecond = (format === "gpx" ? 0.5 : format === "tcx" ? 0.45 : 0.35) * (kind.movement === "hike" ? 0.5 : 1);
  const sampling = virtual || rng.chance(everySecond) ? "every" : "smart";
  const barometer = format === "fit" ? 0.85 : format === "tcx" ? 0.5 : 0.25;
  const autoPause = !virtual && rng.chance(0.5);
  const device: Device = {
    sampling,
    autoPause,
    splitOnPause: autoPause && format !== "fit" && rng.chance(0.3),
    gpsError: virtual ? 0 : rng.range(2, 4),
    elevation: rng.chance(barometer) ? "barometer" : format === "gpx" && rng.chance(0.07) ? "none" : "gps",
    spike: !virtual && rng.chance(0.12),
  };
  const choice: DeviceChoice = { format, gz, device };
  if (format === "gpx") {
    choice.gpx = { version: rng.chance(0.2) ? "1.0" : "1.1", bom: rng.chance(0.1), prefix: rng.chance(0.03) ? "gpx" : undefined };
  } else if (format === "tcx") {
    choice.tcx = { leadingWhitespace: rng.chance(0.15) ? rng.pick(["\n", "          ", "\r\n  "]) : "" };
  } else {
    choice.fit = { manufacturer: rng.pick(["garmin", "garmin", "garmin", "wahooFitness", "hammerhead"]) };
  }
  return choice;
}

/** Monthly mean temperature at home (°C), for the CSV's Average Temperature. */
export const MONTHLY_TEMPERATURE = [2, 4, 8, 12, 16, 19, 21, 20, 16, 11, 6, 3];

export const GEAR: Record<Movement, string[]> = {
  ride: ["Steel tourer", "Carbon racer", "Gravel bike", "Town bike"],
  run: ["Road shoes", "Trail shoes"],
  hike: ["Hiking boots", ""],
};
