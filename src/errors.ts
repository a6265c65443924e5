/**
 * The one error class of hotpot. `code` is stable and machine-readable; `status`
 * is the HTTP status a server answers with when the error reaches a handler.
 * Only user mistakes and bad input become HotpotErrors; anything else is a bug
 * and keeps its stack trace.
 */
export type ErrorCode =
  | "bad_argument" // a CLI flag or HTTP parameter is malformed or out of range
  | "bad_filter" // the property filter language could not be parsed
  | "bad_gradient" // a gradient string or preset name is wrong
  | "bad_file" // an activity file is unreadable or corrupt
  | "unsupported" // a file type hotpot does not read
  | "not_found" // a database, activity or mask that does not exist
  | "unauthorized" // a missing or wrong token
  | "forbidden" // a token or secret given but not the one configured
  | "too_large" // a request body or parameter over its bound
  | "not_allowed" // an HTTP method a route does not answer
  | "busy" // the server is at capacity for this kind of work: try again after `retryAfter` seconds
  | "config" // missing environment variables or settings
  | "upstream"; // a remote API (Strava, intervals.icu) failed

const STATUS: Record<ErrorCode, number> = {
  bad_argument: 400,
  bad_filter: 400,
  bad_gradient: 400,
  bad_file: 422,
  unsupported: 415,
  not_found: 404,
  unauthorized: 401,
  forbidden: 403,
  too_large: 413,
  not_allowed: 405,
  busy: 503,
  config: 500,
  upstream: 502,
};

export interface HotpotErrorOptions {
  /** Instead of the code's usual status (a file too large to unpack is 422, not 413). */
  status?: number;
  /** For `busy`: when to try again, in seconds (HTTP's Retry-After). */
  retryAfter?: number;
  /** Headers the HTTP answer needs (WWW-Authenticate with a 401, Allow with a 405, Connection: close after an unread body). */
  headers?: Record<string, string>;
}

export class HotpotError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryAfter: number | undefined;
  readonly headers: Readonly<Record<string, string>>;
  constructor(code: ErrorCode, message: string, options: HotpotErrorOptions = {}) {
    super(message);
    this.name = "HotpotError";
    this.code = code;
    this.status = options.status ?? STATUS[code];
    this.retryAfter = options.retryAfter;
    this.headers = options.headers ?? {};
  }
}

export function isHotpotError(e: unknown): e is HotpotError {
  return e instanceof HotpotError;
}
