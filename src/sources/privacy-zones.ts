/**
 * Strava's privacy zones (privacy_zones.csv in the bulk export) as hotpot
 * masks, so a user's Strava privacy settings carry over to the heatmap.
 *
 * Exports differ: most give an address and a radius ("200 m", "0.2 km",
 * "0.12 mi"), some give latitude and longitude columns or coordinates in the
 * address cell. Only coordinates can become masks here: turning an address
 * into coordinates needs a geocoding service, and hotpot stays offline, so for
 * those zones the user gets the exact `hotpot mask add` command to complete.
 */
import { readFileSync } from "node:fs";
import { CLI_MAX_FILE_BYTES } from "../decompress.ts";
import { HotpotError, isHotpotError } from "../errors.ts";
import { parseCsv } from "../import/csv.ts";
import { openSource } from "../import/sources.ts";
import { inflateEntry } from "../import/zip.ts";
import { addMask, DEFAULT_MASK_RADIUS_M } from "../mask.ts";
import type { Store } from "../store.ts";
import type { Mask } from "../types.ts";
import { shellQuote } from "./_shell.ts";

export const ZONES_FILE = "privacy_zones.csv";

export interface PrivacyZone {
  /** The mask name it gets: strava_zone_<row>, stable across re-imports. */
  name: string;
  address: string | null;
  lat: number | null;
  lng: number | null;
  /** Metres; null when the radius cell could not be read. */
  radius: number | null;
}

/** Header names by role, normalised (lower case, letters only), in the export's languages. */
const COLUMNS = {
  address: ["address", "adresse", "direccion", "dirección", "indirizzo", "adres", "endereco", "endereço"],
  radius: ["radius", "radio", "raggio", "rayon", "straal", "raio"],
  lat: ["lat", "latitude", "latitud", "breitengrad", "latitudine", "breedtegraad"],
  lng: ["lng", "lon", "long", "longitude", "longitud", "längengrad", "laengengrad", "longitudine", "lengtegraad"],
} as const;

const normalise = (h: string) => h.trim().toLowerCase().replace(/[^\p{L}]/gu, "");

/** Metres per unit a radius may be written in. */
const UNITS: Record<string, number> = { m: 1, km: 1000, mi: 1609.344, ft: 0.3048, yd: 0.9144 };

/** "200 m", "0,2 km", "0.125 mi", "200" (metres) → metres; null for anything else. */
export function parseRadius(text: string): number | null {
  const m = text.trim().match(/^(\d+(?:[.,]\d+)?)\s*([a-z]*)$/i);
  if (!m) return null;
  const unit = UNITS[(m[2] || "m").toLowerCase()];
  const value = Number(m[1].replace(",", ".")) * (unit ?? NaN);
  return Number.isFinite(value) && value > 0 ? Math.round(value * 10) / 10 : null;
}

const inRange = (lat: number, lng: number) => Math.abs(lat) <= 90 && Math.abs(lng) <= 180;

/** "52.52, 13.405" in an address cell: a zone set by dropping a pin. */
function coordinatesIn(text: string): [number, number] | null {
  const m = text.trim().match(/^(-?\d{1,2}(?:\.\d+)?)\s*[,;\s]\s*(-?\d{1,3}(?:\.\d+)?)$/);
  if (!m) return null;
  const lat = Number(m[1]);
  const lng = Number(m[2]);
  return inRange(lat, lng) ? [lat, lng] : null;
}

export function parsePrivacyZones(text: string, source = ZONES_FILE): PrivacyZone[] {
  const [header, ...rows] = parseCsv(text, source);
  if (!header) return [];
  const names = header.map(normalise);
  const col = (role: keyof typeof COLUMNS) => names.findIndex((n) => (COLUMNS[role] as readonly string[]).includes(n));
  const c = { address: col("address"), radius: col("radius"), lat: col("lat"), lng: col("lng") };
  const cell = (row: string[], i: number) => (i >= 0 ? (row[i] ?? "").trim() : "");
  return rows.map((row, i): PrivacyZone => {
    const address = cell(row, c.address) || null;
    let lat: number | null = null;
    let lng: number | null = null;
    const latText = cell(row, c.lat).replace(",", ".");
    const lngText = cell(row, c.lng).replace(",", ".");
    if (latText && lngText && inRange(Number(latText), Number(lngText))) {
      lat = Number(latText);
      lng = Number(lngText);
    } else if (address) {
      [lat, lng] = coordinatesIn(address) ?? [null, null];
    }
    return { name: `strava_zone_${i + 1}`, address, lat, lng, radius: parseRadius(cell(row, c.radius)) };
  });
}

