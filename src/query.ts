/**
 * Which activities a request is about: the date range and property filter
 * shared by `hotpot activities`, tile rendering and the HTTP API.
 */
import { parseDate } from "./date.ts";
import { HotpotError } from "./errors.ts";
import { compileFilter, type CompiledFilter } from "./filter.ts";
import type { Store, SummaryRow } from "./store.ts";
import type { Properties } from "./types.ts";

/**
 * Dates are `YYYY-MM-DD` in UTC: `after` keeps activities starting on or after
 * that day, `before` those starting before it. Empty strings mean "not given",
 * as an empty form field does; activities without a start time fail any date test.
 */
export interface ActivityQuery {
  filter?: string;
  before?: string;
  after?: string;
}

/** One activity as `hotpot activities` and the HTTP API show it. */
export interface ActivitySummary {
  key: string;
  /** The file it came from (relative to the import root, or the uploaded name); null for API activities. */
  file_name: string | null;
  title: string | null;
  /** ISO 8601, or null when neither the file nor a CSV said. */
  start_time: string | null;
  created_at: string;
  properties: Properties;
  /** Stored tile rows, present only when asked for (it costs an index lookup per activity). */
  tiles?: number;
}

export interface ListOptions {
  /** At most this many (default: all). */
  limit?: number;
  /** Skip this many first (default 0). */
  offset?: number;
  /** Count each activity's stored tile rows (default false). */
  tiles?: boolean;
}

interface Normalised {
  filter?: string;
  before?: string;
  after?: string;
}

function normalise(q: ActivityQuery): Normalised | null {
  const filter = q.filter?.trim() || undefined;
  const before = q.before?.trim() || undefined;
  const after = q.after?.trim() || undefined;
  return filter || before || after ? { filter, before, after } : null;
}

function compileNormalised(q: Normalised): CompiledFilter {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  if (q.filter) {
    const f = compileFilter(q.filter);
    parts.push(`(${f.sql})`);
    params.push(...f.params);
  }
  if (q.after) {
    parts.push("start_time >= ?");
    params.push(parseDate(q.after, "after"));
  }
  if (q.before) {
    parts.push("start_time < ?");
    params.push(parseDate(q.before, "before"));
  }
  return { sql: parts.join(" AND "), params };
}

/**
 * The query as a SQL condition over `activities`, or null when it has no
 * criteria. Throws HotpotError for a bad date or filter, so callers can check
 * a request before doing any work.
 */
export function compileQuery(q: ActivityQuery): CompiledFilter | null {
  const n = normalise(q);
  return n && compileNormalised(n);
}

/** Id sets kept per store; all of a store's sets go when its data version moves on. */
const ID_SETS = new WeakMap<Store, { version: number; sets: Map<string, Set<number>> }>();
/** Distinct queries remembered per store: the map page uses a handful at a time. */
const ID_SET_CACHE_SIZE = 16;

/**
 * Ids of the activities the query selects, or null when it selects all of them.
 * The tile renderer calls this for every tile, so the answer is cached per store,
 * data version and query; the returned set is shared and must not be changed.
 */
export function activityIdSet(store: Store, q: ActivityQuery): Set<number> | null {
  const n = normalise(q);
  if (!n) return null;
  const key = JSON.stringify([n.filter, n.after, n.before]);
  const version = store.dataVersion();
  let entry = ID_SETS.get(store);
  if (!entry || entry.version !== version) {
    entry = { version, sets: new Map() };
    ID_SETS.set(store, entry);
  }
  const hit = entry.sets.get(key);
  if (hit) return hit;
  const { sql, params } = compileNormalised(n);
  const ids = store.idsWhere({ where: sql, params });
  if (entry.sets.size >= ID_SET_CACHE_SIZE) entry.sets.delete(entry.sets.keys().next().value!);
  entry.sets.set(key, ids);
  return ids;
}

function nonNegativeInteger(value: number | undefined, parameter: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new HotpotError("bad_argument", `${parameter}: expected a non-negative integer, found ${value}`);
  }
  return value;
}

/**
 * Matching activities by start time (those without one last), one at a time,
 * so a caller printing ten thousand never holds them all. A bad query throws
 * here, before the first row.
 */
export function iterateActivities(store: Store, q: ActivityQuery, options: ListOptions = {}): Generator<ActivitySummary> {
  const limit = nonNegativeInteger(options.limit, "limit", -1); // SQLite reads LIMIT -1 as no limit
  const offset = nonNegativeInteger(options.offset, "offset", 0);
  const where = compileQuery(q);
  return summaries(store.summaryRows(where && { where: where.sql, params: where.params }, limit, offset, options.tiles ?? false));
}

function* summaries(source: Iterable<SummaryRow>): Generator<ActivitySummary> {
  for (const row of source) {
    const summary: ActivitySummary = {
      key: row.key,
      file_name: row.file_name,
      title: row.title,
      start_time: row.start_time === null ? null : new Date(row.start_time).toISOString(),
      created_at: new Date(row.created_at).toISOString(),
      properties: JSON.parse(row.properties) as Properties,
    };
    if (row.tiles !== undefined) summary.tiles = row.tiles;
    yield summary;
  }
}

export function listActivities(store: Store, q: ActivityQuery, options: ListOptions = {}): ActivitySummary[] {
  return [...iterateActivities(store, q, options)];
}

/** How many activities the query selects; shares activityIdSet's cache with the tiles drawn for it. */
export function countActivities(store: Store, q: ActivityQuery): number {
  return activityIdSet(store, q)?.size ?? store.activityCount();
}
