/**
 * Pulls new activities from intervals.icu: list what was recorded since the
 * look-back (or the `fetch_cutoff` date, whichever is later), skip what is
 * stored already, download each original file and import it with the
 * activity's name, type and gear.
 */
import { readLimited, SERVER_MAX_FILE_BYTES } from "../decompress.ts";
import { HotpotError } from "../errors.ts";
import { ingestInWorker, ingestPool } from "../import/ingest.ts";
import type { Store } from "../store.ts";
import type { Properties } from "../types.ts";

export interface IntervalsEnv {
  apiKey: string;
  apiUrl: string;
}

export function intervalsEnv(env: Record<string, string | undefined> = process.env): IntervalsEnv {
  if (!env.INTERVALS_ICU_API_KEY) throw new HotpotError("config", "fetching from intervals.icu needs the environment variable INTERVALS_ICU_API_KEY");
  return { apiKey: env.INTERVALS_ICU_API_KEY, apiUrl: (env.INTERVALS_ICU_API_URL || "https://intervals.icu/api/v1").replace(/\/+$/, "") };
}

/** The fields of intervals.icu's activity list that hotpot reads. */
interface IcuActivity {
  id: string;
  name?: string | null;
  type?: string | null;
  start_date?: string | null;
  start_date_local?: string | null;
  source?: string | null;
  strava_id?: string | number | null;
  trainer?: boolean | null;
  gear?: { id: string; name?: string | null } | null;
}

export interface FetchSummary {
  listed: number;
  added: number;
  alreadyStored: number;
  /** Recorded on Strava: intervals.icu may not hand those out through its API. */
  fromStrava: number;
  skipped: { id: string; reason: string }[];
  failed: { id: string; reason: string }[];
}

/** One authenticated GET; HotpotError upstream for anything but 2xx. */
type Get = (path: string, what: string) => Promise<Response>;

/** Activities asked for per list request; a full page means there may be more. */
export const PAGE_SIZE = 200;

const DAY_MS = 86_400_000;
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export interface FetchOptions {
  /** Days before `now` to list from; the fetch_cutoff config date wins when it is later. */
  lookbackDays: number;
  /** Unix ms; default the clock. */
  now?: number;
  /** Activities per list request; default PAGE_SIZE. */
  pageSize?: number;
  log?: (line: string) => void;
}

/** Checks a --lookback / ?lookback= value: whole days from 1 to 36500 (a century). */
export function parseLookback(value: string, parameter: string): number {
  const days = Number(value);
  if (value.trim() === "" || !Number.isInteger(days) || days < 1 || days > 36500) {
    throw new HotpotError("bad_argument", `${parameter}: expected a whole number of days from 1 to 36500, found '${value.slice(0, 40)}'`);
  }
  return days;
}

export async function fetchIntervals(store: Store, env: IntervalsEnv, options: FetchOptions): Promise<FetchSummary> {
  const now = options.now ?? Date.now();
  const log = options.log ?? (() => {});
  // fetch_cutoff: activities before this date are never fetched (e.g. the day of the bulk import).
  const cutoff = store.config().fetch_cutoff?.slice(0, 10);
  let oldest = ymd(now - options.lookbackDays * DAY_MS);
  if (cutoff && /^\d{4}-\d{2}-\d{2}$/.test(cutoff) && cutoff > oldest) oldest = cutoff;

  const auth = `Basic ${btoa(`API_KEY:${env.apiKey}`)}`;
  const get: Get = async (path, what) => {
    let res: Response;
    try {
      res = await fetch(`${env.apiUrl}${path}`, { headers: { Authorization: auth }, signal: AbortSignal.timeout(60_000) });
    } catch (e) {
      throw new HotpotError("upstream", `${what}: ${(e as Error).message}`);
    }
    if (res.status === 401 || res.status === 403) {
      throw new HotpotError("upstream", `${what}: intervals.icu refused the API key (${res.status}); check INTERVALS_ICU_API_KEY (intervals.icu → Settings → Developer Settings)`);
    }
    if (!res.ok) throw new HotpotError("upstream", `${what}: intervals.icu answered ${res.status} ${(await res.text()).slice(0, 200)}`);
    return res;
  };

  // Tomorrow as the upper bound: list dates are local, and east of UTC a ride can start "tomorrow".
  const activities = await listSince(get, oldest, ymd(now + DAY_MS), options.pageSize ?? PAGE_SIZE);
  const summary: FetchSummary = { listed: activities.length, added: 0, alreadyStored: 0, fromStrava: 0, skipped: [], failed: [] };
  // Files are parsed on a worker, started with the first download: a server's request thread only stores them.
  let pool: ReturnType<typeof ingestPool> | null = null;
  try {
    for (const a of activities) {
      const key = `intervals_icu:${a.id}`;
      const stravaKey = a.strava_id ? `strava:${a.strava_id}` : null;
      if (store.findExisting(key, null) || (stravaKey && store.findExisting(stravaKey, null))) {
        summary.alreadyStored++;
        continue;
      }
      if (a.source === "STRAVA") {
        summary.fromStrava++;
        continue;
      }
      if (a.trainer || /^virtual/i.test(a.type ?? "")) {
        summary.skipped.push({ id: a.id, reason: `virtual (${a.trainer ? "trainer" : a.type})` });
        continue;
      }
      try {
        const { name, bytes } = await download(get, a.id);
        pool ??= ingestPool(store);
        const result = await ingestInWorker(store, pool, { name, bytes, key, title: a.name ?? undefined, properties: icuProperties(a) });
        if (result.status === "added") summary.added++;
        else if (result.status === "duplicate") summary.alreadyStored++;
        else if (result.status === "skipped") summary.skipped.push({ id: a.id, reason: result.reason ?? "skipped" });
        else summary.failed.push({ id: a.id, reason: result.reason ?? "error" });
        log(`intervals.icu: ${a.id} ${result.status}${result.reason ? `: ${result.reason}` : ""}`);
      } catch (e) {
        summary.failed.push({ id: a.id, reason: (e as Error).message });
        log(`intervals.icu: ${a.id} failed: ${(e as Error).message}`);
      }
    }
  } finally {
    pool?.terminate();
  }
  return summary;
}

