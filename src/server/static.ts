/**
 * The page at / and its assets under /static/. Assets come from an
 * AssetSource (page.ts: the page's files, read from public/ when run from
 * source and embedded when compiled).
 *
 * No request may leave the asset folder. URL parsers already fold `..` and
 * `%2e%2e` segments, but `%2f` and `%5c` survive them and decode to path
 * separators, so every decoded segment is checked: no separators, no NUL,
 * nothing starting with a dot (which also hides dotfiles), no empty segment
 * (so no absolute path).
 */
import { ifNoneMatch } from "./etag.ts";
import { textResponse } from "./http.ts";

export interface AssetSource {
  /** The file at a checked relative path (`a/b.js`), or null. */
  get(path: string): Promise<Blob | null>;
}

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

// Keep a copy, but ask each time: the page changes with an upgrade and file names carry no hash.
const CACHE_CONTROL = "no-cache";

/** Serves one asset with an ETag from its size and modification time; 404 when absent. */
export async function assetResponse(request: Request, assets: AssetSource, path: string | null): Promise<Response> {
  const file = path === null ? null : await assets.get(path);
  if (!file) return textResponse(404, "not found");
  const modified = file instanceof Blob && "lastModified" in file ? (file as { lastModified: number }).lastModified : 0;
  const etag = `"${file.size.toString(36)}-${Math.floor(modified).toString(36)}"`;
  const headers = { "Content-Type": file.type || "application/octet-stream", "Cache-Control": CACHE_CONTROL, ETag: etag };
  if (ifNoneMatch(request.headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers });
  return new Response(file, { headers: { ...headers, "Content-Length": String(file.size) } });
}

/** The URL's path, still percent-encoded, without the query. */
export function rawPath(request: Request): string {
  const url = request.url;
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const q = url.indexOf("?", start);
  return q < 0 ? url.slice(start) : url.slice(start, q);
}
