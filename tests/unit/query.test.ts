import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { errorOf } from "../helpers/errors.ts";
import { parseDate } from "../../src/args.ts";
import { activityIdSet, compileQuery, countActivities, listActivities, type ActivityQuery } from "../../src/query.ts";
import { Store } from "../../src/store.ts";
import type { ActivityRecord, Properties, TileGeometry } from "../../src/types.ts";
import { sqlOf } from "../helpers/sql.ts";

function record(key: string, startTime: number | null, properties: Properties = {}, tiles: TileGeometry[] = []): ActivityRecord {
  return { key, fileHash: null, title: `title ${key}`, startTime, properties, tiles };
}

const tile = (x: number): TileGeometry => ({ z: 14, x, y: 5, geometry: new Uint8Array([1, 2, 3]) });

let store: Store;
beforeEach(() => {
  store = new Store(":memory:");
  store.insertActivities([
    record("late", Date.UTC(2021, 0, 2), { activity_type: "Ride" }, [tile(1), tile(2), tile(3)]),
    record("midnight", Date.UTC(2021, 0, 1), { activity_type: "Run" }, [tile(1)]),
    record("undated", null, { activity_type: "Ride" }),
    record("last-ms", Date.UTC(2021, 0, 1, 23, 59, 59, 999), { activity_type: "Ride" }),
    record("earlier", Date.UTC(2020, 11, 31, 23, 59, 59, 999), { activity_type: "Hike" }),
  ]);
});
afterEach(() => store.close());

function keysOf(ids: Set<number> | null): string[] | null {
  if (!ids) return null;
  const rows = sqlOf(store).query("SELECT id, key FROM activities").all() as { id: number; key: string }[];
  return rows.filter((r) => ids.has(r.id)).map((r) => r.key).sort();
}

describe("parseDate", () => {
  test.each([
    ["2021-03-04", Date.UTC(2021, 2, 4)],
    ["2024-02-29", Date.UTC(2024, 1, 29)],
    ["1999-12-31", Date.UTC(1999, 11, 31)],
    // Date.UTC would read year 50 as 1950.
    ["0050-01-01", Date.parse("0050-01-01T00:00:00Z")],
  ])("%s", (text, ms) => {
    expect(parseDate(text, "after")).toBe(ms);
  });

  test.each([
    ["2021-13-01", "before: expected a date YYYY-MM-DD, found '2021-13-01' (no such day)"],
    ["2021-02-30", "before: expected a date YYYY-MM-DD, found '2021-02-30' (no such day)"],
    ["2023-02-29", "before: expected a date YYYY-MM-DD, found '2023-02-29' (no such day)"],
    ["2021-00-10", "(no such day)"],
    ["2021-1-5", "before: expected a date YYYY-MM-DD, found '2021-1-5'"],
    ["01/02/2021", "found '01/02/2021'"],
    ["2021-01-01T00:00", "found '2021-01-01T00:00'"],
    ["yesterday", "found 'yesterday'"],
    ["9".repeat(100), `found '${"9".repeat(40)}…'`],
  ])("%s is refused", (text, message) => {
    const e = errorOf(() => parseDate(text, "before"));
    expect(e.code).toBe("bad_argument");
    expect(e.message).toContain(message);
  });
});

