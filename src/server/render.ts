/**
 * GET /render?bounds=W,S,E,N&width&height&format&color|gradient&scale&mode&filter&before&after
 * (only with --render): the `render` command over HTTP. Drawn by a Renderer
 * (a worker thread), so a slow 3000 × 3000 image does not hold up tiles.
 */
import { parseBounds, parseFormat } from "../args.ts";
import { queryKey } from "../query.ts";
import { planBounds } from "../render.ts";
import type { Store } from "../store.ts";
import { etagOf, ifNoneMatch } from "./etag.ts";
import { bytesResponse, searchParams } from "./http.ts";
import { CONTENT_TYPE } from "./image.ts";
import { activityQuery, intParam, modeParam, paletteParam, paletteSpec, scaleParam } from "./params.ts";
import type { ImageFormat } from "../encode.ts";
import type { Renderer } from "./render-pool.ts";

/** Largest width or height: 3000² counts are 9 MB; the drawing's stamps and the encoder's rows add about three times that. */
export const MAX_RENDER_SIZE = 3000;

export const formatParam = (params: URLSearchParams): ImageFormat => parseFormat(params.get("format") || "png");

export function renderHandler(store: Store, renderer: Renderer, owner: (request: Request) => boolean) {
  return async (request: Request): Promise<Response> => {
    const params = searchParams(request);
    const bounds = parseBounds(params.get("bounds"));
    const width = intParam(params, "width", 1, MAX_RENDER_SIZE);
    const height = intParam(params, "height", 1, MAX_RENDER_SIZE);
    // Checks the bounds here, so a mistake is a 400 now rather than an error from the worker.
    const { version, config } = store.snapshot();
    planBounds(config, bounds, width, height);
    const format = formatParam(params);
    const palette = paletteParam(params);
    const scale = scaleParam(params);
    const mode = modeParam(params);
    const { query } = activityQuery(params, owner(request));
    const etag = etagOf(`render|${version}|${Object.values(bounds).join(",")}|${width}x${height}|${format}|${palette.key}|${scale}|${mode}|${queryKey(query)}`);
    const headers = {
      "Content-Type": CONTENT_TYPE[format],
      // Exports are one-offs: keep nothing, but let a repeat ask with If-None-Match.
      "Cache-Control": "no-cache",
      ETag: etag,
    };
    if (ifNoneMatch(request.headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers });
    // A full queue rejects with a busy HotpotError: errorResponse makes it a 503 with Retry-After.
    const bytes = await renderer.render({
      bounds,
      width,
      height,
      ...paletteSpec(params),
      query,
      format,
      scale,
      mode,
    });
    if (!bytes) return new Response(null, { status: 204, headers });
    return bytesResponse(bytes, headers);
  };
}
