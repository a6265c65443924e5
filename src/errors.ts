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
  | "too_large" // a request body or parameter over its bound
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
  too_large: 413,
  config: 500,
  upstream: 502,
};

export class HotpotError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  constructor(code: ErrorCode, message: string, status = STATUS[code]) {
    super(message);
    this.name = "HotpotError";
    this.code = code;
    this.status = status;
  }
}

export function isHotpotError(e: unknown): e is HotpotError {
  return e instanceof HotpotError;
}
