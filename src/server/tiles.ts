/**
 * GET /tile/{z}/{x}/{y}[@2x|@small][.png|.webp]: reads like the HTTP spec.
 * Bad parameter → 400; matching If-None-Match → 304 before any rendering;
 * cached → the stored bytes; nothing drawn → 204; else render, encode, keep.
 *
 * On the cached path no SQLite work is done per request beyond the data
 * version, itself read at most once a millisecond (data-version.ts).
 */
import { parseTileAddress } from "../args.ts";
import { encode, type ImageFormat } from "../encode.ts";
import { isTimeMode, renderTileHeat } from "../heat-mode.ts";
import { scalePalette } from "../scale.ts";
import { queryKey } from "../query.ts";
import type { Store } from "../store.ts";
import type { TileCache, CachedTile } from "./cache.ts";
import type { Collector } from "./collect.ts";
import type { DataVersion } from "./data-version.ts";
import { etagOf, ifNoneMatch } from "./etag.ts";
import { searchParams } from "./http.ts";
import { CONTENT_TYPE } from "./image.ts";
import { activityQuery, modeParam, negotiateFormat, paletteParam, scaleParam } from "./params.ts";
import type { TileRenderer } from "./tile-helper.ts";

const REVALIDATE = [
  // Always ask again: a new upload must show up, and asking costs a 304 when nothing changed.
  "max-age=0",
  // ...but for a day a client may show the tile it has while that question is under way.
  "stale-while-revalidate=86400",
];
// A tile anyone may ask for shows nothing private, so shared caches may keep it too.
const PUBLIC = ["public", ...REVALIDATE].join(", ");
// Behind HOTPOT_READ_TOKEN, or drawn with a filter on the owner's private properties: only the asker's own cache.
const PRIVATE = ["private", ...REVALIDATE].join(", ");

/** Cache-Control of a tile: `shared` when reading needs no token, `personal` when its filter names a private property. */
export function tileCacheControl(shared: boolean, personal: boolean): string {
  return shared && !personal ? PUBLIC : PRIVATE;
}

export interface TileContext {
  store: Store;
  versions: DataVersion;
  /** null when --cache-mb is 0. */
  cache: TileCache | null;
  collector: Collector;
  tiles: TileRenderer;
  /** Whether a shared cache (a proxy, a CDN) may keep tiles: false when reading needs a token. */
  shared: boolean;
  /** Whether a request carries the owner's token (privacy.ts): only then may its filter name private properties. */
  owner: (request: Request) => boolean;
}

export function tileHandler({ store, versions, cache, collector, tiles, shared, owner }: TileContext) {
  return (request: Request, zText: string, xText: string, yText: string): Response | Promise<Response> => {
    const tile = parseTileAddress(zText, xText, yText);
    const params = searchParams(request);
    const palette = paletteParam(params);
    const scale = scaleParam(params);
    const mode = modeParam(params);
    const { query, private: personal } = activityQuery(params, owner(request));
    const cacheControl = tileCacheControl(shared, personal);
    const format = negotiateFormat(request, tile.format);
    const version = versions.current();
    cache?.useVersion(version);

    const key = `${version}|${tile.z}/${tile.x}/${tile.y}|${tile.size}|${format}|${palette.key}|${scale}|${mode}|${queryKey(query)}`;
    const hit = cache?.get(key);
    const etag = hit?.etag ?? etagOf(key);
    const early = notModified(request, etag, cacheControl) ?? (hit && answer(hit));
    if (early) return early;

    // Time modes number every activity of the tile in one raster: not split with the helper.
    const timed = isTimeMode(mode);
    const counts = timed ? renderTileHeat(store, tile.z, tile.x, tile.y, { size: tile.size, query, mode }) : tiles.render(tile.z, tile.x, tile.y, { size: tile.size, query });
    collector.rendered(tile.size * tile.size);
    const keep = (bytes: Uint8Array): Response => keepTile({ store, versions, cache }, { key, version, etag, format, cacheControl }, bytes);
    const encoded = (drawn: Uint8Array | null): Response => {
      if (!drawn) return keep(new Uint8Array(0));
      const bytes = encode(format, drawn, tile.size, tile.size, scalePalette(palette, drawn, scale, timed));
      tiles.release(drawn);
      return keep(bytes);
    };
    return counts instanceof Promise ? counts.then(encoded) : encoded(counts);
  };
}

/** 304 when the client's copy is current. */
export function notModified(request: Request, etag: string, cacheControl: string): Response | null {
  if (!ifNoneMatch(request.headers.get("if-none-match"), etag)) return null;
  return new Response(null, { status: 304, headers: { ETag: etag, "Cache-Control": cacheControl, Vary: "Accept" } });
}

/** What a drawn tile is filed under and answered with. */
export interface TileIdentity {
  key: string;
  /** The data version read before drawing. */
  version: number;
  etag: string;
  format: ImageFormat;
  cacheControl: string;
}

/** Answers encoded bytes (empty: nothing drawn, 204) and caches them if no write landed while drawing. */
export function keepTile(
  { store, versions, cache }: Pick<TileContext, "store" | "versions" | "cache">,
  { key, version, etag, format, cacheControl }: TileIdentity,
  bytes: Uint8Array,
): Response {
  const entry = cachedTile(bytes, format, etag, cacheControl);
  // A write that landed since `version` was read may or may not be in these pixels: do not file them under it.
  if (store.dataVersion() === version) cache?.set(key, entry);
  else versions.changed();
  return answer(entry);
}

/**
 * The image as a Blob with its headers, built once: a hit then only wraps
 * them in a Response, which shares the Blob's bytes and copies the Headers
 * natively (a sixth of the cost of building both from a Uint8Array and an object).
 */
function cachedTile(bytes: Uint8Array, format: ImageFormat, etag: string, cacheControl: string): CachedTile {
  const headers = new Headers({
    "Cache-Control": cacheControl,
    ETag: etag,
    // The same URL answers PNG or WebP depending on Accept.
    Vary: "Accept",
  });
  if (bytes.byteLength === 0) return { body: null, etag, headers };
  headers.set("Content-Type", CONTENT_TYPE[format]);
  headers.set("Content-Length", String(bytes.byteLength));
  return { body: new Blob([bytes as Uint8Array<ArrayBuffer>]), etag, headers };
}

/** Nothing drawn → 204. */
export function answer(tile: CachedTile): Response {
  return new Response(tile.body, { status: tile.body ? 200 : 204, headers: tile.headers });
}