describe("activityIdSet", () => {
  test.each([
    [{}, null],
    [{ filter: "  ", before: "", after: " " }, null],
    [{ after: "2021-01-01" }, ["last-ms", "late", "midnight"]],
    [{ before: "2021-01-01" }, ["earlier"]],
    [{ before: "2021-01-02" }, ["earlier", "last-ms", "midnight"]],
    [{ after: "2021-01-01", before: "2021-01-02" }, ["last-ms", "midnight"]],
    [{ after: "2021-01-02", before: "2021-01-01" }, []],
    [{ filter: "activity_type = ride" }, ["last-ms", "late", "undated"]],
    [{ filter: "activity_type = ride", after: "2021-01-01", before: "2021-01-02" }, ["last-ms"]],
    [{ filter: "activity_type != ride", before: "2021-01-02" }, ["earlier", "midnight"]],
  ] as [ActivityQuery, string[] | null][])("%j", (q, keys) => {
    expect(keysOf(activityIdSet(store, compileQuery(q)))).toEqual(keys);
  });

  test.each([
    [{ before: "2021-13-01" }, "before: expected a date YYYY-MM-DD, found '2021-13-01'"],
    [{ after: "2021/01/01" }, "after: expected a date YYYY-MM-DD, found '2021/01/01'"],
    [{ filter: "a >" }, "filter: expected a value after '>' at position 4"],
  ] as [ActivityQuery, string][])("%j is refused", (q, message) => {
    expect(errorOf(() => compileQuery(q)).message).toContain(message);
  });

  test("a repeated query is answered from the cache, whitespace aside", () => {
    const first = activityIdSet(store, compileQuery({ filter: "activity_type = ride" }));
    expect(activityIdSet(store, compileQuery({ filter: " activity_type = ride\n" }))).toBe(first!);
  });

  test("a write that changes the data version invalidates the cache", () => {
    const q = compileQuery({ filter: "activity_type = ride", after: "2021-01-01" });
    const before = activityIdSet(store, q)!;
    expect(keysOf(before)).toEqual(["last-ms", "late"]);
    store.insertActivities([record("new", Date.UTC(2022, 5, 1), { activity_type: "ride" })]);
    expect(keysOf(activityIdSet(store, q))).toEqual(["last-ms", "late", "new"]);
    store.updateProperties("late", { activity_type: "Run" });
    expect(keysOf(activityIdSet(store, q))).toEqual(["last-ms", "new"]);
    store.deleteActivity("new");
    expect(keysOf(activityIdSet(store, q))).toEqual(["last-ms"]);
  });

  test("each store has its own cache", () => {
    const other = new Store(":memory:");
    try {
      const q = compileQuery({ filter: "has? activity_type" });
      expect(activityIdSet(store, q)!.size).toBe(5);
      expect(activityIdSet(other, q)!.size).toBe(0);
    } finally {
      other.close();
    }
  });
});

describe("listActivities", () => {
  test("all activities by start time, undated last, with every field", () => {
    const list = listActivities(store, null, { tiles: true });
    expect(list.map((a) => a.key)).toEqual(["earlier", "midnight", "last-ms", "late", "undated"]);
    expect(list[1]).toEqual({
      key: "midnight",
      file_name: null,
      title: "title midnight",
      start_time: "2021-01-01T00:00:00.000Z",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      properties: { activity_type: "Run" },
      tiles: 1,
    });
    expect(list.map((a) => a.tiles)).toEqual([0, 1, 0, 3, 0]);
    expect(list[4].start_time).toBeNull();
  });

  test("tile counts only when asked", () => {
    expect(listActivities(store, null)[0]).not.toContainKey("tiles");
  });

  test.each([
    [{ limit: 2 }, ["earlier", "midnight"]],
    [{ limit: 2, offset: 2 }, ["last-ms", "late"]],
    [{ offset: 4 }, ["undated"]],
    [{ offset: 10 }, []],
    [{ limit: 0 }, []],
  ])("pages %j", (options, keys) => {
    expect(listActivities(store, null, options).map((a) => a.key)).toEqual(keys);
  });

  test("with a query", () => {
    const list = listActivities(store, compileQuery({ filter: "activity_type = ride", before: "2021-01-03" }));
    expect(list.map((a) => a.key)).toEqual(["last-ms", "late"]);
  });

  test.each([
    [{ limit: -1 }, "limit: expected a non-negative integer, found -1"],
    [{ offset: 1.5 }, "offset: expected a non-negative integer, found 1.5"],
    [{ limit: Number.NaN }, "limit: expected a non-negative integer, found NaN"],
  ])("refuses %j", (options, message) => {
    const e = errorOf(() => listActivities(store, null, options));
    expect(e.code).toBe("bad_argument");
    expect(e.message).toBe(message);
  });
});

describe("countActivities", () => {
  test.each([
    [{}, 5],
    [{ filter: "activity_type = ride" }, 3],
    [{ after: "2021-01-02" }, 1],
    [{ filter: "has? nothing" }, 0],
  ] as [ActivityQuery, number][])("%j", (q, n) => {
    expect(countActivities(store, compileQuery(q))).toBe(n);
  });
});
