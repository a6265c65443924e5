import { expect, test } from "bun:test";
import { DataVersion } from "../../src/server/data-version.ts";
import type { Store } from "../../src/store.ts";

/** A store that counts how often its version is read. */
function countingStore() {
  const state = { version: 1, reads: 0 };
  const store = { dataVersion: () => (state.reads++, state.version) } as unknown as Store;
  return { state, store };
}

test("reads the store at most once per maxAgeMs", async () => {
  const { state, store } = countingStore();
  const versions = new DataVersion(store, 20);
  expect(versions.current()).toBe(1);
  state.version = 2;
  for (let i = 0; i < 100; i++) expect(versions.current()).toBe(1);
  expect(state.reads).toBe(1);
  // The point of the test: once maxAgeMs has passed, the next read goes to the store.
  await Bun.sleep(25);
  expect(versions.current()).toBe(2);
  expect(state.reads).toBe(2);
});

test("changed() makes the next read go to the store", () => {
  const { state, store } = countingStore();
  const versions = new DataVersion(store, 60_000);
  versions.current();
  state.version = 7;
  versions.changed();
  expect(versions.current()).toBe(7);
  expect(state.reads).toBe(2);
});

test("maxAgeMs 0 reads every time", () => {
  const { state, store } = countingStore();
  const versions = new DataVersion(store, 0);
  for (let i = 0; i < 5; i++) versions.current();
  expect(state.reads).toBe(5);
});
