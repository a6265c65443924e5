/**
 * The import's only database writer. Records are committed in batches, one
 * transaction each: fast (one fsync per batch, not per activity) and safe, since
 * a killed import loses at most the open batch and leaves every committed one
 * whole; the next run skips what is stored and completes the rest.
 */
import type { InsertOutcome, Store } from "../store.ts";
import type { ActivityRecord } from "../types.ts";

export interface BatchOptions {
  /** Activities per transaction. */
  maxRecords: number;
  /** Longest a record waits for its batch, so progress is durable even when files come slowly. */
  maxDelayMs: number;
}

export const DEFAULT_BATCH: BatchOptions = { maxRecords: 200, maxDelayMs: 250 };

export class BatchWriter {
  private readonly store: Store;
  private readonly onWritten: (outcome: InsertOutcome) => void;
  private readonly options: BatchOptions;
  private batch: ActivityRecord[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(store: Store, onWritten: (outcome: InsertOutcome) => void, options: BatchOptions = DEFAULT_BATCH) {
    this.store = store;
    this.onWritten = onWritten;
    this.options = options;
  }

  add(record: ActivityRecord): void {
    this.batch.push(record);
    if (this.batch.length >= this.options.maxRecords) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.maxDelayMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.batch.length === 0) return;
    const records = this.batch;
    this.batch = [];
    for (const outcome of this.store.insertActivities(records)) this.onWritten(outcome);
  }
}
