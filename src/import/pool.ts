/**
 * A fixed set of workers, each with several tasks in flight so it never waits
 * for the main thread between files. Tasks go to the least busy worker. A
 * worker that dies fails only the tasks it held (each caller sees an Error
 * naming the cause) and is replaced, so one poisonous file cannot stop an
 * import.
 *
 * Protocol: the pool posts `{ init }` once to each new worker, then
 * `{ id, task }`; the worker answers `{ id, result }` in any order.
 */
import type { WorkerInit, WorkerResult, WorkerTask } from "./worker.ts";

interface Pending {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

export interface PoolOptions {
  /** Number of workers; the import defaults to one per core. */
  size: number;
  /** Tasks in flight per worker: enough to cover the main thread's pauses (a batch commit) without a worker idling. */
  depth: number;
  /** Sent to every worker before its first task (configuration, lookup tables). */
  init?: unknown;
}

/** The error's own message: Bun puts a source excerpt before it in event.message. */
function errorMessage(event: ErrorEvent): string {
  if (event.error instanceof Error) return event.error.message;
  const line = /^error: (.*)$/m.exec(event.message);
  return line?.[1] ?? (event.message || "worker failed");
}

export class WorkerPool<Task, Result> {
  private readonly spawn: () => Worker;
  private readonly options: PoolOptions;
  private readonly slots: Slot[] = [];
  private readonly waiting: (() => void)[] = [];
  private nextId = 1;
  private inFlight = 0;

  /** `spawn` creates one worker; it lives with the caller so `new Worker(new URL(...))` stays visible to bundlers. */
  constructor(spawn: () => Worker, options: PoolOptions) {
    this.spawn = spawn;
    this.options = options;
    for (let i = 0; i < options.size; i++) this.slots.push(this.start());
  }

  private start(): Slot {
    const slot: Slot = { worker: this.spawn(), pending: new Map() };
    slot.worker.onmessage = (event: MessageEvent<{ id: number; result: unknown }>) => {
      const pending = slot.pending.get(event.data.id);
      if (!pending) return;
      slot.pending.delete(event.data.id);
      this.settled();
      pending.resolve(event.data.result);
    };
    slot.worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.replace(slot, errorMessage(event));
    };
    if (this.options.init !== undefined) slot.worker.postMessage({ init: this.options.init });
    return slot;
  }

  private replace(slot: Slot, message: string): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    slot.worker.terminate();
    this.slots[index] = this.start();
    const error = new Error(`worker stopped while handling this file (with ${slot.pending.size - 1} others): ${message}`);
    for (const pending of slot.pending.values()) {
      this.settled();
      pending.reject(error);
    }
    slot.pending.clear();
  }

  private settled(): void {
    this.inFlight--;
    this.waiting.shift()?.();
  }

  /** Resolves once another task can be started without exceeding size x depth in flight. */
  available(): Promise<void> {
    if (this.inFlight < this.options.size * this.options.depth) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Runs a task on the least busy worker; `transfer` moves buffers instead of copying them. */
  run(task: Task, transfer: Transferable[] = []): Promise<Result> {
    let slot = this.slots[0];
    for (const s of this.slots) if (s.pending.size < slot.pending.size) slot = s;
    const id = this.nextId++;
    this.inFlight++;
    const { promise, resolve, reject } = Promise.withResolvers<Result>();
    slot.pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
    slot.worker.postMessage({ id, task }, transfer);
    return promise;
  }

  terminate(): void {
    for (const slot of this.slots) slot.worker.terminate();
    this.slots.length = 0;
  }
}

/** Workers running import/worker.ts (parse → track → clip): the bulk import's and the server's uploads alike. */
export function importPool(init: WorkerInit, size: number, depth: number): WorkerPool<WorkerTask, WorkerResult> {
  return new WorkerPool(() => new Worker(new URL("./worker.ts", import.meta.url)), { size, depth, init });
}
