/**
 * An export worker (the WorkerPool protocol of src/import/pool.ts): draws
 * and encodes batches of tiles (batch.ts) with its own read-only connection.
 * CPU only; the main thread writes the archive.
 */
import { resolveGradient, type Palette } from "../palette.ts";
import { openStore, type Store } from "../store.ts";
import { renderBatch, type ExportTask, type TileSettings } from "./batch.ts";

declare const self: Worker;

export interface ExportWorkerInit extends TileSettings {
  dbPath: string;
}

export type ExportResult = { tiles: (Uint8Array | null)[] } | { error: string };

let store: Store | null = null;
let init: ExportWorkerInit | null = null;
let palette: Palette | null = null;

self.onmessage = async (event: MessageEvent<{ init: ExportWorkerInit } | { id: number; task: ExportTask }>) => {
  const data = event.data;
  if ("init" in data) {
    init = data.init;
    palette = resolveGradient({ color: init.color, gradient: init.gradient });
    store = openStore(init.dbPath, { readonly: true, mustExist: true });
    return;
  }
  let result: ExportResult;
  try {
    result = { tiles: renderBatch(store!, init!, palette!, data.task) };
  } catch (e) {
    result = { error: e instanceof Error ? e.message : String(e) };
  }
  self.postMessage({ id: data.id, result });
};
