/**
 * The /render thread: a 3000 × 3000 image takes seconds of CPU, which on the
 * request thread would stall every tile request of this process. It opens
 * its own read-only connection (SQLite's WAL lets it read while the main
 * thread writes) and never writes.
 */
import { openStore, type Store } from "../store.ts";
import { serveTasks, Transfer } from "../workers.ts";
import { runRenderJob, type RenderJob } from "./render-job.ts";

let store: Store | null = null;

serveTasks<string, RenderJob, Uint8Array | null>({
  init(dbPath) {
    store = openStore(dbPath, { readonly: true, mustExist: true });
  },
  async run(job) {
    const bytes = await runRenderJob(store!, job);
    // Moved, not copied: the encoders allocate each image afresh and keep no reference to it.
    return new Transfer(bytes, bytes ? [bytes.buffer] : []);
  },
  // An image leaves tens of megabytes of garbage; exports are rare, so collect it now rather than hold it.
  after: () => Bun.gc(true),
});
