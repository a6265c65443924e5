/**
 * Draws count pyramid tiles (src/pyramid.ts buildPyramid) on its own thread
 * with its own read-only connection, and packs them. CPU only: the main
 * thread writes them.
 */
import { drawCountTile, type PyramidInit, type PyramidTask } from "./pyramid.ts";
import { reading } from "./query.ts";
import { openStore, type CountTile, type Store } from "./store.ts";
import { serveTasks } from "./workers.ts";

let store: Store | null = null;
let minMarks = 0;

serveTasks<PyramidInit, PyramidTask, CountTile>({
  init(init) {
    store = openStore(init.dbPath, { readonly: true, mustExist: true });
    minMarks = init.minMarks;
  },
  run: (task) => drawCountTile(reading(store!, null), task, minMarks),
});
