/**
 * An export worker (a WorkerPool of src/workers.ts): draws and encodes
 * batches of tiles (batch.ts) with its own read-only connection. CPU only;
 * the main thread writes the archive.
 */
import { resolveGradient, type Palette } from "../palette.ts";
import { openStore, type Store } from "../store.ts";
import { serveTasks } from "../workers.ts";
import { renderBatch, type ExportTask, type TileSettings } from "./batch.ts";

export interface ExportWorkerInit extends TileSettings {
  dbPath: string;
}

let store: Store | null = null;
let settings: ExportWorkerInit | null = null;
let palette: Palette | null = null;

serveTasks<ExportWorkerInit, ExportTask, (Uint8Array | null)[]>({
  init(init) {
    settings = init;
    palette = resolveGradient({ color: init.color, gradient: init.gradient });
    store = openStore(init.dbPath, { readonly: true, mustExist: true });
  },
  run: (task) => renderBatch(store!, settings!, palette!, task),
});
