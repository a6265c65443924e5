/**
 * The JSON API the map page and scripts use. Every list is bounded; every
 * answer that costs a scan is cached per data version.
 *
 *   GET /api/activity-count?filter&before&after          n as plain text (as the Rust hotpot), or {"count": n} for Accept: application/json
 *   GET /api/properties                                  {"properties": [{key, count, types}]}
 *   GET /api/activities?limit&offset&filter&before&after {"total": n, "activities": [...]}
 *   GET /api/activities?near=LAT,LNG&zoom=Z&...           {"activities": [...]} (newest first)
 *   GET /api/activities/{key}.geojson                    the track as a GeoJSON Feature
 *   GET /api/bounds?filter&before&after                   {"bounds": [W, S, E, N] | null}
 *   GET /healthz                                         {"status": "ok", "data_version": v, "activities": n}
 */
import { PerVersion } from "../cache.ts";
import { controlCharacter } from "../control.ts";
import { HotpotError } from "../errors.ts";
import { countActivities, listActivities } from "../query.ts";
import type { Store } from "../store.ts";
import type { Properties } from "../types.ts";
import { activityFeature } from "./geojson.ts";
import { jsonResponse, searchParams } from "./http.ts";
import { activitiesNear, activityBounds, DEFAULT_NEAR_LIMIT, MAX_NEAR_LIMIT, parseNear } from "./near.ts";
import { activityQuery, intParam } from "./params.ts";
import { isPrivateProperty, visibleProperties } from "./privacy.ts";

/** Default page size of /api/activities. */
export const DEFAULT_LIST_LIMIT = 100;
/** Largest page: a row is about half a kilobyte of JSON. */
export const MAX_LIST_LIMIT = 1000;

export type PropertyType = "number" | "string" | "boolean" | "null" | "array" | "object";

export interface PropertyInfo {
  key: string;
  /** Activities that have this key. */
  count: number;
  types: PropertyType[];
}

const SQL_TYPE: Record<string, PropertyType> = {
  integer: "number",
  real: "number",
  text: "string",
  true: "boolean",
  false: "boolean",
  null: "null",
  array: "array",
  object: "object",
};

/** One list per store and data version: it is a scan of every activity's properties. */
const propertyCache = new PerVersion<Store, "list", PropertyInfo[]>({ maxEntries: 1 });

/** Every top-level property key with how many activities have it and the JSON types its values take. */
export function propertyInfo(store: Store): PropertyInfo[] {
  const cache = propertyCache.at(store, store.dataVersion());
  const cached = cache.get("list");
  if (cached) return cached;
  const rows = store.propertyTypes();
  const byKey = new Map<string, PropertyInfo>();
  for (const { key, type, n } of rows) {
    let info = byKey.get(key);
    if (!info) byKey.set(key, (info = { key, count: 0, types: [] }));
    // json_each lists a key once per activity, so counts per type add up to activities with the key.
    info.count += n;
    const t = SQL_TYPE[type] ?? "string";
    if (!info.types.includes(t)) info.types.push(t);
  }
  const list = [...byKey.values()];
  cache.set("list", list);
  return list;
}

/** `owner` tells whether a request carries the owner's token: only the owner sees and filters on private properties (privacy.ts). */
export function apiHandlers(store: Store, owner: (request: Request) => boolean = () => false) {
  /** Properties as this request may see them. */
  const shown = <T extends { properties: Properties }>(request: Request, items: T[]): T[] => {
    if (owner(request)) return items;
    return items.map((a) => ({ ...a, properties: visibleProperties(a.properties, false) }));
  };
  return {
    count(request: Request): Response {
      const { query } = activityQuery(searchParams(request), owner(request));
      const count = countActivities(store, query);
      // Scripts written for the Rust hotpot read the bare number; the page asks for JSON.
      if (request.headers.get("accept")?.includes("application/json")) return jsonResponse({ count });
      return new Response(String(count), { headers: { "Content-Type": "text/plain; charset=utf-8" } });
    },

    properties(request: Request): Response {
      const all = propertyInfo(store);
      return jsonResponse({ properties: owner(request) ? all : all.filter((p) => !isPrivateProperty(p.key)) });
    },

    activities(request: Request): Response {
      const params = searchParams(request);
      const { query } = activityQuery(params, owner(request));
      const near = params.get("near");
      if (near !== null) {
        const point = parseNear(near, params.get("zoom") ?? undefined);
        const limit = intParam(params, "limit", 1, MAX_NEAR_LIMIT, DEFAULT_NEAR_LIMIT);
        return jsonResponse({ activities: shown(request, activitiesNear(store, { ...point, limit, query })) });
      }
      const limit = intParam(params, "limit", 1, MAX_LIST_LIMIT, DEFAULT_LIST_LIMIT);
      const offset = intParam(params, "offset", 0, Number.MAX_SAFE_INTEGER, 0);
      return jsonResponse({ total: countActivities(store, query), activities: shown(request, listActivities(store, query, { limit, offset })) });
    },

    /** `file` is the last path segment, `{key}.geojson`, already percent-decoded by the router. */
    geojson(request: Request, file: string): Response {
      const control = controlCharacter(file);
      if (control) throw new HotpotError("bad_argument", `activity key: ${control} is not allowed`);
      const key = file.endsWith(".geojson") ? file.slice(0, -".geojson".length) : null;
      const feature = key === null ? null : activityFeature(store, key);
      if (!feature) throw new HotpotError("not_found", `activity ${JSON.stringify(key ?? file)} not found (expected /api/activities/{key}.geojson)`);
      const [visible] = shown(request, [feature]);
      return jsonResponse(visible, 200, { "Content-Type": "application/geo+json" });
    },

    bounds(request: Request): Response {
      const { query } = activityQuery(searchParams(request), owner(request));
      return jsonResponse({ bounds: activityBounds(store, query) });
    },

    /** For load balancers and Docker: touches one row and one count, never renders. */
    health(): Response {
      return jsonResponse({ status: "ok", data_version: store.dataVersion(), activities: store.activityCount() });
    },
  };
}
