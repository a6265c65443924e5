/**
 * Strava webhook events: checked, queued durably in the database, then applied
 * in the background. The HTTP handler only queues, so Strava gets its 200 at
 * once; a restart picks the queue up where it stopped.
 *
 * The webhook URL is public and its events are not signed, so nothing is
 * taken on the event's word: an update applies what the API says about the
 * activity now (not the event's `updates`), a delete happens only once Strava
 * answers 404 for the activity, a deauthorization only once Strava refuses our
 * refresh token, and a create only for an activity of the athlete it names.
 * What a forger can spend is bounded too: events of athletes without tokens
 * cost nothing, events of one object coalesce while queued, and each athlete
 * has a queue of their own size.
 */
import { HotpotError, isHotpotError } from "../errors.ts";
import { ingestInWorker, ingestPool } from "../import/ingest.ts";
import type { QueuedEvent, Store } from "../store.ts";
import {
  accessToken,
  getActivity,
  getStreams,
  parsedFromStrava,
  RateLimited,
  refreshTokens,
  stravaProperties,
  stravaSkipReason,
  type StravaEnv,
} from "./strava.ts";

export interface StravaEvent {
  object_type: "activity" | "athlete";
  object_id: number;
  aspect_type: "create" | "update" | "delete";
  owner_id: number;
  subscription_id: number;
  /** Unix seconds. */
  event_time: number;
  /** For updates: title, type, private ("true"/"false"); for athletes: authorized ("false"). Other keys are dropped. */
  updates: Record<string, string>;
}

/** The `updates` keys Strava documents; only `authorized` is acted on, the others are kept for the log. */
const UPDATE_KEYS = new Set(["title", "type", "private", "authorized"]);

/** Checks a webhook body against Strava's documented event shape; HotpotError bad_argument says what is wrong. */
export function parseEvent(body: unknown): StravaEvent {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HotpotError("bad_argument", "webhook event: expected a JSON object");
  const b = body as Record<string, unknown>;
  const int = (name: string) => {
    const v = b[name];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
      throw new HotpotError("bad_argument", `webhook event: expected ${name} to be a whole number, found ${JSON.stringify(v) ?? "nothing"}`);
    }
    return v;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[]): T => {
    const v = b[name];
    if (!allowed.includes(v as T)) {
      throw new HotpotError("bad_argument", `webhook event: expected ${name} to be one of ${allowed.join(", ")}, found ${JSON.stringify(v) ?? "nothing"}`);
    }
    return v as T;
  };
  const updates = b.updates ?? {};
  if (typeof updates !== "object" || updates === null || Array.isArray(updates)) {
    throw new HotpotError("bad_argument", `webhook event: expected updates to be an object, found ${JSON.stringify(updates)}`);
  }
  const fields = Object.entries(updates);
  if (fields.length > 16 || fields.some(([, v]) => typeof v === "object" && v !== null)) {
    throw new HotpotError("bad_argument", "webhook event: expected updates to hold a few plain values");
  }
  return {
    object_type: oneOf("object_type", ["activity", "athlete"] as const),
    object_id: int("object_id"),
    aspect_type: oneOf("aspect_type", ["create", "update", "delete"] as const),
    owner_id: int("owner_id"),
    subscription_id: int("subscription_id"),
    event_time: int("event_time"),
    updates: Object.fromEntries(fields.filter(([k]) => UPDATE_KEYS.has(k)).map(([k, v]) => [k, String(v).slice(0, 500)])),
  };
}

/** What became of a received event. */
export type Receipt = "queued" | "duplicate" | "unknown_athlete" | "queue_full";

/**
 * Events of one athlete waiting at most; beyond that the webhook answers 503 and Strava retries.
 * Per athlete, so a flood naming one athlete cannot hold up another's events.
 */
export const MAX_QUEUED_PER_ATHLETE = 1000;

/** The athlete an event is about: the object of an athlete event, else the activity's owner. */
const athleteOf = (e: { object_type: string; object_id: number; owner_id: number }) => (e.object_type === "athlete" ? e.object_id : e.owner_id);

/**
 * Queues an event durably. Server processes other than the one running the
 * processor call this directly; the processor finds the event at its next poll.
 * Events of athletes without stored tokens are dropped here: hotpot could not
 * read their activities anyway. An event whose object already has one of the
 * same kind waiting is a duplicate: applying it asks Strava for the current
 * state, so one is enough.
 */
