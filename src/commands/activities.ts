/**
 * `hotpot activities`: list (or count) the stored activities a date range and filter select;
 * `hotpot activities delete KEY…` removes activities by key.
 */
import { defineCommand } from "citty";
import { HotpotError } from "../errors.ts";
import { countActivities, iterateActivities } from "../query.ts";
import type { Store } from "../store.ts";
import { queryArgs, queryOptions } from "./_image.ts";
import { globalArgs, storeFromArgs } from "./_shared.ts";

/** Output is written in pieces of about this many characters, so ten thousand activities never form one string. */
const CHUNK = 64 * 1024;

/** Writes to stdout; false once the reader has gone (`| head`), which ends the listing quietly. */
async function write(text: string): Promise<boolean> {
  try {
    await Bun.write(Bun.stdout, text);
    return true;
  } catch (e) {
    if ((e as { code?: string }).code === "EPIPE") return false;
    throw e;
  }
}

/** Removes the activities, all or none, and names each one removed. */
function deleteActivities(store: Store, keys: string[]): void {
  if (keys.length === 0) throw new HotpotError("bad_argument", "delete: expected one or more activity keys, e.g. hotpot activities delete strava:123");
  const missing = store.deleteActivities(keys);
  if (missing.length > 0) throw new HotpotError("not_found", `delete: no activity with key ${missing.map((k) => JSON.stringify(k)).join(", ")}; nothing was deleted`);
  for (const key of keys) console.log(`deleted ${key}`);
}

const list = defineCommand({
  meta: {
    name: "list",
    description: "Print matching activities as JSON lines (key, file name, title, start time, created at, properties, stored tiles)",
  },
  args: {
    ...globalArgs,
    ...queryArgs,
    count: { type: "boolean", alias: "c", description: "print only the number of matching activities", default: false },
  },
  async run({ args }) {
    const query = queryOptions(args);
    const store = storeFromArgs(args, { mustExist: true });
    try {
      if (args.count) {
        console.log(countActivities(store, query));
        return;
      }
      let chunk = "";
      for (const activity of iterateActivities(store, query, { tiles: true })) {
        chunk += `${JSON.stringify(activity)}\n`;
        if (chunk.length >= CHUNK) {
          if (!(await write(chunk))) return;
          chunk = "";
        }
      }
      if (chunk) await write(chunk);
    } finally {
      store.close();
    }
  },
});

const remove = defineCommand({
  meta: { name: "delete", description: "Remove the activities with these keys (all or none), as `hotpot activities` prints them" },
  args: {
    ...globalArgs,
    keys: { type: "positional", required: false, description: "activity keys, e.g. strava:123 file:9f2c…", valueHint: "KEY…" },
  },
  run({ args }) {
    const store = storeFromArgs(args, { mustExist: true });
    try {
      deleteActivities(store, args._.map(String));
    } finally {
      store.close();
    }
  },
});

export default defineCommand({
  meta: { name: "activities", description: "List, count or delete the stored activities (`hotpot activities` alone lists)" },
  subCommands: { list, delete: remove },
  // `hotpot activities -b 2023-07-01` lists, as before there were subcommands.
  default: "list",
});
