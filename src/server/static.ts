/**
 * The page at / and its assets under /static/. Assets come from an
 * AssetSource (page.ts: the page's files, read from public/ when run from
 * source and embedded when compiled).
 *
 * Fast start: `/` is index.html with every `/static/` reference rewritten to
 * `/static/h-<hash>/`, where the hash covers the content of every asset. Under
 * that name a file can never change, so it is cached `immutable` and a repeat
 * visit asks for nothing but the page; an upgrade changes the hash and so every
 * URL. Plain `/static/...` still answers, revalidated each time, for old pages.
 * Text assets are sent compressed (brotli, else gzip, as the browser accepts):
 * the executable carries them compressed at build time (scripts/build.ts, at
 * brotli's best); from source each is compressed once per process, on first
 * request, and kept. MapLibre goes from 1.1 MB to 0.24-0.27 MB.
 *
 * No request may leave the asset folder. URL parsers already fold `..` and
 * `%2e%2e` segments, but `%2f` and `%5c` survive them and decode to path
 * separators, so every decoded segment is checked: no separators, no NUL,
 * nothing starting with a dot (which also hides dotfiles), no empty segment
 * (so no absolute path).
 */
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import { HotpotError } from "../errors.ts";
import { ifNoneMatch } from "./etag.ts";
import { errorResponse } from "./http.ts";

export interface AssetSource {
  /** The file at a checked relative path (`a/b.js`), or null. */
  get(path: string): Promise<Blob | null>;
  /** Every path it serves; without it there are no hashed URLs, and `/` is index.html as it is. */
  list?(): string[];
  /** The file compressed ahead of time (by the build, into the executable), or null: it is then compressed here. */
  precompressed?(path: string, encoding: Encoding): Promise<Blob | null>;
}

export type Encoding = "br" | "gzip";

/** The decoded relative path of a URL path below `prefix`, or null if it could name anything outside. */
export function checkedPath(urlPath: string, prefix: string): string | null {
  if (!urlPath.startsWith(prefix)) return null;
  const segments = urlPath.slice(prefix.length).split("/");
  const decoded: string[] = [];
  for (const raw of segments) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (segment === "" || segment.startsWith(".") || /[/\\\0]/.test(segment)) return null;
    decoded.push(segment);
  }
  return decoded.join("/");
}

// Keep a copy, but ask each time: the page changes with an upgrade, and these names carry no hash.
const REVALIDATE = "no-cache";
// A hashed name's content never changes: a year is the longest caches honour; immutable skips even the reload check.
const IMMUTABLE = "public, max-age=31536000, immutable";

/** Types worth compressing (images other than SVG are compressed already). */
const COMPRESSIBLE = /^(text\/|application\/(javascript|json)|image\/svg\+xml)/;
/** Below this, headers outweigh the saving. */
const MIN_COMPRESS_BYTES = 1024;
// Quality 9: within 10% of brotli's best on MapLibre at a fourteenth of the time, and it is paid once per process.
const BROTLI = { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } };
const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** ETag → encoding → compressed bytes; the asset set is small and fixed, so this stays small. */
const compressed = new Map<string, Promise<Uint8Array>>();

function encodingFor(request: Request): Encoding | null {
  const accept = request.headers.get("accept-encoding") ?? "";
  if (/\bbr\b/.test(accept)) return "br";
  if (/\bgzip\b/.test(accept)) return "gzip";
  return null;
}

function compress(key: string, bytes: Uint8Array, encoding: Encoding): Promise<Uint8Array> {
  let done = compressed.get(key);
  if (!done) {
    done = (encoding === "br" ? brotliAsync(bytes, BROTLI) : gzipAsync(bytes, { level: 9 })).then((b) => new Uint8Array(b));
    compressed.set(key, done);
  }
  return done;
}

export interface AssetOptions {
  /** Served under a content-hashed name. */
  immutable?: boolean;
  /** Replaces the file's content (index.html with hashed URLs); the ETag then comes from `etag`. */
  body?: { bytes: Uint8Array; etag: string };
}

