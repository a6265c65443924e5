/**
 * Garbage collection paced by rendering. Left to itself, Bun's collector lets
 * a server that renders tiles grow its heap to several times what it holds:
 * every render drops a count buffer (a quarter or a whole megabyte) and the
 * rows it read. Measured on 1,200 renders of the benchmark session at 512 and
 * 1024 px: 75 MB of anonymous memory at the end, 27 MB once collected, and
 * 36 MB with a full collection every 100 renders, in the same time (a heap
 * this size is collected in a few milliseconds). Two server processes after
 * the serve benchmark's 10,000 mixed requests: 170-193 MB (PSS, six runs)
 * collecting every 16 MiB of counts, 174-225 MB without (three runs).
 * (The server now reuses its count buffers, tile-helper.ts; the pixels
 * rendered still pace the collections, as a measure of the rows read.)
 */

/** Bytes of count buffers rendered between two full collections. */
export const COLLECT_EVERY_BYTES = 16 * 1024 * 1024;

/**
 * The tile helper's thread (tile-helper-worker.ts) collects after this many
 * milliseconds of drawing: its garbage is the rows it reads, which grow with
 * the time drawing takes, not with the tile's size. Two processes after the
 * serve benchmark's mixed requests measured 198-202 MB PSS (three runs)
 * collecting every 4 MiB of counts drawn, 188-192 MB (two runs) after every
 * tile, and 183-206 MB (seven runs) every 50 ms; the spread between runs is
 * as large as the differences. Collecting after every tile kept the helper
 * busy into the next tile: the render session's median went from 1.4 to
 * 1.8 ms. What brought the server back well under its 200 MB was reusing
 * the count buffers (tile-helper.ts).
 */
export const HELPER_COLLECT_EVERY_MS = 50;

export class Collector {
  private since = 0;

  /** `every`: how much rendering between two collections, in the unit `rendered` is told (default: bytes of counts). */
  constructor(
    private readonly every = COLLECT_EVERY_BYTES,
    private readonly collect: () => void = () => Bun.gc(true),
  ) {}

  /** Notes a render of `amount` (bytes of counts by default); collects once enough have piled up. */
  rendered(amount: number): void {
    this.since += amount;
    if (this.since < this.every) return;
    this.since = 0;
    this.collect();
  }
}
