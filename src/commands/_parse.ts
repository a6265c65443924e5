/** Parsers for option values more than one command takes: one way to read each. */
import { HotpotError } from "../errors.ts";
import type { Bounds } from "../tile.ts";

const NUMBER = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/;

/** `W,S,E,N` in degrees; the ranges are checked where the bounds are used (render.ts). */
export function parseBounds(text: string): Bounds {
  const parts = text.split(",");
  if (parts.length !== 4 || !parts.every((p) => NUMBER.test(p))) {
    throw new HotpotError("bad_argument", `bounds: expected four numbers W,S,E,N in degrees (e.g. 13.3,52.4,13.5,52.6), found '${text}'`);
  }
  const [west, south, east, north] = parts.map(Number);
  return { west, south, east, north };
}

export function parseWhole(text: string, name: string): number {
  const v = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(v)) throw new HotpotError("bad_argument", `${name}: expected a whole number, found '${text}'`);
  return v;
}

/** `--jobs N`: undefined (one per core) when not given. */
export function parseJobs(text: string | undefined): number | undefined {
  const jobs = text === undefined ? undefined : parseWhole(text, "jobs");
  if (jobs !== undefined && (jobs < 1 || jobs > 64)) throw new HotpotError("bad_argument", `jobs: expected 1 to 64, found ${jobs}`);
  return jobs;
}
