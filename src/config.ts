/**
 * Settings kept in the database's `config` table: how each is read from its
 * stored text (ours is JSON; the Rust hotpot stores `fetch_cutoff` as a bare
 * date and numbers as bare numbers, and both are read), how a user writes one
 * on the command line, and how it is checked. Pure: no I/O.
 */
import { HotpotError } from "./errors.ts";
import { parseDate } from "./args.ts";
import type { Mask, StoreConfig } from "./types.ts";

export type ConfigKey = keyof StoreConfig;

/** Deepest zoom a level may be stored at (tile numbers stay within 32 bits). */
const MAX_ZOOM = 24;

function fail(key: string, expected: string, found: string): never {
  const shown = found.length > 60 ? `${found.slice(0, 60)}…` : found;
  throw new HotpotError("bad_argument", `config ${key}: expected ${expected}, found '${shown}'`);
}

function zoomLevels(value: unknown, text: string): number[] {
  const expected = `zoom levels from 0 to ${MAX_ZOOM} in rising order, e.g. 2,6,10,14,16`;
  if (!Array.isArray(value) || value.length === 0) fail("zoom_levels", expected, text);
  value.forEach((z, i) => {
    if (!Number.isInteger(z) || z < 0 || z > MAX_ZOOM || (i > 0 && z <= value[i - 1])) fail("zoom_levels", expected, text);
  });
  return value;
}

function tileExtent(value: unknown, text: string): number {
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 65536) fail("tile_extent", "an integer from 1 to 65536", text);
  return value as number;
}

function trimDist(value: unknown, text: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) fail("trim_dist", "metres, a number of 0 or more", text);
  return value;
}

function fetchCutoff(value: unknown, text: string): string | null {
  if (value === null) return null;
  if (typeof value !== "string") fail("fetch_cutoff", "a date YYYY-MM-DD", text);
  // The Rust hotpot wrote a bare date; an ISO timestamp's day is the same setting.
  const day = value.slice(0, 10);
  parseDate(day, "config fetch_cutoff");
  return day;
}

function masks(value: unknown, text: string): Mask[] {
  const ok = (m: Mask) =>
    m && typeof m.name === "string" && [m.lat, m.lng, m.radius].every((n) => typeof n === "number" && Number.isFinite(n));
  if (!Array.isArray(value) || !value.every(ok)) fail("activity_masks", "a JSON list of {name, lat, lng, radius}", text);
  return value;
}

const CHECKS: { [K in ConfigKey]: (value: unknown, text: string) => StoreConfig[K] } = {
  zoom_levels: zoomLevels,
  tile_extent: tileExtent,
  trim_dist: trimDist,
  activity_masks: masks,
  fetch_cutoff: fetchCutoff,
};

export const CONFIG_KEYS = Object.keys(CHECKS) as ConfigKey[];

export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(CHECKS, key);
}

/** A stored value, in our JSON or the Rust hotpot's text; a value neither reads is named with its key. */
export function readStoredValue<K extends ConfigKey>(key: K, text: string): StoreConfig[K] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  return CHECKS[key](value, text);
}

/**
 * A value as a user types it: `2,6,10` or `[2,6,10]` for zoom levels, a bare
 * number, a bare date.
 */
export function readUserValue<K extends ConfigKey>(key: K, text: string): StoreConfig[K] {
  const trimmed = text.trim();
  if (key === "zoom_levels" && !trimmed.startsWith("[")) {
    return CHECKS[key](trimmed.split(",").map((s) => (s.trim() === "" ? Number.NaN : Number(s))), text);
  }
  if ((key === "tile_extent" || key === "trim_dist") && trimmed !== "") return CHECKS[key](Number(trimmed), text);
  return readStoredValue(key, trimmed);
}

/** How `hotpot config get` shows a value: the form `config set` reads back. */
export function showValue<K extends ConfigKey>(key: K, value: StoreConfig[K]): string {
  if (value === null) return "";
  if (key === "zoom_levels") return (value as number[]).join(",");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
