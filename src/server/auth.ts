/**
 * The upload token (HOTPOT_UPLOAD_TOKEN), for POST /upload and the other
 * routes that write. Accepted as `Authorization: Bearer <token>`; as the
 * password of HTTP Basic auth and as a `token` query parameter for phone apps
 * that cannot set headers (the request log masks `token=`).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { HotpotError } from "../errors.ts";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Equal-length digests, so neither the comparison nor an early length check tells an attacker anything. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token a request offers, if any. */
function offeredToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (header) {
    const [scheme, value = ""] = header.trim().split(/\s+/, 2);
    if (scheme.toLowerCase() === "bearer") return value;
    if (scheme.toLowerCase() === "basic") {
      const decoded = Buffer.from(value, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      return colon < 0 ? null : decoded.slice(colon + 1);
    }
  }
  const q = request.url.indexOf("?");
  return q < 0 ? null : new URLSearchParams(request.url.slice(q + 1)).get("token");
}

/** Throws the 401 for a request that may not write; `route` names it in the message. */
export function requireToken(request: Request, token: string | null, route: string): void {
  if (authorized(request, token)) return;
  throw new HotpotError("unauthorized", `${route}: missing or wrong token (send Authorization: Bearer <HOTPOT_UPLOAD_TOKEN>)`, {
    headers: { "WWW-Authenticate": 'Bearer realm="hotpot"' },
  });
}

/** Whether a request may write: always when no token is configured. */
export function authorized(request: Request, token: string | null): boolean {
  if (token === null) return true;
  const offered = offeredToken(request);
  return offered !== null && sameSecret(offered, token);
}
