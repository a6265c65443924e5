/**
 * Runs /render jobs off the request thread: one worker thread per server
 * process, started on the first job, with a short queue. One worker is
 * enough: with a server process per core the cores are busy already, and
 * what matters is that tile requests keep being answered while it draws.
 */
import { HotpotError, type ErrorCode } from "../errors.ts";
import type { Store } from "../store.ts";
import { runRenderJob, type RenderJob } from "./render-job.ts";
import type { RenderReply, RenderRequest } from "./render-worker.ts";

export interface Renderer {
  render(job: RenderJob): Promise<Uint8Array | null>;
  close(): void;
}

/** Jobs waiting or running per process; past this /render answers 503 rather than pile up images of up to 3000² counts. */
export const MAX_QUEUED_RENDERS = 4;

/** The 503 for a job past the queue; a render takes a second or two, so try again in five. */
function busy(queued: number): HotpotError {
  return new HotpotError("busy", `render: busy (${queued} renders are queued); try again shortly`, { retryAfter: 5 });
}

export class RenderPool implements Renderer {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, PromiseWithResolvers<Uint8Array | null>>();

  constructor(private readonly dbPath: string) {}

  render(job: RenderJob): Promise<Uint8Array | null> {
    if (this.pending.size >= MAX_QUEUED_RENDERS) return Promise.reject(busy(this.pending.size));
    const id = this.nextId++;
    const reply = Promise.withResolvers<Uint8Array | null>();
    this.pending.set(id, reply);
    const request: RenderRequest = { id, dbPath: this.dbPath, job };
    this.start().postMessage(request);
    return reply.promise;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL("./render-worker.ts", import.meta.url));
    worker.onmessage = (event: MessageEvent<RenderReply>) => {
      const reply = event.data;
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if ("error" in reply) {
        const { code, message } = reply.error;
        waiting.reject(code ? new HotpotError(code as ErrorCode, message) : new Error(message));
      } else {
        waiting.resolve(reply.bytes);
      }
    };
    // A crashed worker fails what it held; the next job starts a fresh one.
    worker.onerror = (event) => {
      for (const waiting of this.pending.values()) waiting.reject(new Error(`render worker failed: ${event.message}`));
      this.pending.clear();
      worker.terminate();
      if (this.worker === worker) this.worker = null;
    };
    this.worker = worker;
    return worker;
  }

  close(): void {
    this.worker?.terminate();
    this.worker = null;
  }
}

/**
 * Renders on the calling thread: for an in-memory database, which no other
 * thread can open. Jobs still run one at a time.
 */
export class InlineRenderer implements Renderer {
  private queue: Promise<unknown> = Promise.resolve();
  private queued = 0;

  constructor(private readonly store: Store) {}

  render(job: RenderJob): Promise<Uint8Array | null> {
    if (this.queued >= MAX_QUEUED_RENDERS) return Promise.reject(busy(this.queued));
    this.queued++;
    const run = this.queue.then(() => runRenderJob(this.store, job)).finally(() => this.queued--);
    this.queue = run.catch(() => undefined);
    return run;
  }

  close(): void {}
}
