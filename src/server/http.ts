/**
 * Response builders shared by the routes. Every body's length goes into
 * Content-Length so the request log can report bytes without reading bodies.
 */
import { isHotpotError } from "../errors.ts";

const encoder = new TextEncoder();

/** A one-line plain-text answer: errors and refusals, readable with curl. */
function textResponse(status: number, message: string, headers: Record<string, string> = {}): Response {
  const body = encoder.encode(`${message.replace(/\s*\n\s*/g, " ")}\n`);
  return new Response(body, {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Content-Length": String(body.byteLength), ...headers },
  });
}

/**
 * The one mapping of an error to HTTP: a HotpotError's status, message and
 * headers (Retry-After from `retryAfter`); anything else is a bug, logged
 * here and answered with a bare 500 that shows no stack trace.
 */
export function errorResponse(error: unknown): Response {
  if (!isHotpotError(error)) {
    console.error(error);
    return textResponse(500, "internal error (logged on the server)");
  }
  const retry: Record<string, string> = error.retryAfter === undefined ? {} : { "Retry-After": String(error.retryAfter) };
  return textResponse(error.status, error.message, { ...error.headers, ...retry });
}

export function jsonResponse(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  const body = encoder.encode(JSON.stringify(value));
  return new Response(body, {
    status,
    headers: { "Content-Type": "application/json", "Content-Length": String(body.byteLength), ...headers },
  });
}

export function bytesResponse(bytes: Uint8Array, headers: Record<string, string>, status = 200): Response {
  return new Response(bytes as Uint8Array<ArrayBuffer>, { status, headers: { ...headers, "Content-Length": String(bytes.byteLength) } });
}

/** The query string of a request, parsed only when there is one (most tile URLs have none). */
export function searchParams(request: Request): URLSearchParams {
  const url = request.url;
  const q = url.indexOf("?");
  return new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
}
