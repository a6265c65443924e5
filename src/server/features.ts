/**
 * GET /api/features: what this server offers, so the page shows only the
 * buttons that work. Cheap enough to poll: one row read, no rendering.
 *
 *   {"upload": true, "token": false, "render": true, "version": 42, "gradients": {"orange": "1:fc4a1a;...", ...}}
 */
import { DEFAULT_PRESET, PRESETS } from "../palette.ts";
import type { Store } from "../store.ts";
import { jsonResponse } from "./http.ts";

export interface Features {
  /** POST /upload exists (--upload). */
  upload: boolean;
  /** Uploads need `Authorization: Bearer <HOTPOT_UPLOAD_TOKEN>`; never the token itself. */
  token: boolean;
  /** GET /render exists (--render). */
  render: boolean;
  /** The store's data version: it changes with every import, upload, delete or mask change. */
  version: number;
  /** Preset name → its stops, the default preset first, for the page's colour bars and editor. */
  gradients: Readonly<Record<string, string>>;
}

export function featuresHandler(store: Store, offered: { upload: boolean; token: boolean; render: boolean }) {
  return (): Response => {
    const features: Features = { ...offered, version: store.dataVersion(), gradients: { [DEFAULT_PRESET]: PRESETS[DEFAULT_PRESET], ...PRESETS } };
    // Always asked afresh: the version is how the page learns that new data has arrived.
    return jsonResponse(features, 200, { "Cache-Control": "no-store" });
  };
}
