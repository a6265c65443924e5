/**
 * The cache of encoded tiles: the one Lru (src/cache.ts), bounded by bytes
 * rather than entries: a 1024-px WebP can be a hundred times the size of an
 * empty 256-px tile, so an entry count says nothing about memory. Keys carry
 * the data version anyway; useVersion frees the old entries at once.
 */
import { Lru } from "../cache.ts";

export interface CachedTile {
  /** The encoded image, or null for a tile with nothing drawn (answered 204). */
  body: Blob | null;
  etag: string;
  /** The response headers, ready to send. */
  headers: Headers;
}

/** Per-entry bookkeeping beyond the bytes: Map slot, key string, the entry and its headers object. */
const ENTRY_OVERHEAD = 320;

export class TileCache extends Lru<string, CachedTile> {
  constructor(maxBytes: number) {
    super({ maxWeight: maxBytes, weigh: costOf });
  }

  get usedBytes(): number {
    return this.usedWeight;
  }
}

function costOf(tile: CachedTile, key: string): number {
  return (tile.body?.size ?? 0) + 2 * (key.length + tile.etag.length) + ENTRY_OVERHEAD;
}
