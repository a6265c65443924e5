/**
 * Draws count pyramid tiles (src/count-pyramid.ts buildPyramid) on its own thread
 * with its own read-only connection, and packs them. CPU only: the main
 * thread writes them.
 */
import { setPriority } from "node:os";
import { drawCountTile, type PyramidInit, type PyramidTask } from "./count-pyramid.ts";
import { reading } from "./query.ts";
import { openStore, type CountTile, type Store } from "./store.ts";
import { serveTasks } from "./workers.ts";

let store: Store | null = null;
let minMarks = 0;

serveTasks<PyramidInit, PyramidTask, CountTile>({
  init(init) {
    // Linux sets a nice value per thread, so this lowers only the worker, not the process.
    if (init.nice !== undefined) setPriority(init.nice);
    store = openStore(init.dbPath, { readonly: true, mustExist: true });
    minMarks = init.minMarks;
  },
  run: (task) => drawCountTile(reading(store!, null), task, minMarks),
});
