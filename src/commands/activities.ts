/**
 * `hotpot activities`: list (or count) the stored activities a date range and filter select;
 * `hotpot activities delete KEY…` removes activities by key. Delete is a positional word rather
 * than a citty subcommand so that options before it (`activities --db x delete k`) still apply.
 */
import { defineCommand } from "citty";
import { HotpotError } from "../errors.ts";
import { compileFilter } from "../filter.ts";
import { countActivities, iterateActivities, parseDate, type ActivityQuery } from "../query.ts";
import type { Store } from "../store.ts";
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

export default defineCommand({
  meta: {
    name: "activities",
    description: "Print matching activities as JSON lines (key, file name, title, start time, created at, properties, stored tiles)",
  },
  args: {
    ...globalArgs,
    before: { type: "string", alias: "b", description: "only activities that start before this day (UTC)", valueHint: "YYYY-MM-DD" },
    after: { type: "string", alias: "a", description: "only activities that start on or after this day (UTC)", valueHint: "YYYY-MM-DD" },
    filter: { type: "string", alias: "f", description: "property filter, e.g. 'elevation_gain > 1000'", valueHint: "EXPR" },
    count: { type: "boolean", alias: "c", description: "print only the number of matching activities", default: false },
    action: { type: "positional", required: false, description: "`delete KEY…` removes the activities with these keys (all or none)", valueHint: "delete KEY…" },
  },
  async run({ args }) {
    const [action, ...keys] = args._.map(String);
    if (action !== undefined && action !== "delete") throw new HotpotError("bad_argument", `expected 'delete KEY…' or no argument, found '${action}'`);
    if (action === "delete") {
      const store = storeFromArgs(args, { mustExist: true });
      try {
        return deleteActivities(store, keys);
      } finally {
        store.close();
      }
    }
    // The query layer reads an empty value as "not given", as an empty form field is;
    // on the command line `--before` with nothing after it is a mistake.
    if (args.before !== undefined) parseDate(args.before, "before");
    if (args.after !== undefined) parseDate(args.after, "after");
    if (args.filter !== undefined) compileFilter(args.filter);
    const query: ActivityQuery = { before: args.before, after: args.after, filter: args.filter };
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
