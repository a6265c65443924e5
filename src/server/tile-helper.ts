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
 * is drawn whole on the request thread, and so is every tile while no core
 * would idle without the helper (spare-core.ts): under full load sharing
 * only adds work. The helper leaves its answer in shared memory, and each
 * render first completes a tile whose share is done, so a shared tile does
 * not wait behind the requests that arrived while it was drawn.
 */
import { drawTilePart, finishCounts, storedTileCounts, TILE_SIZES, tileView, type TileOptions } from "../render.ts";
import { reading, type Reading } from "../query.ts";
import type { PixelView, Raster } from "../raster.ts";
import { WHOLE, type Share, type Store } from "../store.ts";
import { WorkerPool } from "../workers.ts";
import { SpareCore } from "./spare-core.ts";

/** The helper's answer in shared memory (Int32Array indices): the id of the share done, its rows, whether it failed, its time. */
export const DONE = 0;
export const TOP = 1;
export const BOTTOM = 2;
export const FAILED = 3;
/** How long the helper drew its last share, in microseconds. */
export const DRAWN_US = 4;
const CONTROL_BYTES = 5 * Int32Array.BYTES_PER_ELEMENT;

/** The helper's init (tile-helper-worker.ts): its database, where to draw, where to answer. */
export interface HelperInit {
  dbPath: string;
  shared: SharedArrayBuffer;
  control: SharedArrayBuffer;
}

/** A share of one tile to draw into the shared memory; its answer is in the control memory once DONE holds `id`. */
export interface HelperTask {
  id: number;
  z: number;
  x: number;
  y: number;
  options: TileOptions;
  share: Share;
}

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

/** A tile whose helper's share is not yet added in. */
interface Pending {
  id: number;
  /** What this request draws from; the helper reads its share on its own connection. */
  reading: Reading;
  view: PixelView;
  buffer: Uint8Array;
  mine: Raster | null;
  /** Draws the helper's share here, should the helper fail. */
  drawTheirs: () => Raster | null;
  reply: PromiseWithResolvers<Uint8Array | null>;
  /** Drawing this thread's share failed: the helper's answer is only wiped. */
  abandoned: boolean;
}

export class TileRenderer {
  private helper: WorkerPool<HelperTask | null, void> | null = null;
  private up = false;
  private nextId = 1;
  private pending: Pending | null = null;
  private readonly started = Promise.withResolvers<boolean>();
  /** Where the helper draws its share, zeroed between tiles: room for the largest tile (none without a helper). */
  private shared = new Uint8Array(new SharedArrayBuffer(0));
  /** The helper's answer, written before its message (DONE, TOP, BOTTOM, FAILED, DRAWN_US). */
  private control = new Int32Array(new SharedArrayBuffer(CONTROL_BYTES));
  private readonly spares = new Map<number, Uint8Array[]>();
  private readonly spare: SpareCore;
  /** Settles once tiles may be split: true when the helper is up, false when there is none. */
  readonly ready = this.started.promise;

  /**
   * `helper`: whether to start the helper thread (default: when there is a
   * second core and the database is a file another thread can open).
   * `spare`: whether a core would idle without the helper (default: judged
   * from the machine's CPU times, spare-core.ts).
   */
  constructor(
    private readonly store: Store,
    { helper = navigator.hardwareConcurrency > 1 && store.path !== ":memory:", spare }: { helper?: boolean; spare?: SpareCore } = {},
  ) {
    this.spare = spare ?? new SpareCore();
    if (helper) this.start();
    else this.started.resolve(false);
  }

  /**
   * The tile's counts as renderTileCounts gives them: from the count pyramid
   * when it holds the tile, else drawn on two threads when the helper is
   * free. Hand them back with `release` once encoded.
   */
  render(z: number, x: number, y: number, options: TileOptions): Uint8Array | null | Promise<Uint8Array | null> {
    const view = tileView(z, x, y, options.size);
    const r = reading(this.store, options.query ?? null);
    // A tile whose share the helper has finished is completed first, whether or not its message
    // has come: requests queued meanwhile would otherwise all be answered before it.
    this.settle();
    const buffer = this.take(view.width * view.height);
    if (storedTileCounts(r, z, x, y, options.size, buffer)) return this.finish(r, { counts: buffer, top: 0, bottom: view.height - 1 }, buffer, view);
    if (!this.up || this.pending || !this.spare.available()) return this.finish(r, drawTilePart(r, z, x, y, options.size, WHOLE, buffer), buffer, view);
    const pending: Pending = {
      id: this.nextId++,
      reading: r,
      view,
      buffer,
      mine: null,
      drawTheirs: () => drawTilePart(r, z, x, y, options.size, HELPERS),
      reply: Promise.withResolvers<Uint8Array | null>(),
      abandoned: false,
    };
    this.pending = pending;
    // Its answer wakes this thread when idle; a helper that dies is not asked again (close).
    this.helper!.run({ id: pending.id, z, x, y, options, share: HELPERS }).then(
      () => this.settle(),
      () => this.close(),
    );
    try {
      pending.mine = drawTilePart(r, z, x, y, options.size, MINE, buffer);
    } catch (e) {
      pending.abandoned = true;
      this.settle();
      throw e;
    }
    this.settle();
    return pending.reply.promise;
  }

