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
import { authorized } from "./auth.ts";
import { jsonResponse, textResponse } from "./http.ts";

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

  return (request: Request): Promise<Response> => {
    if (!authorized(request, options.token)) {
      return Promise.resolve(textResponse(401, "upload: missing or wrong token (send Authorization: Bearer <HOTPOT_UPLOAD_TOKEN>)", { "WWW-Authenticate": 'Bearer realm="hotpot"' }));
    }
    const type = request.headers.get("content-type") ?? "";
    if (!type.toLowerCase().startsWith("multipart/form-data")) {
      return Promise.resolve(textResponse(415, `upload: expected a multipart/form-data body with file fields, found Content-Type '${type.slice(0, 60)}'`));
    }
    const declared = Number(request.headers.get("content-length") ?? 0);
    if (declared > options.maxBodyBytes) return Promise.resolve(tooLarge(options.maxBodyBytes));
    const run = queue.then(() => receive(store, request, type, options, changed));
    queue = run.catch(() => undefined);
    return run;
  };
}

async function receive(store: Store, request: Request, type: string, options: UploadOptions, changed: () => void): Promise<Response> {
  let body: Uint8Array;
  try {
    body = await readLimited(request, options.maxBodyBytes);
  } catch (e) {
    if (e instanceof HotpotError && e.code === "too_large") return tooLarge(options.maxBodyBytes);
    throw e;
  }
  const pool = ingestPool(store, options.maxUnzippedBytes);
  try {
    // The same worker answers a form task with the form's files instead of an activity.
    const split = pool as unknown as WorkerPool<WorkerTask, FormFiles>;
    const files = await split.run({ name: "", form: { body: body as Uint8Array<ArrayBuffer>, type } }, [body.buffer]);
    if (files === null) return textResponse(400, "upload: the multipart/form-data body could not be read");
    if (files.length === 0) return textResponse(400, "upload: expected one or more form fields named 'file', found none");
    if (files.length > options.maxFiles) return textResponse(413, `upload: at most ${options.maxFiles} files per request, found ${files.length}`);
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

function tooLarge(limit: number): Response {
  return textResponse(413, `upload: request body over the limit of ${(limit / 1024 / 1024).toFixed(1)} MB (--upload-limit-mb)`, { Connection: "close" });
}
