/**
 * Entity tags. A tile's tag is a hash of everything its bytes depend on: the
 * store's data version (any import, upload, delete, mask or config change moves
 * it) and the normalised request (tile, size, format, palette, scale, mode,
 * query). So two processes of one server give the same tag for the same tile,
 * and no write can leave a stale tag valid.
 */

/** A strong tag: 64 bits of wyhash are plenty to tell versions of one URL apart. */
export function etagOf(key: string): string {
  return `"${Bun.hash(key).toString(36)}"`;
}

/**
 * RFC 9110 §13.1.2: If-None-Match uses the weak comparison, so `W/"x"` matches
 * `"x"`; `*` matches any existing representation.
 */
export function ifNoneMatch(header: string | null, etag: string): boolean {
  if (header === null) return false;
  if (header === etag) return true;
  for (const part of header.split(",")) {
    const candidate = part.trim();
    if (candidate === "*" || candidate === etag || (candidate.startsWith("W/") && candidate.slice(2) === etag)) return true;
  }
  return false;
}
