/**
 * One line per request: time, method, path, status, milliseconds, bytes.
 *
 *   2026-05-01T09:30:12Z GET /tile/12/2148/1436@2x.webp?filter=type%3DRide 200 0.4ms 28734B
 *
 * Query values whose names look secret (token, secret, password, code, key)
 * are replaced by *** and headers are never logged, so an upload token sent
 * as `?token=` or in `Authorization` cannot end up in a log file.
 */

export type LogSink = (line: string) => void;

const SECRET_PARAM = /token|secret|password|code|key/i;

/** The request's path and query as logged: no scheme or host, secret values masked. */
export function loggedPath(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const path = start < 0 ? "/" : url.slice(start);
  const q = path.indexOf("?");
  if (q < 0) return path;
  const masked = path
    .slice(q + 1)
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      const name = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && SECRET_PARAM.test(decodeName(name)) ? `${name}=***` : pair;
    })
    .join("&");
  return `${path.slice(0, q)}?${masked}`;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replaceAll("+", " "));
  } catch {
    return name;
  }
}

let stampSecond = -1;
let stamp = "";

/** ISO time to the second, formatted once per second however many requests arrive. */
function now(): string {
  const ms = Date.now();
  const second = Math.floor(ms / 1000);
  if (second !== stampSecond) {
    stampSecond = second;
    stamp = `${new Date(second * 1000).toISOString().slice(0, 19)}Z`;
  }
  return stamp;
}

export function requestLine(method: string, url: string, status: number, ms: number, bytes: number | null): string {
  return `${now()} ${method} ${loggedPath(url)} ${status} ${tenths(ms)}ms ${bytes === null ? "-" : `${bytes}B`}`;
}

/** `ms` to one decimal, as toFixed(1) gives it but without its cost (a twentieth of a cached tile's). */
function tenths(ms: number): string {
  const t = Math.round(ms * 10);
  return `${Math.floor(t / 10)}.${t % 10}`;
}

/**
 * Writes to stdout in batches: a write per request would cost more than
 * serving a cached tile. Batches stay under PIPE_BUF (4096 bytes on Linux)
 * and end at a line break, so the lines of several server processes sharing
 * one pipe never interleave mid-line.
 */
// Bun's own sink: a tenth of process.stdout.write's cost per batch.
const stdout = Bun.stdout.writer();

export class BatchedStdout {
  private buffer = "";
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** At most this long between a request and its line appearing. */
  static readonly FLUSH_MS = 100;
  static readonly BATCH_BYTES = 4000;

  readonly sink: LogSink = (line) => {
    if (this.buffer.length + line.length + 1 > BatchedStdout.BATCH_BYTES) this.flush();
    this.buffer += `${line}\n`;
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), BatchedStdout.FLUSH_MS);
      this.timer.unref();
    }
  };

  /** Resolves once the lines are handed to the OS: exiting earlier would drop those still queued for a slow pipe. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    stdout.write(this.buffer);
    this.buffer = "";
    return Promise.resolve(stdout.flush()).then(() => {});
  }
}
