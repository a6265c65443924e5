/**
 * Storing a few files: HTTP uploads and the intervals.icu source prepare each
 * on an import worker (ingestInWorker), so a server's request thread only
 * stores the result; ingestFiles does it all on the calling thread. The bulk
 * importer (run.ts) batches the same work. Each file is its own transaction,
 * so a failed file writes nothing.
 */
import { SERVER_MAX_FILE_BYTES } from "../decompress.ts";
import type { Store } from "../store.ts";
import type { ParsedActivity, Properties } from "../types.ts";
import { unpackTiles } from "./pack.ts";
import type { WorkerPool } from "../workers.ts";
import { importPool } from "./pool.ts";
import { errorReason, prepareActivity, type PrepareOptions } from "./prepare.ts";
import type { WorkerResult, WorkerTask } from "./worker.ts";

export interface IngestFile {
  name: string;
  bytes: Uint8Array;
  key?: string;
  properties?: Properties;
  title?: string;
  /** Stored as file_name when it is not `name` (an upload's name before its .gz was unpacked). */
  fileName?: string;
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
  return files.map(({ name, bytes, key, properties, title, fileName }): IngestResult => {
    if (key && store.findExisting(key, null)) return { name, status: "duplicate", key };
    const result = prepareActivity(name, bytes, { ...base, key, properties, title, fileName, isKnown: key ? undefined : isKnown });
    if (!result.ok) {
      if (result.reason === "already_stored") return { name, status: "duplicate" };
      return { name, status: result.status, reason: result.reason };
    }
    const [outcome] = store.insertActivities([result.record]);
    return { name, status: outcome, key: result.record.key };
  });
}

/** The nice value of ingest workers: on a busy machine the threads answering tiles and /healthz come first. */
const INGEST_NICE = 10;

/** One worker for ingestInWorker, at a lower priority than the calling thread; terminate it when done. */
export function ingestPool(store: Store, maxFileBytes = SERVER_MAX_FILE_BYTES): WorkerPool<WorkerTask, WorkerResult> {
  const { zoomLevels, tileExtent, trimDist } = prepareOptionsFor(store);
  // Duplicates are found when storing (same key or same bytes), so the worker needs no list of stored hashes.
  return importPool({ options: { zoomLevels, tileExtent, trimDist, maxFileBytes }, knownHashes: [], nice: INGEST_NICE }, 1, 1);
}

/**
 * ingestFiles for one file (or an activity already read, such as Strava's
 * streams), prepared on `pool`'s worker: this thread only stores the result.
 * A file's `bytes` are handed over to the worker.
 */
export async function ingestInWorker(store: Store, pool: WorkerPool<WorkerTask, WorkerResult>, file: IngestFile | { name: string; parsed: ParsedActivity; key: string }): Promise<IngestResult> {
  const { name, key } = file;
  if (key && store.findExisting(key, null)) return { name, status: "duplicate", key };
  let task: WorkerTask = { name, key, parsed: "parsed" in file ? file.parsed : undefined };
  let transfer: Transferable[] = [];
  if ("bytes" in file) {
    // Stored bytes (zip method 0): the worker unpacks any .gz layers itself, within maxFileBytes.
    const raw = file.bytes as Uint8Array<ArrayBuffer>;
    task = { name, key, title: file.title, properties: file.properties, raw, method: 0, size: raw.byteLength };
    if (raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength) transfer = [raw.buffer];
  }
  let result: WorkerResult;
  try {
    result = await pool.run(task, transfer);
  } catch (e) {
    return { name, status: "error", reason: errorReason(e) };
  }
  if (!result.ok) {
    if (result.reason === "already_stored") return { name, status: "duplicate" };
    return { name, status: result.status, reason: result.reason };
  }
  const [outcome] = store.insertActivities([{ ...result.record, tiles: unpackTiles(result.tiles) }]);
  return { name, status: outcome, key: result.record.key };
}
