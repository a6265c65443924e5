/**
 * Dates as users write them (`YYYY-MM-DD`, UTC). Its own module because both
 * the query (src/query.ts) and the settings (src/config.ts) read dates, and
 * the store reads settings: one home keeps the imports one-way.
 */
import { HotpotError } from "./errors.ts";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` → Unix ms of that day's 00:00 UTC; a malformed or impossible date names `parameter`. */
export function parseDate(value: string, parameter: string): number {
  const m = DATE.exec(value);
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  if (!m) throw new HotpotError("bad_argument", `${parameter}: expected a date YYYY-MM-DD, found '${shown}'`);
  const date = new Date(0);
  date.setUTCFullYear(+m[1], +m[2] - 1, +m[3]);
  // Date rolls 2021-02-30 over to March: a round trip that changes the text means no such day.
  if (date.toISOString().slice(0, 10) !== value) {
    throw new HotpotError("bad_argument", `${parameter}: expected a date YYYY-MM-DD, found '${shown}' (no such day)`);
  }
  return date.getTime();
}