/**
 * Lists activities between two dates. The API answers newest first, at most
 * `limit` at a time: a full page moves the `newest` bound back to the oldest
 * day seen and asks again, dropping activities already listed.
 */
async function listSince(get: Get, oldest: string, newest: string, pageSize: number): Promise<IcuActivity[]> {
  const seen = new Map<string, IcuActivity>();
  for (;;) {
    const params = new URLSearchParams({ oldest, newest, limit: String(pageSize) });
    const page = (await (await get(`/athlete/0/activities?${params}`, "listing intervals.icu activities")).json()) as IcuActivity[];
    if (!Array.isArray(page)) throw new HotpotError("upstream", "listing intervals.icu activities: expected a JSON array");
    let fresh = 0;
    for (const a of page) {
      if (a?.id && !seen.has(a.id)) {
        seen.set(a.id, a);
        fresh++;
      }
    }
    if (page.length < pageSize || fresh === 0) break;
    const last = page[page.length - 1];
    const day = (last.start_date_local ?? last.start_date ?? "").slice(0, 10);
    if (!day || day >= newest) break;
    newest = day;
  }
  return [...seen.values()];
}

/** `attachment; filename="ride.fit.gz"` → `ride.fit.gz` (without any folder part). */
export function dispositionName(value: string | null): string | null {
  const m = value?.match(/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i);
  if (!m) return null;
  let name = m[1].trim();
  try {
    name = decodeURIComponent(name);
  } catch {
    // A stray % is part of the name.
  }
  return name.split(/[\\/]/).pop() || null;
}

async function download(get: Get, id: string): Promise<{ name: string; bytes: Uint8Array }> {
  const res = await get(`/activity/${encodeURIComponent(id)}/file`, `downloading intervals.icu activity ${id}`);
  let name = dispositionName(res.headers.get("content-disposition")) ?? `${id}.fit`;
  // Bounded like an upload: the server may be the one fetching, on a small machine.
  const bytes = await readLimited(res, SERVER_MAX_FILE_BYTES);
  // Files can come gzipped under a plain name: let the name say so, so the parser unpacks it.
  if (bytes[0] === 0x1f && bytes[1] === 0x8b && !name.endsWith(".gz")) name += ".gz";
  return { name, bytes };
}

function icuProperties(a: IcuActivity): Properties {
  const props: Properties = { intervals_icu_id: a.id };
  if (a.type) props.activity_type = a.type;
  if (a.gear?.name) props.activity_gear = a.gear.name;
  if (a.gear?.id) props.gear_id = a.gear.id;
  if (a.strava_id) props.strava_id = String(a.strava_id);
  return props;
}

/** The summary as the command prints it: one line of counts, then one line per skipped or failed activity. */
export function formatFetchSummary(s: FetchSummary): string {
  const lines = [
    `intervals.icu: ${s.listed} listed, ${s.added} added, ${s.alreadyStored} already stored, ${s.fromStrava} from Strava (intervals.icu cannot hand those out), ${s.skipped.length} skipped, ${s.failed.length} failed`,
  ];
  for (const f of s.skipped) lines.push(`  skipped ${f.id}: ${f.reason}`);
  for (const f of s.failed) lines.push(`  failed ${f.id}: ${f.reason}`);
  return lines.join("\n");
}
