/**
 * A least-recently-used cache of encoded tiles, bounded by bytes rather than
 * entries: a 1024-px WebP can be a hundred times the size of an empty 256-px
 * tile, so an entry count says nothing about memory.
 *
 * A Map keeps insertion order, so re-inserting on every hit makes its first
 * key the least recently used one and eviction a walk from the front.
 */

export interface CachedTile {
  /** The encoded image, or null for a tile with nothing drawn (answered 204). */
  body: Blob | null;
  etag: string;
  /** The response headers, ready to send. */
  headers: Headers;
}

/** Per-entry bookkeeping beyond the bytes: Map slot, key string, the entry and its headers object. */
const ENTRY_OVERHEAD = 320;

export class TileCache {
  private readonly entries = new Map<string, CachedTile>();
  private bytes = 0;
  /** The data version the entries belong to; a new version makes every entry unreachable. */
  private version = -1;

  constructor(readonly maxBytes: number) {}

  get size(): number {
    return this.entries.size;
  }

  get usedBytes(): number {
    return this.bytes;
  }

  /**
   * Keys carry the data version anyway; dropping everything when it moves on
   * frees the old entries now instead of waiting for them to age out.
   */
  useVersion(version: number): void {
    if (version === this.version) return;
    this.version = version;
    this.entries.clear();
    this.bytes = 0;
  }

  get(key: string): CachedTile | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, tile: CachedTile): void {
    const cost = costOf(key, tile);
    // An entry bigger than the whole budget would only flush everything else.
    if (cost > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= costOf(key, old);
    }
    this.entries.set(key, tile);
    this.bytes += cost;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= costOf(oldest, entry);
    }
  }
}

function costOf(key: string, tile: CachedTile): number {
  return (tile.body?.size ?? 0) + 2 * (key.length + tile.etag.length) + ENTRY_OVERHEAD;
}
