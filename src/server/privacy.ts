/**
 * What the HTTP server shows to whom. Some properties are the owner's alone:
 * free-text notes and descriptions, body measures, device serial numbers and
 * anything whose name says private (Strava's "Activity Private Note", its
 * `private` flag). Without the owner's token (HOTPOT_UPLOAD_TOKEN) answers
 * leave them out and filters may not name them, so neither a listing nor a
 * filter used as an oracle gives them away. The CLI shows everything.
 *
 * HOTPOT_READ_TOKEN, when set, closes the whole server (page, tiles, API) to
 * anyone without it or the owner's token.
 */
import { HotpotError } from "../errors.ts";
import type { Properties } from "../types.ts";
import { authorized } from "./auth.ts";
import { errorResponse } from "./http.ts";

/** Words that make a property private wherever they stand in its name: `athlete_weight`, `activityPrivateNote`. */
const PRIVATE_WORDS = new Set(["private", "note", "notes", "description", "weight", "height", "bmi", "serial"]);

export function isPrivateProperty(key: string): boolean {
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase().split(/[^a-z0-9]+/);
  return words.some((w) => PRIVATE_WORDS.has(w));
}

/** The properties a visitor may see; the same object when none is private. */
export function visibleProperties(properties: Properties, owner: boolean): Properties {
  if (owner) return properties;
  const keys = Object.keys(properties);
  if (!keys.some(isPrivateProperty)) return properties;
  return Object.fromEntries(keys.filter((k) => !isPrivateProperty(k)).map((k) => [k, properties[k]]));
}

/** Refuses, as a bad filter naming it, a private key a visitor's filter reads. */
export function checkFilterKeys(keys: readonly string[], owner: boolean): void {
  if (owner) return;
  const key = keys.find(isPrivateProperty);
  if (key !== undefined) {
    throw new HotpotError("bad_filter", `filter: property ${JSON.stringify(key)} is private (only the owner's token may filter on it)`);
  }
}

export interface AccessOptions {
  /** HOTPOT_UPLOAD_TOKEN: its holder sees private properties. */
  ownerToken: string | null;
  /** HOTPOT_READ_TOKEN: when set, every request needs it (or the owner's token). */
  readToken: string | null;
}

export interface Access {
  /** The request carries the owner's token. */
  owner(request: Request): boolean;
  /** A 401 for a request the read token keeps out, else null. */
  refuse(request: Request): Response | null;
}

export function access({ ownerToken, readToken }: AccessOptions): Access {
  const owner = (request: Request) => ownerToken !== null && authorized(request, ownerToken);
  return {
    owner,
    refuse(request) {
      if (readToken === null || authorized(request, readToken) || owner(request)) return null;
      // Basic makes a browser ask for it once; scripts send Authorization: Bearer.
      return errorResponse(
        new HotpotError("unauthorized", "this server needs a token (HOTPOT_READ_TOKEN): send Authorization: Bearer <token>, or any user name with it as password", {
          headers: { "WWW-Authenticate": 'Basic realm="hotpot", charset="UTF-8"' },
        }),
      );
    },
  };
}
