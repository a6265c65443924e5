/**
 * The one cache of hotpot: least recently used, bounded by an entry count, by
 * a total weight, or both, and optionally scoped to a data version.
 *
 * A Map keeps insertion order, so re-inserting on every hit makes its first
 * key the least recently used one and eviction a walk from the front.
 *
 * Written here rather than taken from `lru-cache`: what every cache of hotpot
 * needs beyond an LRU is "forget everything when the data version moves on"
 * (and one cache per store), which that package does not have, while the LRU
 * itself is the few lines below.
 */

export interface LruOptions<K, V> {
  /** Most entries kept; unbounded when not given (then `maxWeight` bounds the cache). */
  maxEntries?: number;
  /** Most total weight kept, each entry weighed by `weigh`; unbounded when not given. */
  maxWeight?: number;
  /** An entry's weight (its bytes, say); 1 when not given. */
  weigh?: (value: V, key: K) => number;
}

export class Lru<K, V> {
  private readonly entries = new Map<K, V>();
  private weight = 0;
  /** The data version the entries belong to (useVersion); -1 before the first. */
  private version = -1;
  private readonly maxEntries: number;
  private readonly maxWeight: number;
  private readonly weigh: (value: V, key: K) => number;

  constructor(options: LruOptions<K, V>) {
    this.maxEntries = options.maxEntries ?? Infinity;
    this.maxWeight = options.maxWeight ?? Infinity;
    this.weigh = options.weigh ?? (() => 1);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The total weight of the entries kept. */
  get usedWeight(): number {
    return this.weight;
  }

  /**
   * Empties the cache when `version` is not the one its entries were made
   * for: stale entries go now instead of waiting to age out.
   */
  useVersion(version: number): void {
    if (version === this.version) return;
    this.version = version;
    this.entries.clear();
    this.weight = 0;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const hit = this.entries.get(key)!;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit;
  }

  set(key: K, value: V): void {
    const cost = this.weigh(value, key);
    // An entry heavier than the whole budget would only flush everything else.
    if (cost > this.maxWeight) return;
    if (this.entries.has(key)) {
      this.weight -= this.weigh(this.entries.get(key)!, key);
      this.entries.delete(key);
    }
    this.entries.set(key, value);
    this.weight += cost;
    for (const [oldest, entry] of this.entries) {
      if (this.weight <= this.maxWeight && this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
      this.weight -= this.weigh(entry, oldest);
    }
  }

  /** The value kept for `key`, else `make()`'s, kept; a null or undefined answer is kept too. */
  remember(key: K, make: () => V): V {
    if (this.entries.has(key)) return this.get(key)!;
    const value = make();
    this.set(key, value);
    return value;
  }
}

/**
 * One Lru per owner (a Store: tests and `serve` open several in one process),
 * each emptied when its owner's data version moves on; an owner that is gone
 * takes its cache with it.
 */
export class PerVersion<O extends object, K, V> {
  private readonly caches = new WeakMap<O, Lru<K, V>>();

  constructor(private readonly options: LruOptions<K, V>) {}

  /** `owner`'s cache, holding only entries made for data `version`. */
  at(owner: O, version: number): Lru<K, V> {
    let cache = this.caches.get(owner);
    if (!cache) this.caches.set(owner, (cache = new Lru(this.options)));
    cache.useVersion(version);
    return cache;
  }
}
