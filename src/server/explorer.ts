/**
 * Explorer tiles over HTTP (src/explorer-query.ts computes them):
 *
 *   GET /explorer/{z}/{x}/{y}[@2x|@small][.png|.webp]?zoom=14|17&filter&before&after
 *       the layer: explored cells, max cluster, max square; heat tiles' sizes, ETag, 304 and 204 rules
 *   GET /api/explorer?zoom&filter&before&after       {zoom, explored, max_square, max_cluster, by_year, by_month}
 *   GET /api/explorer/tiles?zoom&bbox=W,S,E,N&...     the explored cells in the box as GeoJSON polygons
 */
import { parseBounds, parseTileAddress } from "../args.ts";
import { drawExplorerTile, EXPLORER_PALETTE } from "../explorer-draw.ts";
import { cellsGeoJson, explore, parseExplorerZoom, summary } from "../explorer-query.ts";
import { queryKey } from "../query.ts";
import { encode } from "../encode.ts";
import { HotpotError } from "../errors.ts";
import { MAX_LAT } from "../tile.ts";
import { etagOf } from "./etag.ts";
import { jsonResponse, searchParams } from "./http.ts";
import { activityQuery, negotiateFormat } from "./params.ts";
import { answer, keepTile, notModified, tileCacheControl, type TileContext } from "./tiles.ts";

/** Cells one /api/explorer/tiles answer lists at most: a 1,000-cell answer is about 300 KB of GeoJSON. */
export const MAX_GEOJSON_CELLS = 20_000;

export function explorerHandlers(context: Pick<TileContext, "store" | "versions" | "cache" | "shared" | "owner">) {
  const { store, versions, cache, shared, owner } = context;
  return {
    tile(request: Request, zText: string, xText: string, yText: string): Response | Promise<Response> {
      const tile = parseTileAddress(zText, xText, yText);
      const params = searchParams(request);
      const zoom = parseExplorerZoom(params.get("zoom"));
      const { query, private: personal } = activityQuery(params, owner(request));
      const cacheControl = tileCacheControl(shared, personal);
      const format = negotiateFormat(request, tile.format);
      const version = versions.current();
      cache?.useVersion(version);
      const key = `explorer|${version}|${zoom}|${tile.z}/${tile.x}/${tile.y}|${tile.size}|${format}|${queryKey(query)}`;
      const hit = cache?.get(key);
      const etag = hit?.etag ?? etagOf(key);
      const early = notModified(request, etag, cacheControl) ?? (hit && answer(hit));
      if (early) return early;
      const drawn = drawExplorerTile(explore(store, zoom, query), tile.z, tile.x, tile.y, tile.size);
      const identity = { key, version, etag, format, cacheControl };
      if (!drawn) return keepTile(context, identity, new Uint8Array(0));
      const bytes = encode(format, drawn, tile.size, tile.size, EXPLORER_PALETTE);
      return bytes instanceof Promise ? bytes.then((b) => keepTile(context, identity, b)) : keepTile(context, identity, bytes);
    },

    numbers(request: Request): Response {
      const params = searchParams(request);
      const zoom = parseExplorerZoom(params.get("zoom"));
      const { query } = activityQuery(params, owner(request));
      return jsonResponse(summary(explore(store, zoom, query)));
    },

    cells(request: Request): Response {
      const params = searchParams(request);
      const zoom = parseExplorerZoom(params.get("zoom"));
      const { query } = activityQuery(params, owner(request));
      const bbox = parseBounds(params.get("bbox"), "bbox");
      if (bbox.west >= bbox.east || bbox.south >= bbox.north || bbox.west < -180 || bbox.east > 180 || bbox.south < -90 || bbox.north > 90) {
        throw new HotpotError("bad_argument", `bbox: expected -180 <= W < E <= 180 and -90 <= S < N <= 90, found '${params.get("bbox")!.slice(0, 80)}'`);
      }
      // Beyond the Web Mercator map there are no cells: clamp rather than refuse a map's whole-world view.
      const clamped = { ...bbox, south: Math.max(bbox.south, -MAX_LAT), north: Math.min(bbox.north, MAX_LAT) };
      return jsonResponse(cellsGeoJson(explore(store, zoom, query), clamped, MAX_GEOJSON_CELLS), 200, { "Content-Type": "application/geo+json" });
    },
  };
}
