/**
 * An import worker: CPU work only, never the database. For each task it reads
 * the file (or inflates the zip entry the main thread read for it), prepares
 * the activity and sends the record back with its tiles packed into one
 * transferable buffer. The next file is read while this one is parsed.
 * For the server it also splits an upload's multipart body into its files:
 * Bun's parser takes tens of milliseconds per MB, too long for the request thread.
 */
import { setPriority } from "node:os";
import { errorReason, prepareActivity, prepareParsed, type PrepareOptions, type PrepareResult } from "./prepare.ts";
import { packTiles } from "./pack.ts";
import { inflateEntry } from "./zip.ts";
import type { ActivityRecord, ParsedActivity, Properties } from "../types.ts";
import { serveTasks, Transfer } from "../workers.ts";

export interface WorkerInit {
  options: Pick<PrepareOptions, "zoomLevels" | "tileExtent" | "trimDist" | "maxFileBytes">;
  /** Hashes of files already stored: such files are skipped right after hashing. */
  knownHashes: string[];
  /**
   * This thread's nice value, when it should yield to others in the process:
   * the server's request thread must win the CPU while an upload is parsed.
   */
  nice?: number;
}

export interface WorkerTask {
  name: string;
  /** A file on disk, read here. */
  path?: string;
  /** A zip entry's stored bytes, with its compression method and size. */
  raw?: Uint8Array<ArrayBuffer>;
  method?: number;
  size?: number;
  key?: string;
  title?: string;
  startTime?: number;
  properties?: Properties;
  /** Instead of a file: an activity already read (Strava's streams), to be cleaned and clipped. */
  parsed?: ParsedActivity;
  /** Instead of a file: a whole multipart/form-data body to split into its `file` fields (answered with FormFiles). */
  form?: { body: Uint8Array<ArrayBuffer>; type: string };
}

/** The `file` fields of a form task, bytes transferred; null bytes for a field that holds text. Null when the body is unreadable. */
export type FormFiles = { name: string; bytes: ArrayBuffer | null }[] | null;

/** A PrepareResult as it crosses the thread boundary: tiles travel packed. */
export type WorkerResult =
  | { ok: true; record: Omit<ActivityRecord, "tiles">; tiles: ArrayBuffer; points: number; bytes: number }
  | (Exclude<PrepareResult, { ok: true }> & { bytes: number });

let init: WorkerInit | null = null;
let known = new Set<string>();
const isKnown = (hash: string) => known.has(hash);

interface Queued {
  task: WorkerTask;
  bytes?: Promise<Uint8Array | Error>;
  done: (answer: Transfer<WorkerResult | FormFiles>) => void;
}
/** Tasks in arrival order. At most two files are in memory: the one being parsed and the next, read ahead. */
const queue: Queued[] = [];
let draining = false;

const NO_BYTES = new Uint8Array(0);

function load(task: WorkerTask): Promise<Uint8Array | Error> {
  if (task.parsed) return Promise.resolve(NO_BYTES);
  if (task.path !== undefined) return Bun.file(task.path).bytes().catch((e: unknown) => new Error(errorReason(e)));
  try {
    return Promise.resolve(inflateEntry(task.method ?? 0, task.raw!, task.size ?? 0, init!.options.maxFileBytes));
  } catch (e) {
    return Promise.resolve(new Error(errorReason(e)));
  }
}

function handle(task: WorkerTask, bytes: Uint8Array | Error): Transfer<WorkerResult> {
  if (bytes instanceof Error) return new Transfer({ ok: false, status: "error", reason: bytes.message, bytes: 0 }, []);
  const { key, title, startTime, properties } = task;
  const options = { ...init!.options, key, title, startTime, properties };
  const prepared = task.parsed ? prepareParsed(task.parsed, options) : prepareActivity(task.name, bytes, { ...options, isKnown: key ? undefined : isKnown });
  if (!prepared.ok) return new Transfer({ ...prepared, bytes: bytes.byteLength }, []);
  const { tiles, ...record } = prepared.record;
  const packed = packTiles(tiles);
  return new Transfer({ ok: true, record, tiles: packed, points: prepared.points, bytes: bytes.byteLength }, [packed]);
}

async function splitForm({ body, type }: { body: Uint8Array<ArrayBuffer>; type: string }): Promise<Transfer<FormFiles>> {
  let fields: FormDataEntryValue[];
  try {
    fields = (await new Response(body, { headers: { "Content-Type": type } }).formData()).getAll("file");
  } catch {
    return new Transfer(null, []);
  }
  const files = await Promise.all(fields.map(async (f) => (typeof f === "string" ? { name: "", bytes: null } : { name: f.name, bytes: await f.arrayBuffer() })));
  return new Transfer(files, files.flatMap((f) => (f.bytes ? [f.bytes] : [])));
}

async function drain(): Promise<void> {
  draining = true;
  while (queue.length > 0) {
    const job = queue.shift()!;
    if (job.task.form) {
      job.done(await splitForm(job.task.form));
      continue;
    }
    job.bytes ??= load(job.task);
    // Zip entries are inflated here, so only files on disk are read ahead.
    if (queue[0]?.task.path !== undefined) queue[0].bytes ??= load(queue[0].task);
    try {
      job.done(handle(job.task, await job.bytes));
    } catch (e) {
      job.done(new Transfer({ ok: false, status: "error", reason: errorReason(e), bytes: 0 }, []));
    }
  }
  draining = false;
}

serveTasks<WorkerInit, WorkerTask, WorkerResult | FormFiles>({
  init(data) {
    init = data;
    known = new Set(init.knownHashes);
    // Linux sets a nice value per thread, so this lowers only the worker, not the process.
    if (init.nice !== undefined) setPriority(init.nice);
  },
  // Answered in turn by drain, which reads the next file while this one is parsed.
  run(task) {
    const { promise, resolve } = Promise.withResolvers<Transfer<WorkerResult | FormFiles>>();
    queue.push({ task, done: resolve });
    if (!draining) void drain();
    return promise;
  },
});
