/**
 * Strava's two HTTP conversations: the one-time OAuth authorization
 * (`hotpot strava-auth`) and the webhook that announces new, changed and
 * deleted activities (`hotpot serve --strava-webhook`).
 *
 *   browser ── GET /strava/auth ──> 302 Strava authorize page ── "Authorize" ──>
 *   GET /strava/auth/exchange_token?code=… ──> POST {oauth}/token ──> tokens stored, curl shown
 *
 *   Strava ── GET /strava/webhook?hub.* ──> {"hub.challenge": …}       (once, when subscribing)
 *   Strava ── POST /strava/webhook {event} ──> queued, 200 at once ──> StravaEventProcessor
 */
import { Elysia } from "elysia";
import { readLimited } from "../decompress.ts";
import { HotpotError, isHotpotError } from "../errors.ts";
import { shellQuote } from "../sources/_shell.ts";
import { parseEvent, type Receipt, type StravaEvent } from "../sources/strava-events.ts";
import { authorizeUrl, exchangeCode, type StravaEnv } from "../sources/strava.ts";
import type { Store } from "../store.ts";
import { sameSecret } from "./auth.ts";
import { errorResponse, jsonResponse, searchParams } from "./http.ts";

/**
 * The public origin a request reached us at. Behind a proxy (Fly.io, nginx,
 * Caddy) the socket speaks plain HTTP, so the proxy's X-Forwarded-Proto/Host
 * tell the scheme and name the browser used.
 */
