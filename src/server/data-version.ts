/**
 * The store's data version as the tile handler sees it. Reading it is one
 * SQLite statement, but in WAL mode every read transaction takes and drops a
 * lock on the shared-memory file (two fcntl calls), several microseconds:
 * a fifth of what a cached tile costs. So it is read at most once per
 * `maxAgeMs` and at once after a write made through this process.
 *
 *   write by this process     → seen by the next request
 *   write by another process  → seen by requests starting maxAgeMs later at most
 *   (a peer, `hotpot import`, `hotpot mask`)
 */
import type { Store } from "../store.ts";

/** Default staleness bound for writes by other processes: below any page's reaction to an upload. */
export const DATA_VERSION_MAX_AGE_MS = 1;

export class DataVersion {
  private value = 0;
  private readAt = -Infinity;

  constructor(
    private readonly store: Store,
    private readonly maxAgeMs = DATA_VERSION_MAX_AGE_MS,
  ) {}

  current(): number {
    const now = performance.now();
    if (now - this.readAt >= this.maxAgeMs) {
      this.value = this.store.dataVersion();
      this.readAt = now;
    }
    return this.value;
  }

  /** Call after writing through this process: the next current() reads again. */
  changed(): void {
    this.readAt = -Infinity;
  }
}
