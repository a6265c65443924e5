/**
 * The HTTP application, without a listening socket: routes by concern, error
 * mapping and CORS. Tests drive it with `app.handle(new Request(...))`;
 * listen.ts puts it on a port. A feature that is switched off has no route,
 * so it answers 404 like any unknown path.
 *
 * The tile route is also handed to Bun's own router (hotRoutes), in front of
 * Elysia: on a cached tile Elysia's per-request work was a third of the cost
 * (29,000 against 39,000 req/s on two cores). Both paths run the same
 * handler, with the same error answers and CORS header.
 */
import { Elysia, type AnyElysia } from "elysia";
import { HotpotError, isHotpotError } from "../errors.ts";
import type { Store } from "../store.ts";
import { apiHandlers } from "./api.ts";
import { TileCache } from "./cache.ts";
import { Collector } from "./collect.ts";
import { DataVersion } from "./data-version.ts";
import { deleteHandler } from "./delete.ts";
import { explorerHandlers } from "./explorer.ts";

import { errorResponse } from "./http.ts";
import { renderHandler } from "./render.ts";
import type { Renderer } from "./render-pool.ts";
import { facetsHandler } from "./facets.ts";
import { featuresHandler } from "./features.ts";
import { homeHandler } from "./home.ts";
import { pageAssets } from "./page.ts";
import { access, type AccessOptions } from "./privacy.ts";
import { staticFiles, type AssetSource } from "./static.ts";
import { TileRenderer } from "./tile-helper.ts";
import { tileHandler } from "./tiles.ts";
import { uploadHandler, type UploadOptions } from "./upload.ts";

export interface AppOptions {
  store: Store;
  /** Where / and /static/ come from (default: public/ and the map library, embedded in a compiled executable). */
  assets?: AssetSource;
  /** Encoded tiles kept in this process (--cache-mb); default a 64 MB cache, null for none. */
  tileCache?: TileCache | null;
  /** Access-Control-Allow-Origin: * on GET answers (--cors; default off: no CORS headers at all). */
  cors?: boolean;
  /** POST /upload settings (--upload); absent = no such route. */
  upload?: UploadOptions;
  /** Draws /render images (--render); absent = no such route. */
  renderer?: Renderer;
  /** Draws tiles (default: on the request thread alone, with no helper thread). */
  tiles?: TileRenderer;
  /** Routes of optional sources (the Strava webhook, fetch), mounted as they are. */
  plugins?: AnyElysia[];
  /** Who sees private properties, and whether reading needs a token (privacy.ts); default: nobody, and no. */
  access?: AccessOptions;
}

/** Paths open without HOTPOT_READ_TOKEN: load balancers' health checks, and Strava, which cannot send a token. */
const OPEN_PATHS = new Set(["/healthz", "/strava/webhook"]);

export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

/** A GET route's handler, given the request and its path parameters. */
export type HotRoute = (request: Request, params: Record<string, string>) => Response | Promise<Response>;

const HOT_ROUTES = new WeakMap<AnyElysia, Record<string, HotRoute>>();

/** Routes of `app` that listen.ts serves through Bun's router, ahead of Elysia. */
export function hotRoutes(app: AnyElysia): Record<string, HotRoute> {
  return HOT_ROUTES.get(app) ?? {};
}

