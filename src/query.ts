/**
 * Which activities a request is about: the date range and property filter
 * shared by `hotpot activities`, tile rendering and the HTTP API.
 */
import { PerVersion } from "./cache.ts";
import { parseDate } from "./args.ts";
import { HotpotError } from "./errors.ts";
import { compileFilter } from "./filter.ts";
import type { Condition, Snapshot, Store, SummaryRow } from "./store.ts";
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

/**
 * A query compiled once where it enters (a request, a command line) and
 * passed as it is to tiles, counts, near, bounds, workers and the caches:
 * `key` is the one name every cache and ETag files it under.
 */
export interface CompiledQuery extends Condition {
  /** Equal for queries written alike (empty values and outer whitespace aside). */
  key: string;
  /** Property keys the filter names (privacy.ts limits which a request may). */
  properties: readonly string[];
}

/**
 * The query as a SQL condition over `activities`, or null when it has no
 * criteria (all activities). Throws HotpotError for a bad date or filter, so
 * callers can check a request before doing any work.
 */
export function compileQuery(q: ActivityQuery): CompiledQuery | null {
  const filter = q.filter?.trim() || undefined;
  const before = q.before?.trim() || undefined;
  const after = q.after?.trim() || undefined;
  if (!filter && !before && !after) return null;
  const parts: string[] = [];
  const params: (string | number)[] = [];
  let properties: readonly string[] = [];
  if (filter) {
    const f = compileFilter(filter);
    parts.push(`(${f.sql})`);
    params.push(...f.params);
    properties = f.keys;
  }
  if (after) {
    parts.push("start_time >= ?");
    params.push(parseDate(after, "after"));
  }
  if (before) {
    parts.push("start_time < ?");
    params.push(parseDate(before, "before"));
  }
  return { where: parts.join(" AND "), params, key: `${filter ?? ""}\u0000${after ?? ""}\u0000${before ?? ""}`, properties };
}

/** A query's part of a cache key or ETag; all activities read as three empty parts, as tile ETags always have. */
export const queryKey = (query: CompiledQuery | null): string => query?.key ?? "\u0000\u0000";

/** Id sets of 16 distinct queries per store and data version: the map page uses a handful at a time. */
const ID_SETS = new PerVersion<Store, string, Set<number>>({ maxEntries: 16 });

/**
 * Ids of the activities the query selects as of data version `version`, or
 * null when it selects all of them. The tile renderer needs this for every
 * tile, so the answer is cached per store, data version and query; the
 * returned set is shared and must not be changed.
 */
export function activityIdSet(store: Store, query: CompiledQuery | null, version = store.dataVersion()): Set<number> | null {
  if (!query) return null;
  return ID_SETS.at(store, version).remember(query.key, () => store.idsWhere(query));
}

/**
 * What one request draws from, read once and passed down: the data version,
 * the settings of that version (masks among them), the compiled query and the
 * ids it selects (null: all).
 */
export interface Reading extends Snapshot {
  store: Store;
  query: CompiledQuery | null;
  ids: Set<number> | null;
}

export function reading(store: Store, query: CompiledQuery | null): Reading {
  const { version, config } = store.snapshot();
  return { store, version, config, query, ids: activityIdSet(store, query, version) };
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
 * so a caller printing ten thousand never holds them all. A bad limit or
 * offset throws here, before the first row.
 */
export function iterateActivities(store: Store, query: CompiledQuery | null, options: ListOptions = {}): Generator<ActivitySummary> {
  const limit = nonNegativeInteger(options.limit, "limit", -1); // SQLite reads LIMIT -1 as no limit
  const offset = nonNegativeInteger(options.offset, "offset", 0);
  return summaries(store.summaryRows(query, limit, offset, options.tiles ?? false));
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

export function listActivities(store: Store, query: CompiledQuery | null, options: ListOptions = {}): ActivitySummary[] {
  return [...iterateActivities(store, query, options)];
}

/** How many activities the query selects; shares activityIdSet's cache with the tiles drawn for it. */
export function countActivities(store: Store, query: CompiledQuery | null): number {
  return activityIdSet(store, query)?.size ?? store.activityCount();
}
