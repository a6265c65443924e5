/**
 * POST /fetch/intervals.icu?lookback=30 (only with --fetch): `hotpot fetch
 * intervals-icu` over HTTP, for a cron job or a phone shortcut. It writes, so
 * it takes the upload token (HOTPOT_UPLOAD_TOKEN) the way POST /upload does.
 *
 *   curl -X POST -H "Authorization: Bearer $TOKEN" 'https://host/fetch/intervals.icu?lookback=7'
 */
import { Elysia } from "elysia";
import { fetchIntervals, parseLookback, type IntervalsEnv } from "../sources/intervals.ts";
import type { Store } from "../store.ts";
import { requireToken } from "./auth.ts";
import { jsonResponse, searchParams } from "./http.ts";

export function fetchRoutes(store: Store, env: IntervalsEnv, token: string | null, log: (line: string) => void = () => {}) {
  // One fetch at a time: a second one would download the same files again.
  let queue: Promise<unknown> = Promise.resolve();
  return new Elysia().post(
    "/fetch/intervals.icu",
    ({ request }) => {
      requireToken(request, token, "fetch");
      const lookbackDays = parseLookback(searchParams(request).get("lookback") ?? "30", "lookback");
      const run = queue.then(() => fetchIntervals(store, env, { lookbackDays, log }));
      queue = run.catch(() => undefined);
      return run.then((summary) => jsonResponse(summary));
    },
    { parse: "none" },
  );
}
