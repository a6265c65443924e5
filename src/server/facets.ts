/**
 * GET /api/facets → {"types": [{"value", "count"}], "years": [{"year", "count"}]}: the
 * values worth a one-click filter on the map page (its chips), with how many activities
 * have each. Types are listed as written (`Ride`, `ride`, `cycling`); the page groups the
 * spellings of one sport. Cached per data version: it is a scan of every activity.
 */
import type { Store } from "../store.ts";
import { jsonResponse } from "./http.ts";

export interface Facets {
  types: { value: string; count: number }[];
  years: { year: number; count: number }[];
}

const cache = new WeakMap<Store, { version: number; facets: Facets }>();

export function facets(store: Store): Facets {
  const version = store.dataVersion();
  const cached = cache.get(store);
  if (cached?.version === version) return cached.facets;
  const result = { types: store.activityTypeCounts(), years: store.yearCounts() };
  cache.set(store, { version, facets: result });
  return result;
}

export const facetsHandler = (store: Store) => (): Response => jsonResponse(facets(store));
