/**
 * A local stand-in for Strava's OAuth and REST API, following the documented
 * requests and answers: form-encoded token exchange and refresh (refresh
 * tokens rotate: the old one stops working), Bearer-authenticated activity and
 * stream reads, 429 with X-RateLimit-* / X-ReadRateLimit-* headers when told
 * to refuse, deauthorization revoking every token of an athlete, and the push
 * subscription call, which validates the callback URL the way Strava does.
 */
import type { StravaActivity } from "../../src/sources/strava.ts";

export const FAKE_CLIENT_ID = "client-1";
export const FAKE_CLIENT_SECRET = "secret-1";
export const FAKE_CODE = "good-code";

export interface FakeStravaActivity {
  activity: StravaActivity;
  latlng: [number, number][];
  time: number[];
  altitude: number[];
}

export interface FakeStrava {
  url: string;
  oauthUrl: string;
  apiUrl: string;
  activities: Map<number, FakeStravaActivity>;
  /** Every request seen, as "METHOD /path?query". */
  requests: string[];
  tokenRequests: URLSearchParams[];
  /** Answer this many API reads with 429 before serving again. */
  rateLimitNext: number;
  /** Report the daily read limit as spent in 429 answers (else the 15-minute one). */
  dailyLimitSpent: boolean;
  /** Seconds from now at which newly issued tokens expire. */
  tokenLifetime: number;
  /** Milliseconds every answer waits (a slow Strava). */
  delayMs: number;
  /** The athlete revokes hotpot's access: every token issued to them stops working. */
  deauthorize(athleteId: number): void;
  /** Environment variables that point hotpot at this fake. */
  env(extra?: Record<string, string>): Record<string, string>;
  stop(): void;
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

const badRequest = (field: string) => json({ message: "Bad Request", errors: [{ resource: "Application", field, code: "invalid" }] }, 400);

export function startFakeStrava(athleteId = 4242): FakeStrava {
  let issued = 0;
  const access = new Map<string, { athlete: number; expiresAt: number }>();
  const refresh = new Map<string, number>(); // refresh token -> athlete
  const issue = (athlete: number) => {
    issued++;
    const expires_at = Math.floor(Date.now() / 1000) + fake.tokenLifetime;
    const t = { token_type: "Bearer", access_token: `access-${issued}`, refresh_token: `refresh-${issued}`, expires_at, expires_in: fake.tokenLifetime };
    access.set(t.access_token, { athlete, expiresAt: expires_at });
    refresh.set(t.refresh_token, athlete);
    return t;
  };

  async function token(req: Request): Promise<Response> {
    const form = new URLSearchParams(await req.text());
    fake.tokenRequests.push(form);
    if (form.get("client_id") !== FAKE_CLIENT_ID) return badRequest("client_id");
    if (form.get("client_secret") !== FAKE_CLIENT_SECRET) return badRequest("client_secret");
    if (form.get("grant_type") === "authorization_code") {
      if (form.get("code") !== FAKE_CODE) return badRequest("code");
      return json({ ...issue(athleteId), athlete: { id: athleteId, firstname: "Test" } });
    }
    if (form.get("grant_type") === "refresh_token") {
      const old = form.get("refresh_token") ?? "";
      const athlete = refresh.get(old);
      if (athlete === undefined) return badRequest("refresh_token");
      refresh.delete(old);
      return json(issue(athlete));
    }
    return badRequest("grant_type");
  }

  /** POST /push_subscriptions: Strava GETs the callback with a challenge and wants it echoed within 2 s. */
  async function subscribe(req: Request): Promise<Response> {
    const form = await req.formData();
    if (form.get("client_id") !== FAKE_CLIENT_ID || form.get("client_secret") !== FAKE_CLIENT_SECRET) return badRequest("client_id");
    const callback = String(form.get("callback_url") ?? "");
    const challenge = `challenge-${Math.random().toString(36).slice(2)}`;
    const url = `${callback}?${new URLSearchParams({ "hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": String(form.get("verify_token") ?? "") })}`;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const body = (await res.json()) as Record<string, unknown>;
      if (res.status === 200 && body["hub.challenge"] === challenge) return json({ id: 120475 });
    } catch {
      // Falls through to Strava's answer for a callback that did not validate.
    }
    return json({ message: "Bad Request", errors: [{ resource: "PushSubscription", field: "callback url", code: "GET to callback URL does not return 200" }] }, 400);
  }

