/**
 * The metadata join: a CSV (a Strava export's activities.csv, or any table
 * with a file column) adds a title, a type, a start time and extra properties
 * to the activity file each row names, and with an `Activity ID` column gives
 * it the key `strava:<id>` the Strava webhook also uses.
 */
import { HotpotError } from "../errors.ts";
import type { Properties } from "../types.ts";
import { parseCsv } from "./csv.ts";
import { cellValue, parseActivityDate } from "./values.ts";

/** What one CSV row contributes to the activity its file holds. */
export interface JoinRow {
  /** `strava:<id>` when the CSV has an activity id column. */
  key?: string;
  title?: string;
  /** Used only when the file itself has no start time. */
  startTime?: number;
  /** Every non-empty cell under its normalised column name, plus `activity_type` from the type column. */
  properties: Properties;
}

export interface JoinTable {
  /** The CSV's path, for messages. */
  source: string;
  /** Rows by file path relative to the CSV's folder, `/`-separated, without a leading `./`. */
  rows: Map<string, JoinRow>;
  /** Rows with an empty file cell: activities entered by hand, with no file to import. */
  manual: number;
}

/**
 * The columns hotpot understands, by normalised header, in English, German,
 * French, Spanish and Dutch exports. The first role name is the English one,
 * quoted back to the user when a required column is missing.
 */
const ROLES = {
  file: ["filename", "file_name", "file", "dateiname", "nom_du_fichier", "nom_de_fichier", "nombre_de_archivo", "nombre_del_archivo", "bestandsnaam"],
  id: ["activity_id", "aktivitäts-id", "aktivitäts_id", "id_de_l'activité", "id_de_actividad", "id_de_la_actividad", "activiteit-id", "activiteits-id"],
  name: ["activity_name", "aktivitätsname", "nom_de_l'activité", "nombre_de_la_actividad", "activiteitsnaam", "activiteitnaam"],
  type: ["activity_type", "aktivitätsart", "aktivitätstyp", "type_d'activité", "tipo_de_actividad", "activiteitstype", "activiteittype"],
  date: ["activity_date", "aktivitätsdatum", "date_de_l'activité", "fecha_de_la_actividad", "activiteitsdatum", "activiteitdatum"],
} as const;

type Role = keyof typeof ROLES;

/** `Elapsed Time` → `elapsed_time`: trimmed, lower case, runs of white space to `_`. */
export function normaliseHeader(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, "_");
}

/**
 * Normalised, unique column names. A repeated name (Strava exports have two
 * `Elapsed Time` and two `Distance` columns, in different units) keeps its
 * first column as is and numbers the next ones `_2`, `_3`, ... so no column
 * overwrites another; a suffix a real column already uses is skipped. An empty
 * header becomes `column_<n>` (1-based position).
 */
export function uniqueHeaders(raw: string[]): string[] {
  const base = raw.map((h, i) => normaliseHeader(h) || `column_${i + 1}`);
  const used = new Set<string>();
  const names: string[] = [];
  const firsts = new Set<string>();
  // First occurrences claim their plain names before any suffix is handed out.
  const isFirst = base.map((b) => (firsts.has(b) ? false : (firsts.add(b), true)));
  for (const b of base) used.add(b);
  base.forEach((b, i) => {
    if (isFirst[i]) return void names.push(b);
    let k = 2;
    while (used.has(`${b}_${k}`)) k++;
    used.add(`${b}_${k}`);
    names.push(`${b}_${k}`);
  });
  return names;
}

/** `./activities\123.fit.gz` → `activities/123.fit.gz`: the form join paths are compared in. */
export function normaliseJoinPath(path: string): string {
  return path.trim().replaceAll("\\", "/").replace(/^(\.\/)+/, "");
}

function findRole(headers: string[], role: Role): number {
  const names: readonly string[] = ROLES[role];
  return headers.findIndex((h) => names.includes(h));
}

/**
 * Reads a join CSV. Throws HotpotError("bad_file") when the table has no
 * recognisable file column, naming the column it expected.
 */
export function readJoinTable(text: string, source: string): JoinTable {
  const table = parseCsv(text, source);
  if (table.length === 0) throw new HotpotError("bad_file", `${source}: empty CSV (expected a header row with a 'filename' column)`);
  const headers = uniqueHeaders(table[0]);
  const col = Object.fromEntries((Object.keys(ROLES) as Role[]).map((r) => [r, findRole(headers, r)])) as Record<Role, number>;
  if (col.file < 0) {
    throw new HotpotError(
      "bad_file",
      `${source}: no file column (expected 'filename' or 'Filename', or a localised name such as 'Dateiname'); found ${table[0].map((h) => `'${h}'`).join(", ")}`,
    );
  }
  const rows = new Map<string, JoinRow>();
  let manual = 0;
  for (let r = 1; r < table.length; r++) {
    const cells = table[r];
    const file = normaliseJoinPath(cells[col.file] ?? "");
    if (file === "") {
      manual++;
      continue;
    }
    if (rows.has(file)) continue;
    const properties: Properties = {};
    headers.forEach((h, c) => {
      const value = cellValue(cells[c] ?? "");
      if (value !== null && c !== col.file) properties[h] = value;
    });
    const row: JoinRow = { properties };
    const id = col.id >= 0 ? cells[col.id]?.trim() : "";
    if (id) row.key = `strava:${id}`;
    const title = col.name >= 0 ? cells[col.name]?.trim() : "";
    if (title) row.title = title;
    const type = col.type >= 0 ? cells[col.type]?.trim() : "";
    if (type) properties.activity_type = type;
    const date = col.date >= 0 ? parseActivityDate(cells[col.date] ?? "") : null;
    if (date !== null) row.startTime = date;
    rows.set(file, row);
  }
  return { source, rows, manual };
}
