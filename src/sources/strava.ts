/**
 * Strava's OAuth and REST API: the token dance, and turning an activity plus its
 * streams into the same ParsedActivity a file gives. Base URLs come from the
 * environment so tests talk to a local fake that follows Strava's documentation.
 */
import { HotpotError } from "../errors.ts";
import type { Store, TokenSet } from "../store.ts";
import type { ParseResult, Properties } from "../types.ts";

export interface StravaEnv {
  clientId: string;
  clientSecret: string;
  /** The webhook's verify token; "" for `strava-auth`, which does not need it. */
  webhookSecret: string;
  /** STRAVA_SUBSCRIPTION_ID, the id Strava gave the webhook subscription: events naming another are ignored. Null when not set. */
  subscriptionId: number | null;
  apiUrl: string;
  oauthUrl: string;
}

/** What each feature needs from the environment. */
const NEEDS = {
  auth: ["STRAVA_CLIENT_ID", "STRAVA_CLIENT_SECRET"],
  webhook: ["STRAVA_CLIENT_ID", "STRAVA_CLIENT_SECRET", "STRAVA_WEBHOOK_SECRET"],
} as const;

const FEATURE = { auth: "hotpot strava-auth", webhook: "hotpot serve --strava-webhook" } as const;

/** Reads the Strava settings, stopping with the names of any missing variables. */
export function stravaEnv(feature: keyof typeof NEEDS, env: Record<string, string | undefined> = process.env): StravaEnv {
  const missing = NEEDS[feature].filter((name) => !env[name]?.trim());
  if (missing.length > 0) {
    throw new HotpotError(
      "config",
      `${FEATURE[feature]} needs the environment variable${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (from your Strava API application at https://www.strava.com/settings/api${feature === "webhook" ? "; STRAVA_WEBHOOK_SECRET is any secret string you choose" : ""})`,
    );
  }
  return {
    clientId: env.STRAVA_CLIENT_ID!.trim(),
    clientSecret: env.STRAVA_CLIENT_SECRET!.trim(),
    webhookSecret: env.STRAVA_WEBHOOK_SECRET?.trim() ?? "",
    subscriptionId: subscriptionId(env.STRAVA_SUBSCRIPTION_ID),
    apiUrl: (env.STRAVA_API_URL || "https://www.strava.com/api/v3").replace(/\/+$/, ""),
    oauthUrl: (env.STRAVA_OAUTH_URL || "https://www.strava.com/oauth").replace(/\/+$/, ""),
  };
}

function subscriptionId(text: string | undefined): number | null {
  if (!text?.trim()) return null;
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id <= 0) throw new HotpotError("config", `STRAVA_SUBSCRIPTION_ID: expected the subscription's id (a whole number), found '${text.slice(0, 40)}'`);
  return id;
}

/** Strava refused for its rate limit: try again no earlier than `retryAt` (Unix ms). */
export class RateLimited extends Error {
  constructor(readonly retryAt: number) {
    super(`Strava rate limit reached; retrying after ${new Date(retryAt).toISOString()}`);
    this.name = "RateLimited";
  }
}

const QUARTER_MS = 15 * 60_000;
const DAY_MS = 86_400_000;

/**
 * When Strava's limits open again: the 15-minute window resets at :00, :15, :30
 * and :45, the daily one at midnight UTC. The usage headers ("short,daily")
 * say which one is spent; without them the next quarter is the guess.
 */
export function rateLimitRetryAt(headers: Headers, now = Date.now()): number {
  const nextQuarter = Math.floor(now / QUARTER_MS) * QUARTER_MS + QUARTER_MS;
  const nextMidnight = Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
  for (const prefix of ["X-ReadRateLimit", "X-RateLimit"]) {
    const limit = headers.get(`${prefix}-Limit`)?.split(",").map(Number);
    const usage = headers.get(`${prefix}-Usage`)?.split(",").map(Number);
    if (limit?.length === 2 && usage?.length === 2 && usage[1] >= limit[1]) return nextMidnight;
  }
  return nextQuarter;
}

