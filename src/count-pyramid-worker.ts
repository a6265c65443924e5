/**
 * Plans and draws count pyramid tiles (src/count-pyramid.ts buildPyramid) on
 * its own thread with its own read-only connection, and packs them. Reads
 * and CPU only: the main thread writes them.
 */
import { setPriority } from "node:os";
import { answerJob, type PyramidAnswer, type PyramidInit, type PyramidJob, type PyramidLimits } from "./count-pyramid.ts";
import { openStore, type Store } from "./store.ts";
import { serveTasks } from "./workers.ts";

let store: Store | null = null;
let limits: PyramidLimits | null = null;

serveTasks<PyramidInit, PyramidJob, PyramidAnswer>({
  init(init) {
    // Linux sets a nice value per thread, so this lowers only the worker, not the process.
    if (init.nice !== undefined) setPriority(init.nice);
    store = openStore(init.dbPath, { readonly: true, mustExist: true });
    limits = init.limits;
  },
  run: (job) => answerJob(store!, limits!, job),
});
