/**
 * One horizontal strip of a bounding-box image (render.ts renderBoundsParallel),
 * drawn on its own thread with its own read-only connection. CPU only; the
 * counts go back transferred, not copied.
 */
import { drawView, type StripJob } from "./render.ts";
import { reading } from "./query.ts";
import { openStore } from "./store.ts";

declare const self: Worker;

self.onmessage = (event: MessageEvent<StripJob>) => {
  const { dbPath, view, sourceZoom, lineWidth, query } = event.data;
  try {
    const store = openStore(dbPath, { readonly: true, mustExist: true });
    try {
      const counts = drawView(reading(store, query), view, sourceZoom, lineWidth);
      self.postMessage({ counts }, counts ? [counts.buffer] : []);
    } finally {
      store.close();
    }
  } catch (e) {
    self.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
};
