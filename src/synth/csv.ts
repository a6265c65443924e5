/**
 * The `activities.csv` of a Strava bulk export: Strava's column names in its
 * order, including the ones it repeats (the first `Elapsed Time`/`Distance`
 * are whole seconds and km as shown on the site, the second ones raw seconds
 * and metres), dates like `Jan 2, 2021, 7:03:11 AM` (UTC), and quoted fields
 * that hold commas, quotes and newlines.
 */

/** One CSV row's facts; `filename` is "" for a manual activity. */
export interface CsvActivity {
  id: number;
  startTime: number;
  title: string;
  type: string;
  description: string;
  /** Seconds. */
  elapsed: number;
  moving: number;
  /** Metres. */
  distance: number;
  /** m/s. */
  maxSpeed: number;
  elevationGain: number;
  elevationLoss: number;
  elevationLow: number;
  elevationHigh: number;
  commute: boolean;
  gear: string;
  filename: string;
  maxHeartRate: number | null;
  averageHeartRate: number | null;
  relativeEffort: number | null;
  calories: number;
  averageTemperature: number | null;
}

type Cell = string | number | boolean | null;

const fixed = (digits: number) => (v: number | null) => (v === null ? "" : v.toFixed(digits));
const one = fixed(1);

/** Columns in the export's order; repeated headers appear twice on purpose. */
const COLUMNS: [string, (a: CsvActivity) => Cell][] = [
  ["Activity ID", (a) => a.id],
  ["Activity Date", (a) => stravaDate(a.startTime)],
  ["Activity Name", (a) => a.title],
  ["Activity Type", (a) => a.type],
  ["Activity Description", (a) => a.description],
  ["Elapsed Time", (a) => Math.round(a.elapsed)],
  ["Distance", (a) => (a.distance / 1000).toFixed(2)],
  ["Max Heart Rate", (a) => one(a.maxHeartRate)],
  ["Relative Effort", (a) => one(a.relativeEffort)],
  ["Commute", (a) => a.commute],
  ["Activity Private Note", () => ""],
  ["Activity Gear", (a) => a.gear],
  ["Filename", (a) => a.filename],
  ["Athlete Weight", () => "72.0"],
  ["Bike Weight", (a) => (a.type.includes("Ride") ? "8.6" : "")],
  ["Elapsed Time", (a) => one(a.elapsed)],
  ["Moving Time", (a) => one(a.moving)],
  ["Distance", (a) => one(a.distance)],
  ["Max Speed", (a) => a.maxSpeed.toFixed(3)],
  ["Average Speed", (a) => (a.moving > 0 ? (a.distance / a.moving).toFixed(3) : "")],
  ["Elevation Gain", (a) => one(a.elevationGain)],
  ["Elevation Loss", (a) => one(a.elevationLoss)],
  ["Elevation Low", (a) => one(a.elevationLow)],
  ["Elevation High", (a) => one(a.elevationHigh)],
  ["Max Grade", () => ""],
  ["Average Grade", () => ""],
  ["Max Cadence", () => ""],
  ["Average Cadence", () => ""],
  ["Max Heart Rate", (a) => one(a.maxHeartRate)],
  ["Average Heart Rate", (a) => one(a.averageHeartRate)],
  ["Max Watts", () => ""],
  ["Average Watts", () => ""],
  ["Calories", (a) => one(a.calories)],
  ["Max Temperature", (a) => (a.averageTemperature === null ? "" : one(a.averageTemperature + 3))],
  ["Average Temperature", (a) => one(a.averageTemperature)],
  ["Relative Effort", (a) => one(a.relativeEffort)],
  ["Total Work", () => ""],
  ["Perceived Exertion", () => ""],
  ["Weighted Average Power", () => ""],
  ["Power Count", () => ""],
  ["Prefer Perceived Exertion", () => "0.0"],
  ["Perceived Relative Effort", () => ""],
  ["Commute", (a) => (a.commute ? "1.0" : "0.0")],
  ["From Upload", (a) => (a.filename ? "1.0" : "0.0")],
  ["Grade Adjusted Distance", () => ""],
  ["Bike", () => ""],
  ["Gear", () => ""],
  ["Flagged", () => "0.0"],
  ["Average Elapsed Speed", (a) => (a.elapsed > 0 ? (a.distance / a.elapsed).toFixed(3) : "")],
  ["Dirt Distance", () => ""],
  ["Newly Explored Distance", () => ""],
  ["Activity Count", () => ""],
  ["Total Steps", () => ""],
  ["Media", () => ""],
];

export const CSV_HEADERS: readonly string[] = COLUMNS.map(([name]) => name);

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `Jan 2, 2021, 7:03:11 AM`, in UTC as Strava writes it. */
export function stravaDate(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, "0");
  const clock = `${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? "AM" : "PM"}`;
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${clock}`;
}

function quote(cell: Cell): string {
  const text = cell === null ? "" : String(cell);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return CSV_HEADERS.map(quote).join(",") + "\n";
}

export function csvRow(a: CsvActivity): string {
  return COLUMNS.map(([, value]) => quote(value(a))).join(",") + "\n";
}
