/** Options every command takes, and opening the store they name. */
import { HotpotError } from "../errors.ts";
import { openStore, type Store } from "../store.ts";

export const globalArgs = {
  db: { type: "string", alias: "D", description: "SQLite database file", default: "./hotpot.sqlite3", valueHint: "PATH" },
  "in-memory": { type: "boolean", description: "use a throwaway in-memory database (nothing persists)", default: false },
  verbose: { type: "boolean", alias: "v", description: "say more", default: false },
} as const;

export interface GlobalArgs {
  db: string;
  "in-memory": boolean;
  verbose: boolean;
}

/**
 * Opens the database a command names. Commands that only read pass
 * `mustExist` so a typo in --db is an error, not a new empty file. With
 * --in-memory, a command that only reads (`readsOnly`, by default `mustExist`)
 * would only ever see an empty database, so it refuses.
 */
export function storeFromArgs(args: GlobalArgs, options: { mustExist?: boolean; readsOnly?: boolean } = {}): Store {
  if (args["in-memory"] && (options.readsOnly ?? options.mustExist)) {
    throw new HotpotError("bad_argument", "--in-memory: this command reads stored data, and an in-memory database starts empty; give --db instead");
  }
  if (args["in-memory"]) {
    console.warn("hotpot: using an in-memory database: nothing will be saved");
    return openStore(":memory:");
  }
  return openStore(args.db, options);
}
