/** `hotpot config [get|set|unset] KEY [VALUE]`: the settings stored in the database (masks stay with `hotpot mask`). */
import { defineCommand } from "citty";
import { didYouMean } from "../cli-args.ts";
import { CONFIG_KEYS, isConfigKey, readUserValue, showValue, type ConfigKey } from "../config.ts";
import { HotpotError } from "../errors.ts";
import { DEFAULT_CONFIG, type Store } from "../store.ts";
import { globalArgs, storeFromArgs } from "./_shared.ts";

/** What `config set` may change: masks have their own command, which checks names and radii. */
const SETTABLE = CONFIG_KEYS.filter((k) => k !== "activity_masks");

/** Stored tiles were cut at these: changing them would leave the stored activities undrawable. */
const FIXED_ONCE_IMPORTED: ConfigKey[] = ["zoom_levels", "tile_extent"];

function unknownKey(key: string, keys: readonly string[]): HotpotError {
  const near = didYouMean(key, keys);
  return new HotpotError("bad_argument", `config: unknown key '${key}' (${near ? `did you mean ${near}? ` : ""}keys: ${keys.join(", ")})`);
}

function settableKey(key: string): ConfigKey {
  if (key === "activity_masks") throw new HotpotError("bad_argument", "config activity_masks: masks are changed with `hotpot mask add|remove`");
  if (!isConfigKey(key)) throw unknownKey(key, SETTABLE);
  return key;
}

function checkChangeable(store: Store, key: ConfigKey): void {
  if (FIXED_ONCE_IMPORTED.includes(key) && store.activityCount() > 0) {
    throw new HotpotError("bad_argument", `config ${key}: the stored activities were cut with the current value; change it before importing (or after \`hotpot import --reset\`)`);
  }
}

const get = defineCommand({
  meta: { name: "get", description: "Print one setting, or every setting as KEY<tab>VALUE" },
  args: {
    ...globalArgs,
    key: { type: "positional", required: false, description: `one of ${CONFIG_KEYS.join(", ")}`, valueHint: "KEY" },
  },
  run({ args }) {
    if (args.key !== undefined && !isConfigKey(args.key)) throw unknownKey(args.key, CONFIG_KEYS);
    const store = storeFromArgs(args, { mustExist: true });
    try {
      const config = store.config();
      if (args.key !== undefined) console.log(showValue(args.key, config[args.key]));
      else for (const key of CONFIG_KEYS) console.log(`${key}\t${showValue(key, config[key])}`);
    } finally {
      store.close();
    }
  },
});

const set = defineCommand({
  meta: { name: "set", description: "Change a setting: trim_dist METRES, fetch_cutoff YYYY-MM-DD, zoom_levels 2,6,10,14,16, tile_extent N" },
  args: {
    ...globalArgs,
    key: { type: "positional", required: true, description: SETTABLE.join(", "), valueHint: "KEY" },
    value: { type: "positional", required: true, description: "the new value", valueHint: "VALUE" },
  },
  run({ args }) {
    const key = settableKey(args.key);
    const value = readUserValue(key, args.value);
    // A setting may come before the first import, so this one may create the database.
    const store = storeFromArgs(args);
    try {
      checkChangeable(store, key);
      store.setConfig(key, value);
      console.log(`${key}\t${showValue(key, value)}`);
    } finally {
      store.close();
    }
  },
});

const unset = defineCommand({
  meta: { name: "unset", description: "Return a setting to its default" },
  args: {
    ...globalArgs,
    key: { type: "positional", required: true, description: SETTABLE.join(", "), valueHint: "KEY" },
  },
  run({ args }) {
    const key = settableKey(args.key);
    const store = storeFromArgs(args, { mustExist: true });
    try {
      checkChangeable(store, key);
      store.unsetConfig(key);
      console.log(`${key}\t${showValue(key, DEFAULT_CONFIG[key])}`);
    } finally {
      store.close();
    }
  },
});

export default defineCommand({
  meta: { name: "config", description: "Read and change stored settings (trim, zoom levels, fetch cutoff)" },
  subCommands: { get, set, unset },
  // `hotpot config` alone lists every setting.
  default: "get",
});