export function authorizeUrl(env: StravaEnv, redirectUri: string): string {
  const params = new URLSearchParams({
    client_id: env.clientId,
    redirect_uri: redirectUri,
    response_type: "code",
    // Ask again only when the athlete has not authorized these scopes before.
    approval_prompt: "auto",
    // activity:read would miss private and "followers only" activities.
    scope: "activity:read_all",
  });
  return `${env.oauthUrl}/authorize?${params}`;
}


interface CallOptions extends RequestInit {
  /** What hotpot was doing, for messages: "fetching Strava activity 12". */
  what: string;
  /** The clock rate-limit retry times are computed from. */
  now: number;
}

/**
 * One request to Strava. 429 becomes RateLimited; 404 is HotpotError
 * not_found and 400/401 unauthorized, so callers can tell "gone" and
 * "refused" from a failure worth retrying.
 */
async function call(url: string, init: CallOptions): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    throw new HotpotError("upstream", `${init.what}: ${(e as Error).message}`);
  }
  if (res.status === 429) throw new RateLimited(rateLimitRetryAt(res.headers, init.now));
  if (res.ok) return res;
  const body = (await res.text()).slice(0, 200);
  const message = `${init.what}: Strava answered ${res.status} ${body}`;
  if (res.status === 404) throw new HotpotError("not_found", message);
  if (res.status === 400 || res.status === 401) throw new HotpotError("unauthorized", message);
  throw new HotpotError("upstream", message);
}

async function tokenRequest(env: StravaEnv, fields: Record<string, string>, what: string, now: number): Promise<TokenSet & { athlete?: { id: number } }> {
  const body = new URLSearchParams({ client_id: env.clientId, client_secret: env.clientSecret, ...fields });
  const res = await call(`${env.oauthUrl}/token`, { method: "POST", body, what, now });
  const json = (await res.json()) as TokenSet & { athlete?: { id: number } };
  if (!json.access_token || !json.refresh_token || typeof json.expires_at !== "number") {
    throw new HotpotError("upstream", `${what}: Strava's answer lacks access_token, refresh_token or expires_at`);
  }
  return json;
}

/** Exchanges an authorization code and stores the athlete's tokens. */
export async function exchangeCode(env: StravaEnv, store: Store, code: string, now = Date.now()): Promise<{ athleteId: number }> {
  const tokens = await tokenRequest(env, { code, grant_type: "authorization_code" }, "exchanging the authorization code", now);
  const athleteId = tokens.athlete?.id;
  if (typeof athleteId !== "number") throw new HotpotError("upstream", "exchanging the authorization code: Strava's answer names no athlete");
  store.strava.saveTokens(athleteId, tokens);
  return { athleteId };
}


/** Refresh this long before expiry so a token never lapses between check and use. */
const REFRESH_MARGIN_S = 300;

function noTokens(athleteId: number): HotpotError {
  return new HotpotError("config", `no Strava tokens for athlete ${athleteId}: run \`hotpot strava-auth\` with this database and authorize`);
}

/**
 * Trades the stored refresh token for new tokens and stores them. Strava
 * rotates refresh tokens, and the old one stops working once the new one is
 * issued, so the new one is saved before anything else happens.
 */
export async function refreshTokens(env: StravaEnv, store: Store, athleteId: number, now = Date.now()): Promise<TokenSet> {
  const row = store.strava.tokens(athleteId);
  if (!row) throw noTokens(athleteId);
  const fresh = await tokenRequest(env, { grant_type: "refresh_token", refresh_token: row.refresh_token }, `refreshing the Strava token of athlete ${athleteId}`, now);
  store.strava.saveTokens(athleteId, fresh);
  return fresh;
}

/** A valid access token for the athlete, refreshed when close to expiry. */
export async function accessToken(env: StravaEnv, store: Store, athleteId: number, now = Date.now()): Promise<string> {
  const row = store.strava.tokens(athleteId);
  if (!row) throw noTokens(athleteId);
  if (row.expires_at - REFRESH_MARGIN_S > now / 1000) return row.access_token;
  return (await refreshTokens(env, store, athleteId, now)).access_token;
}

/** The fields of Strava's DetailedActivity that hotpot reads. */
export interface StravaActivity {
  id: number;
  athlete?: { id: number };
  name?: string;
  type?: string;
  sport_type?: string;
  start_date?: string;
  trainer?: boolean;
  manual?: boolean;
  gear?: { id?: string; name?: string } | null;
  [key: string]: unknown;
}

