/**
 * Storing a few files on the calling thread: HTTP uploads and the Strava and
 * intervals.icu sources. The bulk importer (run.ts) does the same work in
 * workers. Each file is its own transaction, so a failed file writes nothing.
 */
import { SERVER_MAX_FILE_BYTES } from "../decompress.ts";
import type { Store } from "../store.ts";
import type { Properties } from "../types.ts";
import { prepareActivity, type PrepareOptions } from "./prepare.ts";

export interface IngestFile {
  name: string;
  bytes: Uint8Array;
  key?: string;
  properties?: Properties;
  title?: string;
}

export interface IngestResult {
  name: string;
  status: "added" | "duplicate" | "skipped" | "error";
  /** For skipped: no_track_data, virtual or unsupported; for error: what is wrong with the file. */
  reason?: string;
  key?: string;
}

/** Options every file of a store is prepared with (trim, zoom levels, extent), bounded as the server bounds files. */
export function prepareOptionsFor(store: Store, maxFileBytes = SERVER_MAX_FILE_BYTES): PrepareOptions {
  const config = store.config();
  return { zoomLevels: config.zoom_levels, tileExtent: config.tile_extent, trimDist: config.trim_dist, maxFileBytes };
}

export function ingestFiles(store: Store, files: IngestFile[]): IngestResult[] {
  const base = prepareOptionsFor(store);
  // Bytes already stored are a duplicate; knowing it before parsing saves the work. A keyed
  // file is parsed anyway: the store moves a file imported without its Strava id to that key.
  const isKnown = (hash: string) => store.findExisting(`file:${hash}`, hash) !== null;
  return files.map(({ name, bytes, key, properties, title }): IngestResult => {
    if (key && store.findExisting(key, null)) return { name, status: "duplicate", key };
    const result = prepareActivity(name, bytes, { ...base, key, properties, title, isKnown: key ? undefined : isKnown });
    if (!result.ok) {
      if (result.reason === "already_stored") return { name, status: "duplicate" };
      return { name, status: result.status, reason: result.reason };
    }
    const [outcome] = store.insertActivities([result.record]);
    return { name, status: outcome, key: result.record.key };
  });
}
