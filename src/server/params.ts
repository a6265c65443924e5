/**
 * Request parameters shared by /tile, /render and /api: parsed, bounded and
 * normalised once, so a bad value is a 400 naming the parameter and two URLs
 * meaning the same thing share one cache key.
 */
import { parseIntegerIn } from "../args.ts";
import type { ImageFormat } from "../encode.ts";
import { HotpotError } from "../errors.ts";
import { resolveGradient, type Palette } from "../palette.ts";
import { DEFAULT_MODE, parseMode, type Mode } from "../heat-mode.ts";
import { compileQuery, type CompiledQuery } from "../query.ts";
import { DEFAULT_SCALE, parseScale, type Scale } from "../scale.ts";
import { checkFilterKeys, isPrivateProperty } from "./privacy.ts";



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

/** `color` and `gradient` as given (empty: absent), for work that resolves the palette on another thread. */
export function paletteSpec(params: URLSearchParams): { color?: string; gradient?: string } {
  return { color: params.get("color") || undefined, gradient: params.get("gradient") || undefined };
}

/** `color` or `gradient` (not both) → the palette; palette.ts keeps parsed ones. */
export function paletteParam(params: URLSearchParams): Palette {
  return resolveGradient(paletteSpec(params));
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
  return parseIntegerIn(text, name, min, max);
}