/** Serves one asset with an ETag, compressed when the browser accepts it; 404 when absent. */
export async function assetResponse(request: Request, assets: AssetSource, path: string | null, options: AssetOptions = {}): Promise<Response> {
  const file = path === null ? null : await assets.get(path);
  if (!file) return errorResponse(new HotpotError("not_found", "not found"));
  const type = file.type || "application/octet-stream";
  const base = options.body?.etag ?? fileTag(file);
  const encoding = COMPRESSIBLE.test(type) && (options.body?.bytes.byteLength ?? file.size) >= MIN_COMPRESS_BYTES ? encodingFor(request) : null;
  const etag = `"${base}${encoding ? `-${encoding}` : ""}"`;
  const headers: Record<string, string> = { "Content-Type": type, "Cache-Control": options.immutable ? IMMUTABLE : REVALIDATE, ETag: etag, Vary: "Accept-Encoding" };
  if (ifNoneMatch(request.headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers });
  if (!encoding && !options.body) return new Response(file, { headers: { ...headers, "Content-Length": String(file.size) } });
  const ready = encoding && !options.body ? await assets.precompressed?.(path!, encoding) : null;
  const bytes = ready ? null : (options.body?.bytes ?? new Uint8Array(await file.arrayBuffer()));
  const body = ready ? new Uint8Array(await ready.arrayBuffer()) : encoding ? await compress(`${path}|${etag}`, bytes!, encoding) : bytes!;
  if (encoding) headers["Content-Encoding"] = encoding;
  return new Response(body as Uint8Array<ArrayBuffer>, { headers: { ...headers, "Content-Length": String(body.byteLength) } });
}

/** Size and modification time: changes whenever the file does, without reading it. */
function fileTag(file: Blob): string {
  const modified = "lastModified" in file ? (file as { lastModified: number }).lastModified : 0;
  return `${file.size.toString(36)}-${Math.floor(modified).toString(36)}`;
}

/** `/static/h-<12 hex>/rest` → [hash, rest]. */
const HASHED = /^\/static\/h-([0-9a-f]{12})(\/.*)$/;

/** The page and its assets, with hashed URLs when the source can list its files. */
export function staticFiles(assets: AssetSource) {
  let memo: { stamp: string; hash: string } | null = null;

  /** A hash of every asset's content, recomputed only when a file's size or time changes (from source, on edits). */
  async function contentHash(): Promise<string | null> {
    if (!assets.list) return null;
    const files = (await Promise.all(assets.list().map((p) => assets.get(p)))).filter((f): f is Blob => f !== null);
    const stamp = files.map(fileTag).join(",");
    if (memo?.stamp === stamp) return memo.hash;
    const sha = createHash("sha256");
    for (const f of files) sha.update(new Uint8Array(await f.arrayBuffer()));
    memo = { stamp, hash: sha.digest("hex").slice(0, 12) };
    return memo.hash;
  }

  return {
    /** `/`: index.html, pointing at the hashed names. */
    async page(request: Request): Promise<Response> {
      const hash = await contentHash();
      const html = hash === null ? null : await assets.get("index.html");
      if (!html || hash === null) return assetResponse(request, assets, "index.html");
      const text = (await html.text()).replaceAll('"/static/', `"/static/h-${hash}/`);
      return assetResponse(request, assets, "index.html", { body: { bytes: new TextEncoder().encode(text), etag: `page-${hash}` } });
    },

    /** `/static/...` and `/static/h-<hash>/...`; a hash that is not the current one is served revalidated, not immutable. */
    async asset(request: Request): Promise<Response> {
      const path = rawPath(request);
      const hashed = HASHED.exec(path);
      if (!hashed) return assetResponse(request, assets, checkedPath(path, "/static/"));
      const current = hashed[1] === (await contentHash());
      return assetResponse(request, assets, checkedPath(`/static${hashed[2]}`, "/static/"), { immutable: current });
    },
  };
}

/** The URL's path, still percent-encoded, without the query. */
export function rawPath(request: Request): string {
  const url = request.url;
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const q = url.indexOf("?", start);
  return q < 0 ? url.slice(start) : url.slice(start, q);
}
