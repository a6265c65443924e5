/**
 * Turning CSV cells into typed property values and timestamps. Exports come in
 * several locales, so numbers may use a decimal comma and dates may be
 * day-first or carry month names in English, German, French, Spanish or Dutch.
 */
import type { PropertyValue } from "../types.ts";

const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** `12,5`: one comma between digits and no dot is a decimal comma (German, French, ... exports). */
const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;
/** `1,234.5` / `1.234,5`: thousands grouping as English and German spreadsheets write it. */
const GROUPED_POINT = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;
const GROUPED_COMMA = /^[+-]?\d{1,3}(\.\d{3})+,\d+$/;

/**
 * A cell as a property: a number or boolean where it is one, else the trimmed
 * text; null for an empty cell. Integers beyond 2^53 (long ids) stay text so no
 * digit is lost.
 */
export function cellValue(raw: string): PropertyValue {
  const s = raw.trim();
  if (s === "") return null;
  const lower = s.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  let numeric: string | null = null;
  if (PLAIN_NUMBER.test(s)) numeric = s;
  else if (DECIMAL_COMMA.test(s)) numeric = s.replace(",", ".");
  else if (GROUPED_POINT.test(s)) numeric = s.replaceAll(",", "");
  else if (GROUPED_COMMA.test(s)) numeric = s.replaceAll(".", "").replace(",", ".");
  if (numeric === null) return s;
  const value = Number(numeric);
  if (!Number.isFinite(value)) return s;
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) return s;
  return value;
}

/** Month names and abbreviations (lower case, without the trailing dot) of the locales Strava exports in. */
const MONTHS: string[][] = [
  ["jan", "january", "januar", "jän", "jänner", "janv", "janvier", "ene", "enero", "januari"],
  ["feb", "february", "februar", "févr", "fév", "février", "febrero", "februari"],
  ["mar", "march", "mär", "märz", "mrz", "mars", "marzo", "mrt", "maart"],
  ["apr", "april", "avr", "avril", "abr", "abril"],
  ["may", "mai", "mayo", "mei"],
  ["jun", "june", "juni", "juin", "junio"],
  ["jul", "july", "juli", "juil", "juillet", "julio"],
  ["aug", "august", "août", "aoû", "ago", "agosto", "augustus"],
  ["sep", "sept", "september", "septembre", "septiembre", "set"],
  ["oct", "october", "okt", "oktober", "octobre", "octubre"],
  ["nov", "november", "novembre", "noviembre"],
  ["dec", "december", "dez", "dezember", "déc", "décembre", "dic", "diciembre"],
];
const MONTH_INDEX = new Map<string, number>(MONTHS.flatMap((names, m) => names.map((n): [string, number] => [n, m])));

function monthOf(word: string): number | undefined {
  return MONTH_INDEX.get(word.toLowerCase().replace(/\.$/, ""));
}

const TIME = String.raw`(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?\s*([ap]\.?\s?m\.?)?`;
/** `Jan 2, 2021, 7:03:11 AM` (Strava, English). */
const MONTH_FIRST = new RegExp(String.raw`^(\p{L}+\.?)\s+(\d{1,2}),?\s+(\d{4}),?\s+${TIME}$`, "iu");
/** `2 Jan 2021, 07:03:11`, `2. Jan. 2021, 07:03:11`, `2 janv. 2021 07:03`. */
const DAY_FIRST_NAME = new RegExp(String.raw`^(\d{1,2})\.?\s+(\p{L}+\.?)\s+(\d{4}),?\s+${TIME}$`, "iu");
/** `2.1.2021, 07:03:11`, `02/01/2021 07:03`, `02-01-2021 07:03`. */
const NUMERIC = new RegExp(String.raw`^(\d{1,2})([./-])(\d{1,2})\2(\d{4}),?\s+${TIME}$`, "i");

function utc(year: number, month: number, day: number, m: RegExpMatchArray, timeAt: number): number | null {
  let hour = Number(m[timeAt]);
  const minute = Number(m[timeAt + 1]);
  const second = m[timeAt + 2] ? Number(m[timeAt + 2]) : 0;
  const meridiem = m[timeAt + 3]?.toLowerCase().replace(/[.\s]/g, "");
  if (meridiem === "pm" && hour < 12) hour += 12;
  if (meridiem === "am" && hour === 12) hour = 0;
  if (month < 0 || month > 11 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const t = Date.UTC(year, month, day, hour, minute, second);
  // Date.UTC rolls 31 Feb over into March; a date that does not exist is not a date.
  return new Date(t).getUTCDate() === day ? t : null;
}

/**
 * An activity date as Unix ms, read as UTC (Strava exports UTC), or null when
 * it is not a date. Slash dates are month-first unless the first number cannot
 * be a month; dot and dash dates are day-first as in the locales that write them.
 */
export function parseActivityDate(raw: string): number | null {
  const s = raw.trim();
  let m = s.match(MONTH_FIRST);
  if (m) {
    const month = monthOf(m[1]);
    return month === undefined ? null : utc(Number(m[3]), month, Number(m[2]), m, 4);
  }
  m = s.match(DAY_FIRST_NAME);
  if (m) {
    const month = monthOf(m[2]);
    return month === undefined ? null : utc(Number(m[3]), month, Number(m[1]), m, 4);
  }
  m = s.match(NUMERIC);
  if (m) {
    let day = Number(m[1]);
    let month = Number(m[3]);
    if (m[2] === "/" && day <= 12) [day, month] = [month, day];
    return utc(Number(m[4]), month - 1, day, m, 5);
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(s)) {
    // ISO 8601; without a zone it is UTC like the rest of the export.
    const iso = /[zZ]|[+-]\d{2}:?\d{2}$/.test(s.slice(10)) ? s : `${s.replace(" ", "T")}Z`;
    const t = Date.parse(iso);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}
