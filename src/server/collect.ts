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
 */

/** Bytes of count buffers rendered between two full collections. */
export const COLLECT_EVERY_BYTES = 16 * 1024 * 1024;

export class Collector {
  private since = 0;

  constructor(
    private readonly everyBytes = COLLECT_EVERY_BYTES,
    private readonly collect: () => void = () => Bun.gc(true),
  ) {}

  /** Notes a render that allocated `bytes` of counts; collects once enough have piled up. */
  rendered(bytes: number): void {
    this.since += bytes;
    if (this.since < this.everyBytes) return;
    this.since = 0;
    this.collect();
  }
}
