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
 * bytes inside a .gz, and one upload at a time per process.
 */
import { Gunzip } from "fflate";
import { HotpotError } from "../errors.ts";
import { ingestFiles, type IngestResult } from "../import/ingest.ts";
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
  /** Largest file after gunzip (default 64 MB): a small .gz can unpack to gigabytes. */
  maxUnzippedBytes: number;
}

export const DEFAULT_UPLOAD: Omit<UploadOptions, "token"> = {
  maxBodyBytes: 15 * 1024 * 1024,
  maxFiles: 200,
  maxUnzippedBytes: 64 * 1024 * 1024,
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
  let form: FormData;
  try {
    form = await new Response(body as Uint8Array<ArrayBuffer>, { headers: { "Content-Type": type } }).formData();
  } catch {
    return textResponse(400, "upload: the multipart/form-data body could not be read");
  }
  const files = form.getAll("file");
  if (files.length === 0) return textResponse(400, "upload: expected one or more form fields named 'file', found none");
  if (files.length > options.maxFiles) return textResponse(413, `upload: at most ${options.maxFiles} files per request, found ${files.length}`);

  const results: UploadResult[] = [];
  for (const file of files) {
    results.push(await storeOne(store, file, options.maxUnzippedBytes));
    changed();
    // Let tile requests to this process in between: a 200-file upload takes seconds.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return jsonResponse({ files: results }, uploadStatus(results));
}

async function storeOne(store: Store, field: FormDataEntryValue, maxUnzipped: number): Promise<UploadResult> {
  if (typeof field === "string") return { name: "", status: "error", reason: "form field 'file' holds text, not a file" };
  const name = field.name || "upload";
  let bytes: Uint8Array = new Uint8Array(await field.arrayBuffer());
  let innerName = name;
  if (/\.gz$/i.test(name)) {
    try {
      bytes = gunzipCapped(bytes, maxUnzipped);
    } catch (e) {
      return { name, status: "error", reason: (e as Error).message };
    }
    innerName = name.slice(0, -3);
  }
  const [result] = ingestFiles(store, [{ name: innerName, bytes, fileName: name }]);
  return clientResult(name, result);
}

/** The importer calls an unknown extension a skip; to an uploader it is an error, with the types that work. */
function clientResult(name: string, r: IngestResult): UploadResult {
  if (r.status === "skipped" && r.reason === "unsupported") return { name, status: "error", reason: UNSUPPORTED };
  return { ...r, name };
}

/** 200 when any file was processed; when none was, 415 if all were of unknown type, else 422 (unreadable). */
export function uploadStatus(results: readonly UploadResult[]): number {
  if (results.some((r) => r.status !== "error")) return 200;
  return results.every((r) => r.reason === UNSUPPORTED) ? 415 : 422;
}

function tooLarge(limit: number): Response {
  return textResponse(413, `upload: request body over the limit of ${(limit / 1024 / 1024).toFixed(1)} MB (--upload-limit-mb)`, { Connection: "close" });
}

/** The whole body, refusing (HotpotError too_large) as soon as more than `limit` bytes arrive, whatever Content-Length said. */
export async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw new HotpotError("too_large", `request body over ${limit} bytes`);
    }
    chunks.push(value);
  }
  return concat(chunks, total);
}

/** Gunzips in slices and stops once the output passes `limit`, before a bomb can fill memory. */
export function gunzipCapped(bytes: Uint8Array, limit: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  const stream = new Gunzip((chunk) => {
    total += chunk.byteLength;
    if (total > limit) throw new HotpotError("too_large", `gzip content over ${(limit / 1024 / 1024).toFixed(0)} MB unpacked`);
    parts.push(chunk);
  });
  const SLICE = 64 * 1024;
  try {
    for (let i = 0; i < bytes.length; i += SLICE) stream.push(bytes.subarray(i, i + SLICE), i + SLICE >= bytes.length);
  } catch (e) {
    if (e instanceof HotpotError) throw e;
    throw new HotpotError("bad_file", `unreadable gzip data: ${(e as Error).message}`);
  }
  if (bytes.length === 0) throw new HotpotError("bad_file", "unreadable gzip data: the file is empty");
  return concat(parts, total);
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
