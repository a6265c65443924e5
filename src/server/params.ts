/**
 * Request parameters shared by /tile, /render and /api: parsed, bounded and
 * normalised once, so a bad value is a 400 naming the parameter and two URLs
 * meaning the same thing share one cache key.
 */
import { HotpotError } from "../errors.ts";
import { resolveGradient, type Palette } from "../palette.ts";
import { DEFAULT_MODE, parseMode, type Mode } from "../heat-mode.ts";
import { compileQuery, type CompiledQuery } from "../query.ts";
import { DEFAULT_SCALE, parseScale, type Scale } from "../scale.ts";
import { isValidTile, MAX_ZOOM } from "../tile.ts";
import { checkFilterKeys, isPrivateProperty } from "./privacy.ts";

import type { ImageFormat } from "../encode.ts";

export type { ImageFormat };
export type TileSize = 256 | 512 | 1024;

export interface TileAddress {
  z: number;
  x: number;
  y: number;
  size: TileSize;
  /** From a .png or .webp suffix; otherwise the Accept header decides. */
  format: ImageFormat | null;
}

const DIGITS = /^\d{1,10}$/;
/** `{y}`, `{y}@2x` (1024 px) or `{y}@small` (256 px), each with an optional .png or .webp: the Rust hotpot's URLs. */
const Y_SEGMENT = /^(\d{1,10})(@2x|@small)?(?:\.(png|webp))?$/;

export function parseTileAddress(zText: string, xText: string, yText: string): TileAddress {
  const ySpec = Y_SEGMENT.exec(yText);
  if (!DIGITS.test(zText) || !DIGITS.test(xText) || !ySpec) {
    throw new HotpotError("bad_argument", `tile: expected /tile/{z}/{x}/{y}[@2x|@small][.png|.webp] with integers, found /tile/${zText}/${xText}/${yText}`);
  }
  const z = Number(zText);
  const x = Number(xText);
  const y = Number(ySpec[1]);
  if (!isValidTile(z, x, y)) {
    const range = z <= MAX_ZOOM ? `x and y from 0 to ${2 ** z - 1}` : `z from 0 to ${MAX_ZOOM}`;
    throw new HotpotError("bad_argument", `tile: expected ${range}, found ${z}/${x}/${y}`);
  }
  const size: TileSize = ySpec[2] === "@2x" ? 1024 : ySpec[2] === "@small" ? 256 : 512;
  return { z, x, y, size, format: (ySpec[3] as ImageFormat | undefined) ?? null };
}

/** WebP when the client says it takes it, else PNG, which every client decodes. */
export function negotiateFormat(request: Request, fromSuffix: ImageFormat | null): ImageFormat {
  if (fromSuffix) return fromSuffix;
  return request.headers.get("accept")?.includes("image/webp") ? "webp" : "png";
}

/** A query compiled once per request, with whether it may go to shared caches. */
export interface CheckedQuery {
  /** null: all activities. */
  query: CompiledQuery | null;
  /** The filter names a private property (only the owner's may): answers must not go to shared caches. */
  private: boolean;
}

/**
 * Reads `filter`, `before` and `after`; an empty value counts as absent, as from an empty form field.
 * Only the owner's filters may name private properties (privacy.ts).
 */
export function activityQuery(params: URLSearchParams, owner = false): CheckedQuery {
  // Throws bad_filter / bad_argument (400) before any work; filter.ts bounds the length and caches.
  const query = compileQuery({ filter: params.get("filter") ?? undefined, before: params.get("before") ?? undefined, after: params.get("after") ?? undefined });
  const keys = query?.properties ?? [];
  checkFilterKeys(keys, owner);
  return { query, private: keys.some(isPrivateProperty) };
}

/** `color` or `gradient` (not both) → the palette; palette.ts keeps parsed ones. */
export function paletteParam(params: URLSearchParams): Palette {
  return resolveGradient({ color: params.get("color"), gradient: params.get("gradient") });
}

/** `scale` (scale.ts); absent or empty: the default. */
export function scaleParam(params: URLSearchParams): Scale {
  const text = params.get("scale");
  return text ? parseScale(text) : DEFAULT_SCALE;
}

/** `mode` (heat-mode.ts); absent or empty: the default. */
export function modeParam(params: URLSearchParams): Mode {
  const text = params.get("mode");
  return text ? parseMode(text) : DEFAULT_MODE;
}

/** An integer parameter within [min, max], or `fallback` when absent. */
export function intParam(params: URLSearchParams, name: string, min: number, max: number, fallback?: number): number {
  const text = params.get(name);
  if (text === null || text === "") {
    if (fallback !== undefined) return fallback;
    throw new HotpotError("bad_argument", `${name}: expected an integer from ${min} to ${max}, found nothing`);
  }
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || value < min || value > max) {
    throw new HotpotError("bad_argument", `${name}: expected an integer from ${min} to ${max}, found '${text.slice(0, 40)}'`);
  }
  return value;
}
