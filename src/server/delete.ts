/**
 * DELETE /api/activities/{key} (only with --upload, the switch that lets the
 * page write): removes one activity and its tiles. It takes the owner's token
 * (HOTPOT_UPLOAD_TOKEN) exactly as /upload does, so a server open to uploads
 * is open to deletes, and a protected one refuses both without the token.
 *
 *   204 deleted · 401 missing or wrong token · 404 no such activity
 */
import { HotpotError } from "../errors.ts";
import type { Store } from "../store.ts";
import { requireToken } from "./auth.ts";

/** `changed` is called after a delete, so this process's tiles drop the activity with the next request. */
export function deleteHandler(store: Store, token: string | null, changed: () => void = () => {}) {
  /** `key` is the last path segment, already percent-decoded by the router (`strava%3A1` → `strava:1`). */
  return (request: Request, key: string): Response => {
    requireToken(request, token, "delete");
    if (!store.deleteActivity(key)) throw new HotpotError("not_found", `activity ${JSON.stringify(key)} not found`);
    changed();
    return new Response(null, { status: 204 });
  };
}
