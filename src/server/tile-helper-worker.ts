/**
 * The tile helper's thread (tile-helper.ts): draws the share of a tile's
 * activities it is sent, from its own read-only connection, straight into
 * memory shared with the requesting thread, which adds it to its own share
 * and zeroes it again. (A new buffer per share, transferred, left a quarter
 * megabyte of garbage per tile on one thread or the other.) The answer is
 * written to shared memory too, so the requesting thread can take it as soon
 * as it is there; the message that follows only wakes it when idle.
 */
import { reading } from "../query.ts";
import { drawTilePart } from "../render.ts";
import { openStore, type Store } from "../store.ts";
import { serveTasks } from "../workers.ts";
import { Collector, HELPER_COLLECT_EVERY_MS } from "./collect.ts";
import { BOTTOM, DONE, DRAWN_US, FAILED, TOP, type HelperInit, type HelperTask } from "./tile-helper.ts";

/**
 * SQLite's page cache of this connection (its default is 2 MiB): the busy
 * tiles the helper is there for read more rows than 2 MiB holds anyway, and
 * the operating system caches the file. Every server process has a helper.
 */
const PAGE_CACHE_MIB = 0.5;

let store: Store | null = null;
let shared: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
let control = new Int32Array(new SharedArrayBuffer(0));
const collector = new Collector(HELPER_COLLECT_EVERY_MS);
/** How long the last share took to draw, for the collector once the answer is out. */
let drawnMs = 0;

serveTasks<HelperInit, HelperTask | null, void>({
  init(init) {
    store = openStore(init.dbPath, { readonly: true, mustExist: true });
    store.pageCache(PAGE_CACHE_MIB);
    shared = new Uint8Array(init.shared);
    control = new Int32Array(init.control);
  },
  // null: only asks whether the connection is open (its answer says so).
  run(task) {
    if (task === null) return;
    const { id, z, x, y, options, share } = task;
    const started = performance.now();
    try {
      // The share's counts in the shared memory's rows [top, bottom], laid out as the tile's; top > bottom: none drawn.
      const raster = drawTilePart(reading(store!, options.query ?? null), z, x, y, options.size, share, shared);
      answer(id, raster?.top ?? 0, raster?.bottom ?? -1, false, started);
    } catch {
      // Whatever was drawn is wiped. The requesting thread draws this share itself, and reports what goes wrong there.
      shared.fill(0);
      answer(id, 0, -1, true, started);
    }
    drawnMs = performance.now() - started;
  },
  // After answering, so the tile waiting for this share does not wait for the collection too.
  after() {
    collector.rendered(drawnMs);
    drawnMs = 0;
  },
});

/** Writes the answer to the control memory; the reply message that follows only wakes an idle requesting thread. */
function answer(id: number, top: number, bottom: number, failed: boolean, started: number): void {
  Atomics.store(control, DRAWN_US, Math.round((performance.now() - started) * 1000));
  Atomics.store(control, TOP, top);
  Atomics.store(control, BOTTOM, bottom);
  Atomics.store(control, FAILED, failed ? 1 : 0);
  // Last: once DONE names this share, the rest is there.
  Atomics.store(control, DONE, id);
}
