/**
 * The /render thread: a 3000 × 3000 image takes seconds of CPU, which on the
 * request thread would stall every tile request of this process. It opens
 * its own read-only connection (SQLite's WAL lets it read while the main
 * thread writes) and never writes.
 */
import { isHotpotError } from "../errors.ts";
import { openStore, type Store } from "../store.ts";
import { runRenderJob, type RenderJob } from "./render-job.ts";

export interface RenderRequest {
  id: number;
  dbPath: string;
  job: RenderJob;
}

export type RenderReply = { id: number; bytes: Uint8Array | null } | { id: number; error: { code: string | null; message: string } };

declare const self: Worker;

let store: Store | null = null;

self.onmessage = async (event: MessageEvent<RenderRequest>) => {
  const { id, dbPath, job } = event.data;
  try {
    if (store?.path !== dbPath) {
      store?.close();
      store = openStore(dbPath, { readonly: true, mustExist: true });
    }
    // Copied, not transferred: encoders hand back memory owned by the native canvas, which cannot move.
    const reply: RenderReply = { id, bytes: await runRenderJob(store, job) };
    self.postMessage(reply);
    // An image leaves tens of megabytes of garbage; exports are rare, so collect it now rather than hold it.
    Bun.gc(true);
  } catch (e) {
    const reply: RenderReply = { id, error: { code: isHotpotError(e) ? e.code : null, message: e instanceof Error ? e.message : String(e) } };
    self.postMessage(reply);
  }
};