export function enqueueEvent(store: Store, e: StravaEvent, options: { notBefore: number; log: (line: string) => void }): Receipt {
  const athlete = athleteOf(e);
  if (!store.strava.tokens(athlete)) {
    options.log(`strava: ignored ${describe(e)}: no tokens for athlete ${athlete} (run \`hotpot strava-auth\` with this database)`);
    return "unknown_athlete";
  }
  if (store.strava.hasUntriedEvent(e.object_type, e.object_id, e.aspect_type)) return "duplicate";
  if (store.strava.eventsOfAthlete(athlete) >= MAX_QUEUED_PER_ATHLETE) return "queue_full";
  const { subscription_id: _, ...fields } = e;
  return store.strava.enqueue({ ...fields, updates: JSON.stringify(e.updates), not_before: options.notBefore }) ? "queued" : "duplicate";
}

/** After this many failures (not counting rate limits) an event is dropped, with its error logged. */
const MAX_ATTEMPTS = 8;
/** Back-off after the n-th failure: 30 s doubling, at most 6 h (the 8 tries span about an hour). */
const backoff = (attempts: number) => Math.min(30_000 * 2 ** (attempts - 1), 6 * 3600_000);
/** Without a kick, look at the queue this often: events may be queued by another server process. */
const POLL_MS = 10_000;

export interface ProcessorOptions {
  log?: (line: string) => void;
  /** The clock (Unix ms); tests move it forward instead of waiting out a back-off. */
  now?: () => number;
  /** Milliseconds between looks at the queue for events other processes queued (default POLL_MS, 10 s). */
  pollMs?: number;
}

/** Applies queued events; one instance per database (the primary server process). */
export class StravaEventProcessor {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** Until when Strava's rate limit holds (Unix ms): events arriving meanwhile wait as well. */
  private pausedUntil = 0;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private readonly pollMs: number;

  constructor(
    private readonly env: StravaEnv,
    private readonly store: Store,
    options: ProcessorOptions = {},
  ) {
    this.log = options.log ?? ((line) => console.log(line));
    this.now = options.now ?? Date.now;
    this.pollMs = options.pollMs ?? POLL_MS;
  }

  /** Queues an event from the webhook and starts on it. */
  receive(e: StravaEvent): Receipt {
    const receipt = enqueueEvent(this.store, e, { notBefore: Math.max(this.now(), this.pausedUntil), log: this.log });
    if (receipt === "queued") this.kick();
    return receipt;
  }

  /** Starts draining the queue (events left from before a restart included); safe to call often. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.drain()
      // Only a database gone away (closed at shutdown) gets here; the event stays queued for the next start.
      .catch((err) => this.log(`strava: event queue stopped: ${(err as Error).message}`))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves once every due event has been applied or deferred. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** No new work starts; an event being applied finishes (await idle() for it). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Stops, giving the event under way up to `graceMs` to finish before the
   * database closes. One cut short stays queued and is applied after a restart.
   */
  async close(graceMs = 3000): Promise<void> {
    this.stop();
    await Promise.race([this.idle(), Bun.sleep(graceMs)]);
  }

