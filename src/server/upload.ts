/**
 * POST /upload (only with --upload): multipart/form-data with one or many
 * `file` fields, for browsers and scripts alike:
 *
 *   curl -H "Authorization: Bearer $TOKEN" -F file=@a.fit -F file=@b.gpx.gz http://host:8080/upload
 *
 * Each file is stored in its own transaction, so a failed file changes
 * nothing, and the data version moves with each stored one, so tiles show
 * the upload at once. Bounded everywhere: body bytes (checked against
 * Content-Length before reading and counted while reading), files per request,
 * bytes inside .gz layers (decompress.ts), and one upload at a time per process.
 *
 * The body is split into its files and each file parsed in an import worker
 * (ingestInWorker), never on the thread that answers tiles: a million-point
 * file takes seconds to parse. The worker starts with the request and ends
 * with it, so the memory a large file took goes back with it.
 */
import { controlCharacter } from "../control.ts";
import { readLimited, SERVER_MAX_FILE_BYTES } from "../decompress.ts";
import { HotpotError } from "../errors.ts";
import { ingestInWorker, ingestPool } from "../import/ingest.ts";
import type { WorkerPool } from "../workers.ts";
import type { FormFiles, WorkerResult, WorkerTask } from "../import/worker.ts";
import type { Store } from "../store.ts";
import { requireToken } from "./auth.ts";
import { errorResponse, jsonResponse } from "./http.ts";

export interface UploadOptions {
  /** HOTPOT_UPLOAD_TOKEN, or null when uploads are open. */
  token: string | null;
  /** Largest request body accepted (--upload-limit-mb, default 15 MB). */
  maxBodyBytes: number;
  /** Most `file` fields in one request (default 200): each costs a transaction and a parse. */
  maxFiles: number;
  /** Largest file after unpacking its .gz layers (default 64 MB): a small .gz can unpack to gigabytes. */
  maxUnzippedBytes: number;
}

export const DEFAULT_UPLOAD: Omit<UploadOptions, "token"> = {
  maxBodyBytes: 15 * 1024 * 1024,
  maxFiles: 200,
  maxUnzippedBytes: SERVER_MAX_FILE_BYTES,
};

/** One file's outcome as the client sees it. */
export interface UploadResult {
  name: string;
  status: "added" | "duplicate" | "skipped" | "error";
  reason?: string;
  key?: string;
}

const UNSUPPORTED = "unsupported file type: expected .gpx, .tcx or .fit, optionally gzipped (.gz)";

/** `changed` is called after each stored file, so this process's tiles show it with the next request. */
export function uploadHandler(store: Store, options: UploadOptions, changed: () => void = () => {}) {
  // Uploads run one after another: their bodies are held in memory, and the writes queue on SQLite's lock anyway.
  let queue: Promise<unknown> = Promise.resolve();

  // Errors become answers here as well as in the app: the handler is also called on its own.
  return (request: Request): Promise<Response> => {
    try {
      return start(request).catch(errorResponse);
    } catch (e) {
      return Promise.resolve(errorResponse(e));
    }
  };

  function start(request: Request): Promise<Response> {
    requireToken(request, options.token, "upload");
    const type = request.headers.get("content-type") ?? "";
    if (!type.toLowerCase().startsWith("multipart/form-data")) {
      throw new HotpotError("unsupported", `upload: expected a multipart/form-data body with file fields, found Content-Type '${type.slice(0, 60)}'`);
    }
    const declared = Number(request.headers.get("content-length") ?? 0);
    if (declared > options.maxBodyBytes) throw tooLarge(options.maxBodyBytes);
    const run = queue.then(() => receive(store, request, type, options, changed));
    queue = run.catch(() => undefined);
    return run;
  }
}

async function receive(store: Store, request: Request, type: string, options: UploadOptions, changed: () => void): Promise<Response> {
  let body: Uint8Array;
  try {
    body = await readLimited(request, options.maxBodyBytes);
  } catch (e) {
    if (e instanceof HotpotError && e.code === "too_large") throw tooLarge(options.maxBodyBytes);
    throw e;
  }
  const pool = ingestPool(store, options.maxUnzippedBytes);
  try {
    // The same worker answers a form task with the form's files instead of an activity.
    const split = pool as unknown as WorkerPool<WorkerTask, FormFiles>;
    const files = await split.run({ name: "", form: { body: body as Uint8Array<ArrayBuffer>, type } }, [body.buffer]);
    if (files === null) throw new HotpotError("bad_argument", "upload: the multipart/form-data body could not be read");
    if (files.length === 0) throw new HotpotError("bad_argument", "upload: expected one or more form fields named 'file', found none");
    if (files.length > options.maxFiles) throw new HotpotError("too_large", `upload: at most ${options.maxFiles} files per request, found ${files.length}`);
    const results: UploadResult[] = [];
    for (const file of files) {
      results.push(await storeOne(store, file, pool));
      changed();
    }
    return jsonResponse({ files: results }, uploadStatus(results));
  } finally {
    pool.terminate();
  }
}

async function storeOne(store: Store, file: { name: string; bytes: ArrayBuffer | null }, pool: WorkerPool<WorkerTask, WorkerResult>): Promise<UploadResult> {
  if (file.bytes === null) return { name: "", status: "error", reason: "form field 'file' holds text, not a file" };
  const name = file.name || "upload";
  // A NUL or newline in a name is never a real file's, and would travel on into logs and messages.
  const control = controlCharacter(name);
  if (control) return { name, status: "error", reason: `file name: ${control} is not allowed` };
  const result = await ingestInWorker(store, pool, { name, bytes: new Uint8Array(file.bytes) });
  // The importer calls an unknown extension a skip; to an uploader it is an error, with the types that work.
  if (result.status === "skipped" && result.reason === "unsupported") return { name, status: "error", reason: UNSUPPORTED };
  return result;
}

/** 200 when any file was processed; when none was, 415 if all were of unknown type, else 422 (unreadable). */
export function uploadStatus(results: readonly UploadResult[]): number {
  if (results.some((r) => r.status !== "error")) return 200;
  return results.every((r) => r.reason === UNSUPPORTED) ? 415 : 422;
}

/** Connection: close, as the rest of the body is not read. */
function tooLarge(limit: number): HotpotError {
  return new HotpotError("too_large", `upload: request body over the limit of ${(limit / 1024 / 1024).toFixed(1)} MB (--upload-limit-mb)`, { headers: { Connection: "close" } });
}
