/**
 * The store's connection, for tests that check what landed in the file (rows
 * no typed method returns, or a state set up by hand). `db` is private to
 * src/: code goes through the store's typed methods; only tests look beneath.
 */
import type { Database } from "bun:sqlite";
import type { Store } from "../../src/store.ts";

export const sqlOf = (store: Store): Database => store["db"];
