/**
 * GET /api/facets → {"types": [{"value", "count"}], "years": [{"year", "count"}]}: the
 * values worth a one-click filter on the map page (its chips), with how many activities
 * have each. Types are listed as written (`Ride`, `ride`, `cycling`); the page groups the
 * spellings of one sport. Cached per data version: it is a scan of every activity.
 */
import { PerVersion } from "../cache.ts";
import type { Store } from "../store.ts";
import { jsonResponse } from "./http.ts";

export interface Facets {
  types: { value: string; count: number }[];
  years: { year: number; count: number }[];
}

/** One answer per store and data version. */
const cache = new PerVersion<Store, "facets", Facets>({ maxEntries: 1 });

export function facets(store: Store): Facets {
  return cache.at(store, store.dataVersion()).remember("facets", () => ({ types: store.activityTypeCounts(), years: store.yearCounts() }));
}

export const facetsHandler = (store: Store) => (): Response => jsonResponse(facets(store));