interface Stream<T> {
  data: T[];
}
export interface StravaStreams {
  latlng?: Stream<[number, number]>;
  time?: Stream<number>;
  altitude?: Stream<number>;
}

async function getJson<T>(env: StravaEnv, token: string, path: string, what: string, now: number): Promise<T> {
  const res = await call(`${env.apiUrl}${path}`, { headers: { Authorization: `Bearer ${token}` }, what, now });
  return (await res.json()) as T;
}

export function getActivity(env: StravaEnv, token: string, id: number, now = Date.now()): Promise<StravaActivity> {
  return getJson(env, token, `/activities/${id}`, `fetching Strava activity ${id}`, now);
}

export function getStreams(env: StravaEnv, token: string, id: number, now = Date.now()): Promise<StravaStreams> {
  return getJson(env, token, `/activities/${id}/streams?keys=latlng,time,altitude&key_by_type=true`, `fetching the streams of Strava activity ${id}`, now);
}

/**
 * Strava fields kept as properties, under the API's names. A list rather than
 * "every scalar": the API also sends counters, internal ids and an embed
 * token that have no place in a heatmap's filters. Distances, times and
 * speeds are left out because hotpot computes its own from the track.
 */
const KEPT_FIELDS = [
  "sport_type",
  "description",
  "commute",
  "private",
  "visibility",
  "gear_id",
  "device_name",
  "workout_type",
  "start_date_local",
  "timezone",
  "calories",
  "kilojoules",
  "average_watts",
  "weighted_average_watts",
  "average_heartrate",
  "max_heartrate",
  "average_cadence",
] as const;

/**
 * A Strava activity's properties, named like the columns of Strava's bulk
 * export where they overlap (activity_id, activity_name, activity_type,
 * activity_gear), so filters work the same on imported and webhook activities.
 */
export function stravaProperties(a: StravaActivity): Properties {
  const props: Properties = { activity_id: a.id };
  if (a.name) props.activity_name = a.name;
  if (a.type) props.activity_type = a.type;
  if (a.gear?.name) props.activity_gear = a.gear.name;
  for (const k of KEPT_FIELDS) {
    const v = a[k];
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") props[k] = v;
  }
  return props;
}

/** Why an activity has nothing to draw, judged from its summary alone (no streams fetched); null when it may. */
export function stravaSkipReason(a: StravaActivity): { skip: "virtual" | "no_track_data"; detail: string } | null {
  const type = a.sport_type ?? a.type ?? "";
  if (a.trainer === true) return { skip: "virtual", detail: `Strava activity ${a.id} was recorded on a trainer` };
  if (/^virtual/i.test(type)) return { skip: "virtual", detail: `Strava activity ${a.id} is a ${type}` };
  if (a.manual === true) return { skip: "no_track_data", detail: `Strava activity ${a.id} was entered by hand` };
  return null;
}

/**
 * An activity and its streams as a parser would have read them from a file.
 * `time` counts seconds from the start, so absolute times need start_date.
 */
export function parsedFromStrava(a: StravaActivity, streams: StravaStreams): ParseResult {
  const skip = stravaSkipReason(a);
  if (skip) return skip;
  const latlng = streams.latlng?.data ?? [];
  if (latlng.length === 0) return { skip: "no_track_data", detail: `Strava activity ${a.id} has no GPS stream` };
  const start = a.start_date ? Date.parse(a.start_date) : NaN;
  const time = streams.time?.data;
  const alt = streams.altitude?.data;
  const n = latlng.length;
  const seg = { lat: new Array<number>(n), lon: new Array<number>(n), ele: new Array<number>(n), time: new Array<number>(n) };
  for (let i = 0; i < n; i++) {
    seg.lat[i] = latlng[i][0];
    seg.lon[i] = latlng[i][1];
    seg.ele[i] = alt?.[i] ?? NaN;
    seg.time[i] = time && Number.isFinite(start) ? start + time[i] * 1000 : NaN;
  }
  return {
    title: a.name,
    startTime: Number.isFinite(start) ? start : undefined,
    properties: stravaProperties(a),
    segments: [seg],
  };
}