/** The privacy_zones.csv an import path holds (at its root, or the shallowest one), or null. */
export function readPrivacyZones(path: string): PrivacyZone[] | null {
  const source = openSource(path);
  const candidates = source.items.filter((i) => i.rel === ZONES_FILE || i.rel.endsWith(`/${ZONES_FILE}`));
  if (candidates.length === 0) return null;
  const item = candidates.reduce((a, b) => (a.rel.split("/").length <= b.rel.split("/").length ? a : b));
  let bytes: Uint8Array;
  try {
    bytes = item.entry && source.zip ? inflateEntry(item.entry.method, source.zip.readRaw(item.entry), item.entry.size, CLI_MAX_FILE_BYTES) : readFileSync(item.path!);
  } catch (e) {
    // Zip errors leave naming the entry to the caller.
    if (!isHotpotError(e)) throw e;
    throw new HotpotError(e.code, `${item.rel}: ${e.message}`);
  }
  return parsePrivacyZones(new TextDecoder().decode(bytes), item.rel);
}

/**
 * The import's closing note on privacy zones, or null when PATH has none and
 * none were asked for. `db` is the --db value to repeat in printed commands
 * (null: the default database).
 */
export function privacyZonesNote(store: Store, path: string, options: { apply: boolean; db: string | null }): string | null {
  const zones = readPrivacyZones(path);
  if (zones === null) return options.apply ? `--privacy-zones: ${path} holds no ${ZONES_FILE} (Strava puts it at the root of the bulk export)` : null;
  const dbArg = options.db === null ? "" : ` --db ${shellQuote(options.db)}`;
  return privacyZonesReport(store, zones, { apply: options.apply, dbArg });
}

/**
 * What an import says about the zones, and with `apply` the masks it adds.
 * `dbArg` is the `--db` option to repeat in printed commands ("" for the default).
 */
export function privacyZonesReport(store: Store, zones: PrivacyZone[], options: { apply: boolean; dbArg: string }): string {
  const located = zones.filter((z) => z.lat !== null && z.lng !== null);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (!options.apply) {
    return (
      `${ZONES_FILE}: found ${plural(zones.length, "Strava privacy zone")} (${located.length} with coordinates, ${zones.length - located.length} address only). ` +
      `Import again with --privacy-zones to turn them into masks (no activity is imported twice).`
    );
  }
  const lines = [`${ZONES_FILE}: ${plural(zones.length, "Strava privacy zone")}.`];
  let masks = store.masks();
  let changed = false;
  for (const z of zones) {
    const radius = z.radius ?? DEFAULT_MASK_RADIUS_M;
    if (z.lat === null || z.lng === null) {
      lines.push(
        `  ${z.name}: "${z.address ?? "no address"}" has no coordinates, and hotpot cannot look addresses up offline. Find its latitude and longitude (for example on openstreetmap.org: right-click the place, "Show address") and run:`,
        `    hotpot mask add ${z.name} --latlng LAT,LNG --radius ${radius}${options.dbArg}`,
      );
      continue;
    }
    const mask: Mask = { name: z.name, lat: z.lat, lng: z.lng, radius };
    const where = `${z.lat}, ${z.lng}, radius ${radius} m${z.radius === null ? ", the default: the file's radius was unreadable" : ""}`;
    const old = masks.find((m) => m.name === z.name);
    if (old && old.lat === mask.lat && old.lng === mask.lng && old.radius === mask.radius) {
      lines.push(`  ${z.name}: mask already present (${where}).`);
      continue;
    }
    try {
      const added = addMask(masks, mask);
      masks = added.masks;
      changed = true;
      lines.push(`  ${z.name}: ${added.replaced ? "replaced the mask of that name" : "added mask"} (${where}).`);
    } catch (e) {
      if (!isHotpotError(e)) throw e;
      lines.push(`  ${z.name}: not added: ${e.message}`);
    }
  }
  if (changed) store.setConfig("activity_masks", masks);
  return lines.join("\n");
}