  pending(): number {
    return this.store.strava.eventCount();
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const e = this.store.strava.nextDue(this.now());
      if (!e) break;
      try {
        await this.apply(e);
        this.store.strava.deleteEvent(e.id);
      } catch (err) {
        this.defer(e, err);
      }
    }
    this.schedule();
  }

  /** Wakes up when the earliest deferred event is due, or at the next poll. */
  private schedule(): void {
    if (this.stopped) return;
    const due = this.store.strava.earliestDue();
    const wait = due === null ? this.pollMs : Math.min(Math.max(due - this.now(), 0), this.pollMs);
    this.timer = setTimeout(() => this.kick(), wait);
    // The queue never keeps a process alive by itself (the server does; a test may end).
    this.timer.unref?.();
  }

  private defer(e: QueuedEvent, err: unknown): void {
    const what = describe(e);
    if (err instanceof RateLimited) {
      // The limit is per application: every queued event waits, and a restart keeps waiting.
      this.log(`strava: ${what}: ${err.message}`);
      this.pausedUntil = Math.max(this.pausedUntil, err.retryAt);
      this.store.strava.holdAll(err.retryAt, e.id, err.message);
      return;
    }
    const message = isHotpotError(err) ? err.message : `${(err as Error).name}: ${(err as Error).message}`;
    const attempts = e.attempts + 1;
    // not_found cannot get better by waiting: the activity is gone from Strava.
    if (attempts >= MAX_ATTEMPTS || (isHotpotError(err) && err.code === "not_found")) {
      this.log(`strava: ${what}: ${message}; dropped after ${attempts} attempt${attempts > 1 ? "s" : ""}`);
      this.store.strava.deleteEvent(e.id);
      return;
    }
    this.log(`strava: ${what}: ${message} (attempt ${attempts} of ${MAX_ATTEMPTS}, retrying in ${Math.round(backoff(attempts) / 1000)} s)`);
    this.store.strava.retryLater(e.id, attempts, this.now() + backoff(attempts), message);
  }

  private async apply(e: QueuedEvent): Promise<void> {
    const updates = JSON.parse(e.updates) as Record<string, string>;
    if (e.object_type === "athlete") {
      if (updates.authorized === "false") await this.deauthorize(e.object_id);
      return;
    }
    const key = `strava:${e.object_id}`;
    switch (e.aspect_type) {
      case "create":
        return this.create(e.owner_id, e.object_id, key);
      case "update":
        return this.update(e.owner_id, e.object_id, key);
      case "delete":
        return this.delete(e.owner_id, e.object_id, key);
    }
  }

  private async create(athleteId: number, id: number, key: string): Promise<void> {
    if (this.store.findExisting(key, null)) {
      this.log(`strava: ${key} already stored`);
      return;
    }
    const now = this.now();
    const token = await accessToken(this.env, this.store, athleteId, now);
    const activity = await getActivity(this.env, token, id, now);
    if (activity.athlete && activity.athlete.id !== athleteId) {
      this.log(`strava: ${key} skipped: it belongs to athlete ${activity.athlete.id}, not ${athleteId} as the event said`);
      return;
    }
    // Trainer, virtual and manual activities: no streams to fetch, no rate limit spent.
    const early = stravaSkipReason(activity);
    if (early) {
      this.log(`strava: ${key} skipped (${early.skip}): ${early.detail}`);
      return;
    }
    const parsed = parsedFromStrava(activity, await getStreams(this.env, token, id, now));
    if ("skip" in parsed) {
      this.log(`strava: ${key} skipped (${parsed.skip}): ${parsed.detail ?? ""}`);
      return;
    }
    // Cleaned and clipped on a worker, like an upload: this thread answers the server's requests.
    const pool = ingestPool(this.store);
    try {
      const result = await ingestInWorker(this.store, pool, { name: key, parsed, key });
      this.log(`strava: ${key} ${result.status}${result.reason ? `: ${result.reason}` : ""}`);
    } finally {
      pool.terminate();
    }
  }

  /** Title, type, private flag and the other kept fields as Strava has them now: the event itself may be forged. */
  private async update(athleteId: number, id: number, key: string): Promise<void> {
    if (!this.store.findExisting(key, null)) {
      this.log(`strava: ${key} update ignored: not stored`);
      return;
    }
    const now = this.now();
    const token = await accessToken(this.env, this.store, athleteId, now);
    const activity = await getActivity(this.env, token, id, now);
    if (activity.athlete && activity.athlete.id !== athleteId) {
      this.log(`strava: ${key} update skipped: it belongs to athlete ${activity.athlete.id}, not ${athleteId} as the event said`);
      return;
    }
    const changes = stravaProperties(activity);
    this.store.updateProperties(key, changes, activity.name || undefined);
    this.log(`strava: ${key} updated from Strava (${Object.keys(changes).length} properties)`);
  }

  private async delete(athleteId: number, id: number, key: string): Promise<void> {
    if (!this.store.findExisting(key, null)) {
      this.log(`strava: ${key} delete ignored: not stored`);
      return;
    }
    const now = this.now();
    const token = await accessToken(this.env, this.store, athleteId, now);
    try {
      await getActivity(this.env, token, id, now);
    } catch (err) {
      if (isHotpotError(err) && err.code === "not_found") {
        this.store.deleteActivity(key);
        this.log(`strava: ${key} deleted`);
        return;
      }
      throw err;
    }
    this.log(`strava: ${key} delete ignored: Strava still has the activity`);
  }

  private async deauthorize(athleteId: number): Promise<void> {
    if (!this.store.strava.tokens(athleteId)) return;
    try {
      await refreshTokens(this.env, this.store, athleteId, this.now());
    } catch (err) {
      if (isHotpotError(err) && err.code === "unauthorized") {
        this.store.strava.deleteTokens(athleteId);
        this.log(`strava: athlete ${athleteId} revoked hotpot's access; their tokens are deleted`);
        return;
      }
      throw err;
    }
    this.log(`strava: deauthorization of athlete ${athleteId} ignored: Strava still accepts hotpot's tokens`);
  }
}

function describe(e: { object_type: string; object_id: number; aspect_type: string }): string {
  return `${e.aspect_type} of ${e.object_type} ${e.object_id}`;
}