  /** Completes the pending tile if the helper has answered it. */
  private settle(): void {
    if (this.pending && Atomics.load(this.control, DONE) === this.pending.id) this.complete(false);
  }

  /**
   * Adds the helper's share to the pending tile (or, `helperLost`, draws it
   * here), zeroes the helper's memory and frees the helper.
   */
  private complete(helperLost: boolean): void {
    const p = this.pending!;
    const failed = helperLost || Atomics.load(this.control, FAILED) === 1;
    this.spare.helped(Atomics.load(this.control, DRAWN_US) / 1000);
    const top = Atomics.load(this.control, TOP);
    const bottom = Atomics.load(this.control, BOTTOM);
    let counts: Uint8Array | null = null;
    let error: unknown = null;
    try {
      // What fails here (drawing the helper's share after it failed) fails the request.
      if (!p.abandoned) counts = this.combine(p, failed ? partOf(p.drawTheirs()) : { counts: top > bottom ? null : this.shared, top, bottom });
    } catch (e) {
      error = e;
    } finally {
      // A failed helper wiped its memory itself; a lost one is never asked again.
      if (!failed) this.shared.fill(0, top * p.view.width, (bottom + 1) * p.view.width);
      this.pending = null;
    }
    if (p.abandoned) return;
    if (error) p.reply.reject(error);
    else p.reply.resolve(counts);
  }

  private combine({ reading: r, mine, buffer, view }: Pending, theirs: Part): Uint8Array | null {
    const { counts, top, bottom } = theirs;
    if (!counts) return this.finish(r, mine, buffer, view);
    if (mine) {
      mine.add(counts, top, bottom);
      return this.finish(r, mine, buffer, view);
    }
    // Copied out: the helper's memory is for its next share.
    buffer.set(counts.subarray(top * view.width, (bottom + 1) * view.width), top * view.width);
    return this.finish(r, { counts: buffer, top, bottom }, buffer, view);
  }

  /**
   * Takes back counts `render` gave, once they are encoded, to draw the next
   * tile in: a tile then leaves no count buffer behind as garbage (a quarter
   * megabyte at 512 px, a megabyte at 1024).
   */
  release(counts: Uint8Array): void {
    let kept = this.spares.get(counts.length);
    if (!kept) this.spares.set(counts.length, (kept = []));
    if (kept.length < SPARE_BUFFERS) kept.push(counts.fill(0));
  }

  private take(pixels: number): Uint8Array {
    return this.spares.get(pixels)?.pop() ?? new Uint8Array(pixels);
  }

  /** The drawn counts with the masks applied, or null; a buffer that ends up unused goes back to the spares. */
  private finish(r: Reading, drawn: Part | null, buffer: Uint8Array, view: PixelView): Uint8Array | null {
    const counts = drawn?.counts ? finishCounts(r, drawn.counts, view, drawn.top, drawn.bottom) : null;
    if (!counts) this.release(buffer);
    return counts;
  }

  private start(): void {
    this.shared = new Uint8Array(new SharedArrayBuffer(MAX_TILE_SIZE * MAX_TILE_SIZE));
    const init: HelperInit = { dbPath: this.store.path, shared: this.shared.buffer, control: this.control.buffer };
    const helper = new WorkerPool<HelperTask | null, void>(() => new Worker(new URL("./tile-helper-worker.ts", import.meta.url)), {
      size: 1,
      depth: 1,
      init,
      name: "tile helper",
    });
    this.helper = helper;
    // The first answer says its connection is open. A helper that fails is not replaced: tiles are drawn whole here from then on.
    helper.run(null).then(
      () => {
        if (this.helper !== helper) return;
        this.up = true;
        this.started.resolve(true);
      },
      () => this.close(),
    );
  }

  /** Stops the helper; a tile waiting for it has the helper's share drawn here instead. */
  close(): void {
    this.helper?.terminate();
    this.helper = null;
    this.up = false;
    this.started.resolve(false);
    if (this.pending) this.complete(true);
  }
}
