/** Options every command takes, and opening the store they name. */
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
 * `mustExist` so a typo in --db is an error, not a new empty file.
 */
export function storeFromArgs(args: GlobalArgs, options: { mustExist?: boolean } = {}): Store {
  if (args["in-memory"]) {
    console.warn("hotpot: using an in-memory database: nothing will be saved");
    return openStore(":memory:");
  }
  return openStore(args.db, options);
}