  function read(req: Request, url: URL, id: number, streams: boolean): Response {
    const bearer = req.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
    const grant = access.get(bearer);
    if (!grant || grant.expiresAt * 1000 < Date.now()) return json({ message: "Authorization Error", errors: [{ resource: "Athlete", field: "access_token", code: "invalid" }] }, 401);
    if (fake.rateLimitNext > 0) {
      fake.rateLimitNext--;
      return json({ message: "Rate Limit Exceeded", errors: [{ resource: "Application", field: "rate limit", code: "exceeded" }] }, 429, {
        "X-RateLimit-Limit": "200,2000",
        "X-RateLimit-Usage": "201,250",
        "X-ReadRateLimit-Limit": "100,1000",
        "X-ReadRateLimit-Usage": fake.dailyLimitSpent ? "101,1000" : "101,250",
      });
    }
    const a = fake.activities.get(id);
    // Other athletes' private activities are invisible, exactly like deleted ones.
    if (!a || (a.activity.athlete?.id !== grant.athlete && a.activity.private)) {
      return json({ message: "Record Not Found", errors: [{ resource: "Activity", field: "id", code: "invalid" }] }, 404);
    }
    if (!streams) return json(a.activity);
    if (url.searchParams.get("key_by_type") !== "true") return json({ message: "expected key_by_type=true" }, 400);
    const keys = (url.searchParams.get("keys") ?? "").split(",");
    const n = a.latlng.length;
    const stream = (data: unknown[]) => ({ data, series_type: "distance", original_size: n, resolution: "high" });
    const out: Record<string, unknown> = { distance: stream(a.time.map((_, i) => i * 10)) };
    if (keys.includes("latlng") && n > 0) out.latlng = stream(a.latlng);
    if (keys.includes("time")) out.time = stream(a.time);
    if (keys.includes("altitude")) out.altitude = stream(a.altitude);
    return json(out);
  }

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      fake.requests.push(`${req.method} ${url.pathname}${url.search}`);
      if (fake.delayMs > 0) await Bun.sleep(fake.delayMs);
      if (req.method === "POST" && url.pathname === "/oauth/token") return token(req);
      if (req.method === "POST" && url.pathname === "/api/v3/push_subscriptions") return subscribe(req);
      const m = url.pathname.match(/^\/api\/v3\/activities\/(\d+)(\/streams)?$/);
      if (req.method === "GET" && m) return read(req, url, Number(m[1]), m[2] !== undefined);
      return json({ message: "Record Not Found" }, 404);
    },
  });
  const url = `http://127.0.0.1:${server.port}`;
  const fake: FakeStrava = {
    url,
    oauthUrl: `${url}/oauth`,
    apiUrl: `${url}/api/v3`,
    activities: new Map(),
    requests: [],
    tokenRequests: [],
    rateLimitNext: 0,
    dailyLimitSpent: false,
    tokenLifetime: 6 * 3600,
    delayMs: 0,
    deauthorize(athlete) {
      for (const [t, g] of access) if (g.athlete === athlete) access.delete(t);
      for (const [t, a] of refresh) if (a === athlete) refresh.delete(t);
    },
    env: (extra = {}) => ({
      STRAVA_CLIENT_ID: FAKE_CLIENT_ID,
      STRAVA_CLIENT_SECRET: FAKE_CLIENT_SECRET,
      STRAVA_WEBHOOK_SECRET: "verify-me",
      STRAVA_API_URL: `${url}/api/v3`,
      STRAVA_OAUTH_URL: `${url}/oauth`,
      ...extra,
    }),
    stop: () => server.stop(true),
  };
  return fake;
}

export interface FakeRideOptions {
  athleteId?: number;
  name?: string;
  type?: string;
  trainer?: boolean;
  manual?: boolean;
  private?: boolean;
  lat?: number;
  lng?: number;
  n?: number;
}

/** A plausible ride of `n` points heading east from a start point, about 1 km long. */
export function fakeRide(id: number, options: FakeRideOptions = {}): FakeStravaActivity {
  const n = options.manual ? 0 : (options.n ?? 120);
  const lat = options.lat ?? 52.52;
  const lng = options.lng ?? 13.4;
  const latlng: [number, number][] = [];
  const time: number[] = [];
  const altitude: number[] = [];
  for (let i = 0; i < n; i++) {
    latlng.push([lat + Math.sin(i / 15) * 0.001, lng + i * 0.0001]);
    time.push(i * 2);
    altitude.push(40 + Math.sin(i / 20) * 5);
  }
  return {
    activity: {
      id,
      resource_state: 3,
      athlete: { id: options.athleteId ?? 4242 },
      name: options.name ?? `Ride ${id}`,
      type: options.type ?? "Ride",
      sport_type: options.type ?? "Ride",
      start_date: "2026-05-01T07:00:00Z",
      start_date_local: "2026-05-01T09:00:00Z",
      trainer: options.trainer ?? false,
      manual: options.manual ?? false,
      commute: false,
      private: options.private ?? false,
      distance: 850,
      gear_id: "b123",
      gear: { id: "b123", name: "Blue bike" },
      embed_token: "not-for-properties",
      kudos_count: 3,
    },
    latlng,
    time,
    altitude,
  };
}
