/**
 * One horizontal strip of a bounding-box image (render.ts renderBoundsParallel),
 * drawn on its own thread with its own read-only connection. CPU only; the
 * counts go back transferred, not copied.
 */
import { drawView, type StripJob } from "./render.ts";
import { reading } from "./query.ts";
import { openStore, type Store } from "./store.ts";
import { serveTasks, Transfer } from "./workers.ts";

let store: Store | null = null;

serveTasks<string, StripJob, Uint8Array | null>({
  init(dbPath) {
    store = openStore(dbPath, { readonly: true, mustExist: true });
  },
  run({ view, sourceZoom, lineWidth, query }) {
    const counts = drawView(reading(store!, query), view, sourceZoom, lineWidth);
    return new Transfer(counts, counts ? [counts.buffer] : []);
  },
});
