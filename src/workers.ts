/**
 * The one way hotpot runs work on other threads: the import, uploads, export,
 * /render, a bounding box's strips, the tile helper and the count pyramid's
 * build all use it.
 *
 *   main thread                              worker (serveTasks)
 *   WorkerPool ── { init } once per worker ──> init(init)
 *              ── { id, task }, transfer ───> run(task)
 *              <── { id, result }, transfer ─  returned value (a Transfer moves buffers)
 *              <── { id, error } ─────────── thrown: a HotpotError keeps its code
 *
 * A fixed set of workers, each with several tasks in flight so it never
 * waits for the main thread between tasks; a task goes to the least busy
 * worker. A worker that dies (an uncaught error, or exiting) fails only the
 * tasks it held, each with an Error naming the cause, and is replaced, so
 * one poisonous input cannot stop the rest. A task that throws is not a
 * death: it fails alone and the worker goes on.
 *
 * Each caller spawns its own workers with `new Worker(new URL("./x.ts",
 * import.meta.url))` written out at the call site: that is the form
 * `bun build --compile` finds and bundles (scripts/build.ts).
 */
import { HotpotError, isHotpotError, type ErrorCode } from "./errors.ts";

/** A task's result with the buffers to move rather than copy. */
export class Transfer<T> {
  constructor(
    readonly value: T,
    readonly list: Transferable[],
  ) {}
}

type Request<Init, Task> = { init: Init } | { id: number; task: Task };
type Reply = { id: number; result: unknown } | { id: number; error: { code: ErrorCode | null; message: string } };

export interface PoolOptions {
  /** Number of workers. */
  size: number;
  /** Tasks in flight per worker before available() holds back: enough to cover the main thread's pauses without a worker idling. */
  depth: number;
  /** Sent to every worker, a replacement too, before its first task (configuration, a database path, shared memory). */
  init?: unknown;
  /** Names the worker in the error a crash gives its tasks ("import worker"). */
  name: string;
}

interface Pending {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** The error's own message: Bun puts a source excerpt before it in event.message. */
function errorMessage(event: ErrorEvent): string {
  if (event.error instanceof Error) return event.error.message;
  const line = /^error: (.*)$/m.exec(event.message);
  return line?.[1] ?? (event.message || "no message");
}

export class WorkerPool<Task, Result> {
  private readonly slots: Slot[] = [];
  private readonly waiting: (() => void)[] = [];
  private nextId = 1;
  private inFlight = 0;

  /** `spawn` creates one worker; it lives with the caller so `new Worker(new URL(...))` stays visible to the bundler. */
  constructor(
    private readonly spawn: () => Worker,
    private readonly options: PoolOptions,
  ) {
    for (let i = 0; i < options.size; i++) this.slots.push(this.start());
  }

  /** Tasks sent and not yet answered, over all workers. */
  get pending(): number {
    return this.inFlight;
  }

  private start(): Slot {
    const slot: Slot = { worker: this.spawn(), pending: new Map() };
    slot.worker.onmessage = (event: MessageEvent<Reply>) => {
      const reply = event.data;
      const pending = slot.pending.get(reply.id);
      if (!pending) return;
      slot.pending.delete(reply.id);
      this.settled();
      if ("result" in reply) pending.resolve(reply.result);
      else pending.reject(reply.error.code ? new HotpotError(reply.error.code, reply.error.message) : new Error(reply.error.message));
    };
    slot.worker.addEventListener("error", (event: ErrorEvent) => {
      event.preventDefault();
      this.replace(slot, errorMessage(event));
    });
    // A worker that exits without an error (process.exit, out of memory) would otherwise leave its tasks waiting forever.
    slot.worker.addEventListener("close", (event: Event) => this.replace(slot, `exited with code ${(event as CloseEvent).code}`));
    if (this.options.init !== undefined) slot.worker.postMessage({ init: this.options.init } satisfies Request<unknown, Task>);
    return slot;
  }

  /** Replaces a worker that died, failing what it held; a worker no longer in the pool (replaced, terminated) is ignored. */
  private replace(slot: Slot, cause: string): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    slot.worker.terminate();
    this.slots[index] = this.start();
    const error = new Error(`${this.options.name} stopped while handling this task (with ${slot.pending.size - 1} others): ${cause}`);
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
    if (this.slots.length === 0) return Promise.reject(new Error(`${this.options.name}: the pool was terminated`));
    let slot = this.slots[0];
    for (const s of this.slots) if (s.pending.size < slot.pending.size) slot = s;
    const id = this.nextId++;
    this.inFlight++;
    const { promise, resolve, reject } = Promise.withResolvers<Result>();
    slot.pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
    slot.worker.postMessage({ id, task } satisfies Request<unknown, Task>, transfer);
    return promise;
  }

  /** Stops every worker; tasks still in flight fail, so no caller waits forever. */
  terminate(): void {
    const slots = this.slots.splice(0);
    const error = new Error(`${this.options.name}: stopped before answering (the pool was terminated)`);
    for (const slot of slots) {
      slot.worker.terminate();
      for (const pending of slot.pending.values()) {
        this.settled();
        pending.reject(error);
      }
    }
  }
}

export interface TaskHandlers<Init, Task, Result> {
  /** The pool's `init`, before any task. If it throws, every task fails with its error (a replacement would only fail again). */
  init?: (init: Init) => void;
  /** One task's result; return a Transfer to move buffers. May answer out of order. */
  run: (task: Task) => Result | Transfer<Result> | Promise<Result | Transfer<Result>>;
  /** Runs after each answer is posted: work the caller should not wait for (a garbage collection). */
  after?: () => void;
}

const replyError = (e: unknown): { code: ErrorCode | null; message: string } => ({
  code: isHotpotError(e) ? e.code : null,
  message: e instanceof Error ? e.message : String(e),
});

/** The worker's side of WorkerPool: call once at the top level of a worker script. */
export function serveTasks<Init, Task, Result>(handlers: TaskHandlers<Init, Task, Result>): void {
  const self = globalThis as unknown as Worker;
  let initError: unknown = null;
  const answer = async (id: number, task: Task): Promise<void> => {
    try {
      if (initError !== null) throw initError;
      const out = await handlers.run(task);
      if (out instanceof Transfer) self.postMessage({ id, result: out.value } satisfies Reply, out.list);
      else self.postMessage({ id, result: out } satisfies Reply);
    } catch (e) {
      self.postMessage({ id, error: replyError(e) } satisfies Reply);
    }
    handlers.after?.();
  };
  self.onmessage = (event: MessageEvent<Request<Init, Task>>) => {
    const data = event.data;
    if ("init" in data) {
      try {
        handlers.init?.(data.init);
      } catch (e) {
        initError = e;
      }
      return;
    }
    void answer(data.id, data.task);
  };
}