export function createApp(options: AppOptions): AnyElysia {
  const { store } = options;
  const files = staticFiles(options.assets ?? pageAssets());
  const cache = options.tileCache === undefined ? new TileCache(DEFAULT_CACHE_BYTES) : options.tileCache;
  const versions = new DataVersion(store);
  const accessOptions = options.access ?? { ownerToken: null, readToken: null };
  const { owner, refuse } = access(accessOptions);
  const tiles = options.tiles ?? new TileRenderer(store, { helper: false });
  const shared = accessOptions.readToken === null;
  const tile = tileHandler({ store, versions, cache, collector: new Collector(), tiles, shared, owner });
  const api = apiHandlers(store, owner);
  const explorer = explorerHandlers({ store, versions, cache, shared, owner });
  const home = homeHandler(store, owner);
  const features = featuresHandler(store, { upload: !!options.upload, token: !!options.upload?.token, render: !!options.renderer });
  const allowOrigin = (request: Request, response: Response) => {
    if (options.cors && request.method === "GET") response.headers.set("Access-Control-Allow-Origin", "*");
    return response;
  };
  const tileRoute: HotRoute = (request, { z, x, y }) => {
    const refused = refuse(request);
    if (refused) return refused;
    try {
      const response = tile(request, z, x, y);
      return response instanceof Promise ? response.then((r) => allowOrigin(request, r), (e) => failed(request, e)) : allowOrigin(request, response);
    } catch (e) {
      return failed(request, e);
    }
  };
  // A user's mistake is readable cross-origin like any answer; a bug's 500 is not.
  const failed = (request: Request, error: unknown): Response => (isHotpotError(error) ? allowOrigin(request, errorResponse(error)) : errorResponse(error));

  // Hooks first: Elysia applies a hook only to routes added after it. standardHostname off:
  // by default Elysia looks for the path from the 12th character of the URL on, which
  // skips it behind a host of one or two letters (http://hp/ answered 404 for every page).
  let app: AnyElysia = new Elysia({ handler: { standardHostname: false } }).onError({ as: "global" }, ({ code, error, request }) => {
    if (code === "NOT_FOUND") return failed(request, notFound(app, request));
    if (code === "PARSE") return failed(request, new HotpotError("bad_argument", "the request body could not be read"));
    return failed(request, error);
  });
  if (options.cors) app = withCors(app, allowOrigin);
  if (accessOptions.readToken !== null) {
    app = app.onRequest(({ request }) => (OPEN_PATHS.has(new URL(request.url).pathname) ? undefined : (refuse(request) ?? undefined)));
  }

  // Handlers destructure only what they use: Elysia reads that to skip parsing bodies and queries they do not need.
  app = app
    .get("/tile/:z/:x/:y", ({ request, params }) => tileRoute(request, params))
    .get("/api/activity-count", ({ request }) => api.count(request))
    .get("/api/properties", ({ request }) => api.properties(request))
    .get("/api/activities", ({ request }) => api.activities(request))
    .get("/api/activities/:file", ({ request, params }) => api.geojson(request, params.file))
    .get("/api/bounds", ({ request }) => api.bounds(request))
    .get("/api/home", ({ request }) => home(request))
    .get("/api/facets", facetsHandler(store))
    .get("/api/features", () => features())
    .get("/explorer/:z/:x/:y", ({ request, params }) => explorer.tile(request, params.z, params.x, params.y))
    .get("/api/explorer", ({ request }) => explorer.numbers(request))
    .get("/api/explorer/tiles", ({ request }) => explorer.cells(request))
    .get("/healthz", () => api.health())
    .get("/", ({ request }) => files.page(request))
    .get("/static/*", ({ request }) => files.asset(request));
  if (options.renderer) {
    const render = renderHandler(store, options.renderer, owner);
    app = app.get("/render", ({ request }) => render(request));
  }
  if (options.upload) {
    const upload = uploadHandler(store, options.upload, () => versions.changed());
    app = app.post("/upload", ({ request }) => upload(request), { parse: "none" });
    const remove = deleteHandler(store, options.upload.token, () => versions.changed());
    app = app.delete("/api/activities/:key", ({ request, params }) => remove(request, params.key));
  }
  for (const plugin of options.plugins ?? []) app = app.use(plugin);
  HOT_ROUTES.set(app, { "/tile/:z/:x/:y": tileRoute });
  return app;
}

const ROUTE_TESTS = new WeakMap<AnyElysia, { test: RegExp; method: string }[]>();

/** Methods by route pattern, as Elysia lists them (`/tile/:z/:x/:y` → a path test), built at the first miss, once every route is added. */
function routeTests(app: AnyElysia): { test: RegExp; method: string }[] {
  let tests = ROUTE_TESTS.get(app);
  if (!tests) ROUTE_TESTS.set(app, (tests = routeList(app)));
  return tests;
}

function routeList(app: AnyElysia): { test: RegExp; method: string }[] {
  return app.routes.map((r: { method: string; path: string }) => ({
    method: r.method,
    test: new RegExp(`^${r.path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:[^/]+/g, "[^/]+").replace(/\*/g, ".*")}$`),
  }));
}

/** 405 with Allow when the path exists for other methods (RFC 9110 15.5.6), else 404. */
function notFound(app: AnyElysia, request: Request): HotpotError {
  const path = new URL(request.url).pathname;
  const methods = new Set(routeTests(app).filter((r) => r.test.test(path)).map((r) => r.method));
  if (methods.size === 0 || methods.has(request.method)) return new HotpotError("not_found", "not found");
  if (methods.has("GET")) methods.add("HEAD");
  const allow = [...methods].sort().join(", ");
  return new HotpotError("not_allowed", `method ${request.method.slice(0, 20)} is not allowed here (allowed: ${allow})`, { headers: { Allow: allow } });
}

/** GET from any origin, and the preflight a cross-origin conditional request needs. */
function withCors(app: AnyElysia, allowOrigin: (request: Request, response: Response) => Response): AnyElysia {
  return app
    .onAfterHandle({ as: "global" }, ({ request, responseValue }) => {
      if (responseValue instanceof Response) allowOrigin(request, responseValue);
    })
    .options("/*", () =>
      new Response(null, {
        status: 204,
        headers: {
          "Access-Control-Allow-Origin": "*",
          "Access-Control-Allow-Methods": "GET",
          "Access-Control-Allow-Headers": "If-None-Match, Accept",
          // Browsers may skip the preflight for a day.
          "Access-Control-Max-Age": "86400",
        },
      }),
    );
}
