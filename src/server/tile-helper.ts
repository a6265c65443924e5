/**
 * A tile drawn on two threads while the second core would otherwise idle.
 * The busiest tiles (4,000 overlapping activities at home) take 40-50 ms on
 * one thread; a person looking at their map waits for the slowest of them.
 * Their activities split into two shares by id (odd and even ids mix evenly,
 * whatever the data), each share is drawn on its own thread with its own
 * SQLite connection, and the counts add up exactly: an activity counts once
 * per pixel, and it belongs to one share.
 *
 *   request thread:  share 0 ── draw ──┐
 *   helper thread:   share 1 ── draw ──┴─ add, mask → counts
 *
 * The helper takes one share at a time: a tile that arrives while it is busy
 * is drawn whole on the request thread. Under load, with every core busy
 * with its own server process, the serve benchmark's uncached rate stayed
 * what it was without the helper.
 */
import { drawTilePart, finishCounts, TILE_SIZES, tileView, type TileOptions } from "../render.ts";
import type { PixelView, Raster } from "../raster.ts";
import { WHOLE, type Share, type Store } from "../store.ts";
import type { HelperReply, HelperRequest } from "./tile-helper-worker.ts";

const MINE: Share = { index: 0, of: 2 };
const HELPERS: Share = { index: 1, of: 2 };

/** A share's counts in rows [top, bottom]; counts null when it drew nothing. */
interface Part {
  counts: Uint8Array | null;
  top: number;
  bottom: number;
}

const MAX_TILE_SIZE = Math.max(...TILE_SIZES);
/** Count buffers kept for reuse, per tile size: enough for the tiles one process has under way at once. */
const SPARE_BUFFERS = 4;

const partOf = (raster: Raster | null): Part => (raster ? raster : { counts: null, top: 0, bottom: -1 });

export class TileRenderer {
  private worker: Worker | null = null;
  private up = false;
  private nextId = 1;
  private waiting: { id: number; reply: PromiseWithResolvers<Part | null> } | null = null;
  private readonly started = Promise.withResolvers<boolean>();
  /** Where the helper draws its share, zeroed between tiles: room for the largest tile (none without a helper). */
  private shared = new Uint8Array(new SharedArrayBuffer(0));
  private readonly spare = new Map<number, Uint8Array[]>();
  /** Settles once tiles may be split: true when the helper is up, false when there is none. */
  readonly ready = this.started.promise;

  /**
   * `helper`: whether to start the helper thread (default: when there is a
   * second core and the database is a file another thread can open).
   */
  constructor(
    private readonly store: Store,
    helper = navigator.hardwareConcurrency > 1 && store.path !== ":memory:",
  ) {
    if (helper) this.start();
    else this.started.resolve(false);
  }

  /**
   * The tile's counts as renderTileCounts gives them, drawn on two threads
   * when the helper is free. Hand them back with `release` once encoded.
   */
  render(z: number, x: number, y: number, options: TileOptions): Uint8Array | null | Promise<Uint8Array | null> {
    const view = tileView(z, x, y, options.size);
    const buffer = this.take(view.width * view.height);
    if (!this.up || this.waiting) return this.finish(drawTilePart(this.store, z, x, y, options, WHOLE, buffer), buffer, view);
    const id = this.nextId++;
    const reply = Promise.withResolvers<Part | null>();
    this.waiting = { id, reply };
    // Handled before drawing here, which may throw: a helper failing meanwhile is then no unhandled rejection.
    const theirs = reply.promise.catch(() => null);
    this.worker!.postMessage({ id, z, x, y, options, share: HELPERS } satisfies HelperRequest);
    let mine: Raster | null;
    try {
      mine = drawTilePart(this.store, z, x, y, options, MINE, buffer);
    } catch (e) {
      // The helper's share is not wanted now, but its memory must still be wiped when it comes.
      void theirs.then((part) => this.free(id, part, view));
      throw e;
    }
    return theirs.then((part) => {
      try {
        // Without the helper's share (it failed or was closed), it is drawn here; what fails here fails the request.
        const other = part ?? partOf(drawTilePart(this.store, z, x, y, options, HELPERS));
        const { counts, top, bottom } = other;
        if (!counts) return this.finish(mine, buffer, view);
        if (mine) {
          mine.add(counts, top, bottom);
          return this.finish(mine, buffer, view);
        }
        // Copied out: the helper's memory is for its next share.
        buffer.set(counts.subarray(top * view.width, (bottom + 1) * view.width), top * view.width);
        return this.finish({ counts: buffer, top, bottom }, buffer, view);
      } finally {
        this.free(id, part, view);
      }
    });
  }

  /** The helper's memory zeroed for the next share, and only then the helper free again. */
  private free(id: number, part: Part | null, view: PixelView): void {
    if (part) this.shared.fill(0, part.top * view.width, (part.bottom + 1) * view.width);
    if (this.waiting?.id === id) this.waiting = null;
  }

  /**
   * Takes back counts `render` gave, once they are encoded, to draw the next
   * tile in: a tile then leaves no count buffer behind as garbage (a quarter
   * megabyte at 512 px, a megabyte at 1024).
   */
  release(counts: Uint8Array): void {
    const spare = this.spare.get(counts.length);
    if (spare && spare.length < SPARE_BUFFERS) spare.push(counts.fill(0));
    else if (!spare) this.spare.set(counts.length, [counts.fill(0)]);
  }

  private take(pixels: number): Uint8Array {
    return this.spare.get(pixels)?.pop() ?? new Uint8Array(pixels);
  }

  /** The drawn counts with the masks applied, or null; a buffer that ends up unused goes back to the spares. */
  private finish(drawn: Part | null, buffer: Uint8Array, view: PixelView): Uint8Array | null {
    const counts = drawn?.counts ? finishCounts(this.store, drawn.counts, view, drawn.top, drawn.bottom) : null;
    if (!counts) this.release(buffer);
    return counts;
  }

  private start(): void {
    this.shared = new Uint8Array(new SharedArrayBuffer(MAX_TILE_SIZE * MAX_TILE_SIZE));
    const worker = new Worker(new URL("./tile-helper-worker.ts", import.meta.url));
    worker.onmessage = (event: MessageEvent<HelperReply>) => {
      const reply = event.data;
      if ("ready" in reply) {
        this.up = true;
        this.started.resolve(true);
        return;
      }
      if (this.waiting?.id !== reply.id) return;
      this.waiting.reply.resolve("error" in reply ? null : { counts: reply.top > reply.bottom ? null : this.shared, top: reply.top, bottom: reply.bottom });
    };
    // A helper that fails is not replaced: tiles are drawn whole here from then on.
    worker.onerror = (event) => {
      this.up = false;
      this.started.resolve(false);
      this.waiting?.reply.reject(new Error(`tile helper failed: ${event.message}`));
      this.waiting = null;
      worker.terminate();
    };
    worker.postMessage({ dbPath: this.store.path, shared: this.shared.buffer } satisfies HelperRequest);
    this.worker = worker;
  }

  /** Stops the helper; a tile waiting for it has the helper's share drawn here instead. */
  close(): void {
    this.worker?.terminate();
    this.worker = null;
    this.up = false;
    this.started.resolve(false);
    this.waiting?.reply.resolve(null);
    this.waiting = null;
  }
}
