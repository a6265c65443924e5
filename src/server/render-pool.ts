/**
 * Runs /render jobs off the request thread: one worker thread per server
 * process (a WorkerPool of ../workers.ts), started on the first job, with a
 * short queue. A worker that crashes fails the jobs it held and is replaced.
 * One worker is enough: with a server process per core the cores are busy
 * already, and what matters is that tile requests keep being answered while
 * it draws.
 */
import { HotpotError } from "../errors.ts";
import type { Store } from "../store.ts";
import { WorkerPool } from "../workers.ts";
import { runRenderJob, type RenderJob } from "./render-job.ts";

export interface Renderer {
  render(job: RenderJob): Promise<Uint8Array | null>;
  close(): void;
}

/** The render thread's name: in the error a crash gives its jobs, and the operating system's (`ps -T`, /proc/<pid>/task/<tid>/comm, at most 15 characters), where tests look for it. */
export const RENDER_THREAD = "render worker";

/** Jobs waiting or running per process; past this /render answers 503 rather than pile up images of up to 3000² counts. */
export const MAX_QUEUED_RENDERS = 4;

/** The 503 for a job past the queue; a render takes a second or two, so try again in five. */
function busy(queued: number): HotpotError {
  return new HotpotError("busy", `render: busy (${queued} renders are queued); try again shortly`, { retryAfter: 5 });
}

export class RenderPool implements Renderer {
  private pool: WorkerPool<RenderJob, Uint8Array | null> | null = null;

  /** `spawn`: the worker to start, a stand-in in tests; started on the first job, so a server never asked to render has no thread for it. */
  constructor(
    private readonly dbPath: string,
    private readonly spawn = () => new Worker(new URL("./render-worker.ts", import.meta.url), { name: RENDER_THREAD }),
  ) {}

  render(job: RenderJob): Promise<Uint8Array | null> {
    this.pool ??= new WorkerPool(this.spawn, { size: 1, depth: MAX_QUEUED_RENDERS, init: this.dbPath, name: RENDER_THREAD });
    if (this.pool.pending >= MAX_QUEUED_RENDERS) return Promise.reject(busy(this.pool.pending));
    return this.pool.run(job);
  }

  /** Jobs waiting or running. */
  get pending(): number {
    return this.pool?.pending ?? 0;
  }

  close(): void {
    this.pool?.terminate();
    this.pool = null;
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
