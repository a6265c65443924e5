/** Workers running import/worker.ts (parse → track → clip): the bulk import's and the server's uploads alike. */
import { WorkerPool } from "../workers.ts";
import type { WorkerInit, WorkerResult, WorkerTask } from "./worker.ts";

export function importPool(init: WorkerInit, size: number, depth: number): WorkerPool<WorkerTask, WorkerResult> {
  return new WorkerPool(() => new Worker(new URL("./worker.ts", import.meta.url)), { size, depth, init, name: "import worker" });
}
