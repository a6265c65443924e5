/**
 * The Strava tables: each athlete's OAuth tokens, and the webhook events that
 * wait in `strava_events` until applied (src/sources/strava-events.ts decides
 * what to do with them; this file only keeps them).
 */
import type { Database } from "bun:sqlite";

export interface TokenSet {
  access_token: string;
  refresh_token: string;
  /** Unix seconds. */
  expires_at: number;
}

/** An event as queued: Strava's fields, plus how often applying it failed and when to try next. */
export interface QueuedEvent {
  id: number;
  object_type: string;
  object_id: number;
  aspect_type: string;
  owner_id: number;
  event_time: number;
  /** JSON object as Strava sent it. */
  updates: string;
  attempts: number;
  /** Unix ms: no attempt before. */
  not_before: number;
  last_error: string | null;
}

export type NewEvent = Pick<QueuedEvent, "object_type" | "object_id" | "aspect_type" | "owner_id" | "event_time" | "updates" | "not_before">;

// The queue's head per object: the oldest event of each object that is due. Events of one
// activity apply in order (create before update before delete); different activities do
// not wait for each other, so one failing activity holds up nobody else.
const HEADS = `FROM strava_events e WHERE NOT EXISTS
  (SELECT 1 FROM strava_events p WHERE p.object_type = e.object_type AND p.object_id = e.object_id AND p.id < e.id)`;

export class StravaTables {
  constructor(private readonly db: Database) {}

  saveTokens(athleteId: number, t: TokenSet): void {
    this.db
      .query<never, [number, string, string, number]>(
        `INSERT INTO strava_tokens (athlete_id, access_token, refresh_token, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (athlete_id) DO UPDATE SET access_token = excluded.access_token, refresh_token = excluded.refresh_token, expires_at = excluded.expires_at`,
      )
      .run(athleteId, t.access_token, t.refresh_token, t.expires_at);
  }

  tokens(athleteId: number): TokenSet | null {
    return this.db.query<TokenSet, [number]>("SELECT access_token, refresh_token, expires_at FROM strava_tokens WHERE athlete_id = ?").get(athleteId);
  }

  /** False when the athlete had none. */
  deleteTokens(athleteId: number): boolean {
    return this.db.query<never, [number]>("DELETE FROM strava_tokens WHERE athlete_id = ?").run(athleteId).changes > 0;
  }

  eventCount(): number {
    return this.db.query<{ n: number }, []>("SELECT count(*) AS n FROM strava_events").get()!.n;
  }

  /** Whether an event of this kind about this object waits untried. */
  hasUntriedEvent(objectType: string, objectId: number, aspectType: string): boolean {
    return (
      this.db
        .query<{ 1: number }, [string, number, string]>(
          "SELECT 1 FROM strava_events WHERE object_type = ? AND object_id = ? AND aspect_type = ? AND attempts = 0 LIMIT 1",
        )
        .get(objectType, objectId, aspectType) !== null
    );
  }

  /** Events waiting that concern this athlete (its own athlete events and its activities'). */
  eventsOfAthlete(athleteId: number): number {
    return this.db
      .query<{ n: number }, [number]>("SELECT count(*) AS n FROM strava_events WHERE iif(object_type = 'athlete', object_id, owner_id) = ?")
      .get(athleteId)!.n;
  }

  /** False when the same event (Strava delivers some twice) is queued already. */
  enqueue(e: NewEvent): boolean {
    const r = this.db
      .query<never, [string, number, string, number, number, string, number]>(
        `INSERT OR IGNORE INTO strava_events (object_type, object_id, aspect_type, owner_id, event_time, updates, not_before)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(e.object_type, e.object_id, e.aspect_type, e.owner_id, e.event_time, e.updates, e.not_before);
    return r.changes > 0;
  }

  /** The oldest event due by `now` (Unix ms) that no earlier event of its object holds up. */
  nextDue(now: number): QueuedEvent | null {
    return this.db.query<QueuedEvent, [number]>(`SELECT * ${HEADS} AND e.not_before <= ? ORDER BY e.id LIMIT 1`).get(now);
  }

  /** When the earliest head of the queue is due (Unix ms); null when the queue is empty. */
  earliestDue(): number | null {
    return this.db.query<{ due: number | null }, []>(`SELECT min(e.not_before) AS due ${HEADS}`).get()!.due;
  }

  deleteEvent(id: number): void {
    this.db.query<never, [number]>("DELETE FROM strava_events WHERE id = ?").run(id);
  }

  /** Holds every queued event until `until` (Unix ms), noting why on one of them, without counting an attempt. */
  holdAll(until: number, id: number, reason: string): void {
    this.db.query<never, [number]>("UPDATE strava_events SET not_before = max(not_before, ?)").run(until);
    this.db.query<never, [string, number]>("UPDATE strava_events SET last_error = ? WHERE id = ?").run(reason, id);
  }

  /** Counts a failed attempt and sets when to try again. */
  retryLater(id: number, attempts: number, notBefore: number, error: string): void {
    this.db
      .query<never, [number, number, string, number]>("UPDATE strava_events SET attempts = ?, not_before = ?, last_error = ? WHERE id = ?")
      .run(attempts, notBefore, error, id);
  }
}
