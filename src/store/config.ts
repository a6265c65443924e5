/** The `config` table: settings as JSON text per key, read through one cache per data version. */
import type { Database } from "bun:sqlite";
import { Lru } from "../cache.ts";
import { isConfigKey, readStoredValue } from "../config.ts";
import type { StoreConfig } from "../types.ts";

export const DEFAULT_CONFIG: StoreConfig = {
  // The Rust hotpot's levels plus 12: zooms 11 and 12 would otherwise draw from 14, reading up to
  // 64 of its tiles each (README, Performance: stored levels).
  zoom_levels: [2, 6, 10, 12, 14, 16],
  tile_extent: 2048,
  trim_dist: 0,
  activity_masks: [],
  fetch_cutoff: null,
};

export class ConfigTable {
  /** One entry: the settings of the data version last read. */
  private readonly cache = new Lru<"config", StoreConfig>({ maxEntries: 1 });

  constructor(private readonly db: Database) {}

  /** The settings as of data version `version` (which every config write raises). */
  read(version: number): StoreConfig {
    this.cache.useVersion(version);
    return this.cache.remember("config", () => {
      const config: StoreConfig = structuredClone(DEFAULT_CONFIG);
      for (const { key, value } of this.db.query<{ key: string; value: string }, []>("SELECT key, value FROM config").all()) {
        if (isConfigKey(key)) assign(config, key, readStoredValue(key, value));
      }
      return config;
    });
  }

  set<K extends keyof StoreConfig>(key: K, value: StoreConfig[K]): void {
    if (value === null) this.unset(key);
    else {
      this.db
        .query<never, [string, string]>("INSERT INTO config (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .run(key, JSON.stringify(value));
    }
  }

  unset(key: keyof StoreConfig): void {
    this.db.query<never, [string]>("DELETE FROM config WHERE key = ?").run(key);
  }
}

function assign<K extends keyof StoreConfig>(config: StoreConfig, key: K, value: StoreConfig[K]): void {
  config[key] = value;
}
