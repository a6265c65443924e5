/**
 * A local stand-in for intervals.icu's API: HTTP Basic auth with user API_KEY,
 * athlete 0 meaning the key's owner, the activity list newest first with
 * oldest/newest (local dates, both inclusive) and limit, and original files
 * with a Content-Disposition name. Activities that came from Strava are listed
 * as stubs and cannot be downloaded, as on the real service.
 */
export interface FakeIcuActivity {
  id: string;
  name: string;
  type: string;
  start_date_local: string;
  source: string;
  strava_id?: string;
  trainer?: boolean;
  gear?: { id: string; name: string };
  /** The original file as served; absent for Strava-sourced activities. */
  file?: { name: string; bytes: Uint8Array };
}

export interface FakeIntervals {
  apiUrl: string;
  apiKey: string;
  activities: FakeIcuActivity[];
  /** Every request seen, as "METHOD /path?query". */
  requests: string[];
  /** Environment variables that point hotpot at this fake. */
  env(): Record<string, string>;
  stop(): void;
}

export function startFakeIntervals(apiKey = "icu-key"): FakeIntervals {
  const expected = `Basic ${btoa(`API_KEY:${apiKey}`)}`;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const url = new URL(req.url);
      fake.requests.push(`${req.method} ${url.pathname}${url.search}`);
      if (req.headers.get("authorization") !== expected) return Response.json({ status: 401, error: "Unauthorized" }, { status: 401 });
      if (url.pathname === "/api/v1/athlete/0/activities") {
        const oldest = url.searchParams.get("oldest");
        if (!oldest) return Response.json({ status: 422, error: "oldest is required" }, { status: 422 });
        const newest = url.searchParams.get("newest") ?? "9999-12-31";
        const limit = Number(url.searchParams.get("limit") ?? 1e9);
        const list = fake.activities
          .filter((a) => a.start_date_local.slice(0, 10) >= oldest && a.start_date_local.slice(0, 10) <= newest)
          .sort((a, b) => b.start_date_local.localeCompare(a.start_date_local))
          .slice(0, limit)
          .map(({ file: _file, ...a }) =>
            a.source === "STRAVA" ? { id: a.id, source: a.source, start_date_local: a.start_date_local, _note: "STRAVA activities are not available via the API" } : a,
          );
        return Response.json(list);
      }
      const m = url.pathname.match(/^\/api\/v1\/activity\/([^/]+)\/file$/);
      if (m) {
        const a = fake.activities.find((x) => x.id === decodeURIComponent(m[1]));
        if (!a) return Response.json({ status: 404, error: "Not found" }, { status: 404 });
        if (!a.file) return Response.json({ status: 422, error: "Activity is from Strava" }, { status: 422 });
        return new Response(a.file.bytes as Uint8Array<ArrayBuffer>, {
          headers: { "content-type": "application/octet-stream", "content-disposition": `attachment; filename="${a.file.name}"` },
        });
      }
      return Response.json({ status: 404, error: "Not found" }, { status: 404 });
    },
  });
  const apiUrl = `http://127.0.0.1:${server.port}/api/v1`;
  const fake: FakeIntervals = {
    apiUrl,
    apiKey,
    activities: [],
    requests: [],
    env: () => ({ INTERVALS_ICU_API_KEY: apiKey, INTERVALS_ICU_API_URL: apiUrl }),
    stop: () => server.stop(true),
  };
  return fake;
}
