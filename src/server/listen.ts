/**
 * Puts an app on a port: Bun.serve with the request log around every route
 * (plugins and the app's hot routes included) and a drain for shutdown.
 */
import type { BunRequest } from "bun";
import type { AnyElysia } from "elysia";
import { hotRoutes } from "./app.ts";
import { requestLine, type LogSink } from "./log.ts";

export interface ListenOptions {
  hostname: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Let other processes bind the same port; the kernel spreads connections among them. */
  reusePort: boolean;
  /** Where request lines go; null for none. */
  log: LogSink | null;
  /**
   * Bun refuses larger bodies before any handler runs, with a bare 413. Every
   * route that reads a body bounds it itself with a message (readLimited), and
   * Bun does not buffer a body nobody reads, so `hotpot serve` sets this far
   * above those bounds.
   */
  maxRequestBodySize: number;
}

export type HttpServer = ReturnType<typeof Bun.serve>;

export function listen(app: AnyElysia, options: ListenOptions): HttpServer {
  const { log } = options;
  const routes = Object.fromEntries(
    Object.entries(hotRoutes(app)).map(([path, route]) => [path, { GET: logged((request: BunRequest) => route(request, request.params), log) }]),
  );
  return Bun.serve({
    hostname: options.hostname,
    port: options.port,
    reusePort: options.reusePort,
    maxRequestBodySize: options.maxRequestBodySize,
    development: false,
    routes,
    fetch: logged(app.fetch, log),
  });
}

/** `handle` with a request line logged as each answer is ready. */
function logged<R extends Request>(handle: (request: R) => Response | Promise<Response>, log: LogSink | null) {
  if (!log) return handle;
  return (request: R) => {
    const start = performance.now();
    const done = (response: Response) => {
      const length = response.headers.get("content-length");
      log(requestLine(request.method, request.url, response.status, performance.now() - start, length === null ? null : Number(length)));
      return response;
    };
    const response = handle(request);
    return response instanceof Promise ? response.then(done) : done(response);
  };
}
