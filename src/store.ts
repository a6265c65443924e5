/**
 * The one home of bun:sqlite for hotpot's database: `Store` holds the
 * connection privately and offers a typed method for everything other modules
 * do with it. The statements live in src/store/, one file per table group:
 *
 *   schema.ts      opening, pragmas, migrations     activities.ts  activities (+ their tiles' writes)
 *   config.ts      settings per data version        tiles.ts       tile rows the renderer reads
 *   strava.ts      tokens and the webhook queue     rust.ts        converting a Rust hotpot database
 *   counts.ts      the count pyramid (stored tile counts, kept exact by the activity writes)
 *
 * The main thread is the only writer; workers never open it. (The tile
 * archive writers in src/export/ write files of their own formats.)
 */
import type { Database } from "bun:sqlite";
import type { ActivityRecord, Mask, Properties, StoreConfig } from "./types.ts";
import * as activities from "./store/activities.ts";
import { ConfigTable } from "./store/config.ts";
import * as counts from "./store/counts.ts";
import { rustImportedPaths } from "./store/rust.ts";
import { dataVersion, openDatabase, pageCache, type OpenOptions } from "./store/schema.ts";
import { StravaTables } from "./store/strava.ts";
import * as tiles from "./store/tiles.ts";
import { WHOLE, type Share, type TileRow } from "./store/tiles.ts";

export type { ActivitySpan, Condition, FeatureRow, InsertOutcome, NearRow, SummaryRow } from "./store/activities.ts";
export { DEFAULT_CONFIG } from "./store/config.ts";
export { NOT_STORED, packCounts, type CountTile, type TileAddress } from "./store/counts.ts";
export type { OpenOptions } from "./store/schema.ts";
export type { QueuedEvent, TokenSet } from "./store/strava.ts";
export { WHOLE, type Share, type TileRow } from "./store/tiles.ts";

/**
 * Page cache while an import writes (MiB): it inserts all over the clustered tile
 * table, and with a small cache every batch rereads the pages it touches
 * (measured 25-40% slower with SQLite's default of 2 MiB). Readers keep that
 * default: the operating system caches the file anyway, the benchmark's tile
 * session rendered within 2% of its time with 64 MiB, and every server process
 * holds a connection (64 MiB each put two processes over 200 MB).
 */
export const WRITE_CACHE_MIB = 64;

/**
 * What one request reads of the database's state, read once and passed down:
 * every tile, image, count or export batch drawn with it agrees with its ETag.
 */
export interface Snapshot {
  /** The data version (rises on every change that can alter a rendered tile). */
  version: number;
  config: StoreConfig;
}

export class Store {
  private readonly db: Database;
  readonly path: string;
  private readonly settings: ConfigTable;
  /** Strava's tokens and the webhook event queue. */
  readonly strava: StravaTables;

  constructor(path: string, options: OpenOptions = {}) {
    this.path = path;
    this.db = openDatabase(path, options);
    this.settings = new ConfigTable(this.db);
    this.strava = new StravaTables(this.db);
  }

  close(): void {
    this.db.close();
  }

  /** Sets this connection's page cache (MiB) and returns what it was. */
  pageCache(mib: number): number {
    return pageCache(this.db, mib);
  }

  /**
   * Runs `read` in one read transaction: its statements see one snapshot of
   * the database and take the file's locks once instead of once each.
   */
  readTransaction<T>(read: () => T): T {
    return this.db.transaction(read).deferred();
  }

  /** Rises on every change that can alter a rendered tile. */
  dataVersion(): number {
    return dataVersion(this.db);
  }

  /** The data version and the settings of that version, read together. */
  snapshot(): Snapshot {
    const version = this.dataVersion();
    return { version, config: this.settings.read(version) };
  }

  config(): StoreConfig {
    return this.snapshot().config;
  }

  setConfig<K extends keyof StoreConfig>(key: K, value: StoreConfig[K]): void {
    this.settings.set(key, value);
  }

  /** Removes a stored setting, so it reads as its default again. */
  unsetConfig(key: keyof StoreConfig): void {
    this.settings.unset(key);
  }

  masks(): Mask[] {
    return this.config().activity_masks;
  }

  // Activities (src/store/activities.ts).