export function publicOrigin(req: Request): string {
  const url = new URL(req.url);
  const proto = req.headers.get("x-forwarded-proto")?.split(",")[0].trim() || url.protocol.replace(":", "");
  const host = req.headers.get("x-forwarded-host")?.split(",")[0].trim() || req.headers.get("host") || url.host;
  return `${proto}://${host}`;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string, status = 200): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · hotpot</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color-scheme:light dark}pre{white-space:pre-wrap;word-break:break-all;padding:1rem;border-radius:6px;background:#8882}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
  // The page may hold an athlete id and commands: keep it out of shared caches.
  return new Response(html, { status, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
}

/**
 * The command that registers the webhook subscription. The secrets stay shell
 * variables: this page may be seen by whoever can reach the server, and the
 * shell that runs the command has them in its environment anyway.
 */
export function subscribeCommand(env: StravaEnv, callbackUrl: string): string {
  return [
    `curl -X POST ${shellQuote(`${env.apiUrl}/push_subscriptions`)}`,
    `  -F client_id=${shellQuote(env.clientId)}`,
    `  -F client_secret="$STRAVA_CLIENT_SECRET"`,
    `  -F callback_url=${shellQuote(callbackUrl)}`,
    `  -F verify_token="$STRAVA_WEBHOOK_SECRET"`,
  ].join(" \\\n");
}

export function stravaAuthRoutes(store: Store, env: StravaEnv) {
  return new Elysia()
    .get("/strava/auth", ({ request }) => Response.redirect(authorizeUrl(env, `${publicOrigin(request)}/strava/auth/exchange_token`), 302))
    .get("/strava/auth/exchange_token", async ({ request }) => {
      const params = searchParams(request);
      const error = params.get("error");
      if (error) return page("Strava authorization refused", `<p>Strava answered <code>${escapeHtml(error)}</code>. <a href="/strava/auth">Try again</a> and press Authorize.</p>`, 400);
      const code = params.get("code");
      if (!code) return page("Missing code", `<p>This page expects Strava's <code>code</code> parameter. Start at <a href="/strava/auth">/strava/auth</a>.</p>`, 400);
      const scopes = (params.get("scope") ?? "").split(",");
      let athleteId: number;
      try {
        ({ athleteId } = await exchangeCode(env, store, code));
      } catch (e) {
        if (!isHotpotError(e)) throw e;
        return page("Strava authorization failed", `<p>${escapeHtml(e.message)}</p><p><a href="/strava/auth">Try again</a>.</p>`, 502);
      }
      const origin = publicOrigin(request);
      const scopeWarning = scopes.includes("activity:read_all")
        ? ""
        : `<p><strong>Warning:</strong> Strava granted only <code>${escapeHtml(scopes.join(",") || "no scope")}</code>: private activities will not arrive. <a href="/strava/auth">Authorize again</a> and keep “View data about your private activities” ticked.</p>`;
      return page(
        "Strava connected",
        `<p>Tokens for athlete ${athleteId} are stored in <code>${escapeHtml(store.path)}</code>.</p>${scopeWarning}
<p>Next, start the server where Strava can reach it over HTTPS, with the same database and environment:</p>
<pre>hotpot serve --strava-webhook</pre>
<p>Then register the webhook subscription once, from a shell where <code>STRAVA_CLIENT_SECRET</code> and <code>STRAVA_WEBHOOK_SECRET</code> are set:</p>
<pre>${escapeHtml(subscribeCommand(env, `${origin}/strava/webhook`))}</pre>
<p>If the server's public address is not <code>${escapeHtml(origin)}</code>, change <code>callback_url</code> to it. Strava checks the URL while you wait, so the server must already be running; the answer is JSON with the subscription's <code>id</code>.</p>`,
      );
    });
}

/** Strava's events are a few hundred bytes; anything much larger is not from Strava. */
const MAX_EVENT_BYTES = 16 * 1024;

/**
 * `receive` queues an event: StravaEventProcessor.receive in the process that
 * applies events, enqueueEvent in the server's other processes.
 */
export function stravaWebhookRoutes(env: StravaEnv, receive: (e: StravaEvent) => Receipt) {
  // Its own error mapping too: the routes are also mounted on their own, without the app's.
  return new Elysia()
    .onError(({ error }) => errorResponse(error))
    .get("/strava/webhook", ({ request }) => {
      const q = searchParams(request);
      const mode = q.get("hub.mode");
      const token = q.get("hub.verify_token");
      const challenge = q.get("hub.challenge");
      const missing = [mode === null && "hub.mode", token === null && "hub.verify_token", challenge === null && "hub.challenge"].filter(Boolean);
      if (missing.length > 0) throw new HotpotError("bad_argument", `webhook validation: missing ${missing.join(", ")} (Strava sends hub.mode=subscribe, hub.verify_token and hub.challenge)`);
      if (mode !== "subscribe") throw new HotpotError("bad_argument", `webhook validation: expected hub.mode=subscribe, found '${mode!.slice(0, 40)}'`);
      if (!sameSecret(token!, env.webhookSecret)) throw new HotpotError("forbidden", "webhook validation: hub.verify_token does not match STRAVA_WEBHOOK_SECRET");
      return jsonResponse({ "hub.challenge": challenge });
    })
    .post(
      "/strava/webhook",
      async ({ request }) => {
        const tooLarge = () => new HotpotError("too_large", `webhook event: body over ${MAX_EVENT_BYTES} bytes`, { headers: { Connection: "close" } });
        if (Number(request.headers.get("content-length") ?? 0) > MAX_EVENT_BYTES) throw tooLarge();
        let text: string;
        try {
          // Counted while read: a chunked body says nothing about its length up front.
          text = new TextDecoder().decode(await readLimited(request, MAX_EVENT_BYTES));
        } catch (e) {
          if (isHotpotError(e) && e.code === "too_large") throw tooLarge();
          throw e;
        }
        let event;
        try {
          event = parseEvent(JSON.parse(text));
        } catch (e) {
          // parseEvent's own errors are bad_argument already; JSON.parse's are not user-facing as they stand.
          throw isHotpotError(e) ? e : new HotpotError("bad_argument", "webhook event: the body is not JSON");
        }
        // An event of another subscription is not Strava's to us: dropped, but answered like any other.
        const receipt = env.subscriptionId !== null && event.subscription_id !== env.subscriptionId ? "ignored" : receive(event);
        // Strava retries a delivery that does not get 200 within 2 s; only a full queue wants that.
        if (receipt === "queue_full") throw new HotpotError("busy", "webhook event: the queue is full; try again later", { retryAfter: 900 });
        // One answer for queued, duplicate and ignored events, so a stranger cannot learn which athletes are connected.
        return jsonResponse({ status: "received" });
      },
      { parse: "none" },
    );
}
