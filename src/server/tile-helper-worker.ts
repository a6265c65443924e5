/**
 * The tile helper's thread (tile-helper.ts): draws the share of a tile's
 * activities it is sent, from its own read-only connection, straight into
 * memory shared with the requesting thread, which adds it to its own share
 * and zeroes it again. (A new buffer per share, transferred, left a quarter
 * megabyte of garbage per tile on one thread or the other.)
 */
import { drawTilePart, type TileOptions } from "../render.ts";
import { openStore, type Share, type Store } from "../store.ts";
import { Collector, HELPER_COLLECT_EVERY_MS } from "./collect.ts";

export type HelperRequest =
  | { dbPath: string; shared: SharedArrayBuffer }
  | { id: number; z: number; x: number; y: number; options: TileOptions; share: Share };

export type HelperReply =
  | { ready: true }
  /** The share's counts are in the shared memory's rows [top, bottom], laid out as the tile's; top > bottom: none drawn. */
  | { id: number; top: number; bottom: number }
  | { id: number; error: string };

declare const self: Worker;

/**
 * SQLite's page cache of this connection (its default is 2 MiB): the busy
 * tiles the helper is there for read more rows than 2 MiB holds anyway, and
 * the operating system caches the file. Every server process has a helper.
 */
const PAGE_CACHE_MIB = 0.5;

let store: Store | null = null;
let shared: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
const collector = new Collector(HELPER_COLLECT_EVERY_MS);

self.onmessage = (event: MessageEvent<HelperRequest>) => {
  const request = event.data;
  if ("dbPath" in request) {
    store = openStore(request.dbPath, { readonly: true, mustExist: true });
    store.pageCache(PAGE_CACHE_MIB);
    shared = new Uint8Array(request.shared);
    self.postMessage({ ready: true } satisfies HelperReply);
    return;
  }
  const { id, z, x, y, options, share } = request;
  try {
    const started = performance.now();
    const raster = drawTilePart(store!, z, x, y, options, share, shared);
    self.postMessage((raster ? { id, top: raster.top, bottom: raster.bottom } : { id, top: 0, bottom: -1 }) satisfies HelperReply);
    // After replying, so the tile waiting for this share does not wait for the collection too.
    collector.rendered(performance.now() - started);
  } catch (e) {
    // Whatever was drawn is wiped. The requesting thread draws this share itself, and reports what goes wrong there.
    shared.fill(0);
    self.postMessage({ id, error: e instanceof Error ? e.message : String(e) } satisfies HelperReply);
  }
};