  findExisting(key: string, fileHash: string | null): { id: number; key: string } | null {
    return activities.findExisting(this.db, key, fileHash);
  }

  /** The paths the Rust hotpot imported files from, before this database was converted; empty for any other. */
  rustImportedPaths(): Set<string> {
    return rustImportedPaths(this.db);
  }

  insertActivities(records: ActivityRecord[], options: { replace?: boolean } = {}): activities.InsertOutcome[] {
    return activities.insertActivities(this.db, records, options, this.config().zoom_levels);
  }

  deleteActivity(key: string): boolean {
    return activities.deleteActivity(this.db, key, this.config().zoom_levels);
  }

  deleteActivities(keys: string[]): string[] {
    return activities.deleteActivities(this.db, keys, this.config().zoom_levels);
  }

  updateProperties(key: string, changes: Properties, title?: string): boolean {
    return activities.updateProperties(this.db, key, changes, title ?? null);
  }

  reset(): void {
    activities.reset(this.db);
  }

  activityCount(): number {
    return activities.activityCount(this.db);
  }

  activityTypeCounts(): { value: string; count: number }[] {
    return activities.activityTypeCounts(this.db);
  }

  yearCounts(): { year: number; count: number }[] {
    return activities.yearCounts(this.db);
  }

  propertyTypes(): { key: string; type: string; n: number }[] {
    return activities.propertyTypes(this.db);
  }

  activitySpan(upToId = Number.MAX_SAFE_INTEGER): activities.ActivitySpan {
    return activities.activitySpan(this.db, upToId);
  }

  activityStartTimes(): Float64Array {
    return activities.activityStartTimes(this.db);
  }

  fileHashes(): string[] {
    return activities.fileHashes(this.db);
  }

  idsWhere(condition: activities.Condition): Set<number> {
    return activities.idsWhere(this.db, condition);
  }

  summaryRows(condition: activities.Condition | null, limit: number, offset: number, withTiles: boolean): Generator<activities.SummaryRow> {
    return activities.summaryRows(this.db, condition, limit, offset, withTiles);
  }

  rowsByIds(ids: Iterable<number>, limit: number): activities.NearRow[] {
    return activities.rowsByIds(this.db, ids, limit);
  }

  rowByKey(key: string): activities.FeatureRow | null {
    return activities.rowByKey(this.db, key);
  }

  // Tile rows (src/store/tiles.ts).

  tileCells(z: number, x0: number, x1: number, y0: number, y1: number): { x: number; y: number; activity_id: number }[] {
    return tiles.tileCells(this.db, z, x0, x1, y0, y1);
  }

  tileRows(z: number, x0: number, x1: number, y0: number, y1: number, share: Share = WHOLE): TileRow[] {
    return tiles.tileRows(this.db, z, x0, x1, y0, y1, share);
  }

  levelRows(z: number, afterId: number, upToId: number): IterableIterator<TileRow> {
    return tiles.levelRows(this.db, z, afterId, upToId);
  }

  rowsOfActivity(activityId: number, z: number): Omit<TileRow, "activity_id">[] {
    return tiles.rowsOfActivity(this.db, activityId, z);
  }

  storedTileAddresses(z: number): Uint32Array {
    return tiles.storedTileAddresses(this.db, z);
  }

  /** Each stored tile of level z as x, y and its rows' geometry bytes (what drawing it costs), in triples. */
  levelWeights(z: number): Float64Array {
    return tiles.levelWeights(this.db, z);
  }

  // The count pyramid (src/store/counts.ts).

  countTile(z: number, x: number, y: number, size: number, into?: Uint8Array): Uint8Array | null {
    return counts.countTile(this.db, z, x, y, size, into);
  }

  countTileAddresses(): ReturnType<typeof counts.countTileAddresses> {
    return counts.countTileAddresses(this.db);
  }

  putCountTiles(version: number, tiles: counts.CountTile[]): boolean {
    return counts.putCountTiles(this.db, version, tiles);
  }

  dropCountTiles(tiles: (counts.TileAddress & { size: number })[]): void {
    counts.dropCountTiles(this.db, tiles);
  }
}

/** Opens a store, or a throwaway one in memory. */
export function openStore(path: string, options: OpenOptions & { inMemory?: boolean } = {}): Store {
  return new Store(options.inMemory ? ":memory:" : path, options);
}
