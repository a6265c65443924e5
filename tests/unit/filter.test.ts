import { afterAll, describe, expect, test } from "bun:test";
import { HotpotError } from "../../src/errors.ts";
import { compileFilter, MAX_FILTER_DEPTH, MAX_FILTER_LENGTH } from "../../src/filter.ts";
import { Store } from "../../src/store.ts";
import type { Properties } from "../../src/types.ts";
import { sqlOf } from "../helpers/sql.ts";

const ACTIVITIES: [key: string, title: string | null, properties: Properties][] = [
  ["a1", "Morning Ride", { activity_type: "Ride", elevation_gain: 1200, elapsed_time: 5000, average_speed: 25, commute: false, heart_rate: 140, "Average Temperature": 3 }],
  ["a2", "Evening Ride", { activity_type: "ride", elevation_gain: 200, elapsed_time: 3000, average_speed: 32, commute: true, "Average Temperature": 12 }],
  ["a3", "Morning Run", { activity_type: "Run", elevation_gain: 350, elapsed_time: 3000, average_speed: 11, heart_rate: 160 }],
  ["a4", "Gravel day", { activity_type: "Gravel Ride", elevation_gain: 800, elapsed_time: 7200, average_speed: 20, commute: true }],
  // A number stored as text (never compared as a number) and a `name` property that beats the missing title.
  ["a5", null, { activity_type: "Hike", elevation_gain: "1500", name: "morning hike" }],
  ["a6", "Lunch Walk", {}],
  // A CSV that wrote its boolean as a number.
  ["a7", "Commute home", { activity_type: "Ride", commute: 1, average_speed: 31, elevation_gain: 50 }],
  ["a8", "Night ride", { activity_type: null, elevation_gain: 1000.5, "Average Temperature": -2, 'we"ird': "yes", "x'); DROP": 1, "back\\slash": 2 }],
  ["a9", "Ride 'quoted'", { activity_type: "Ride", elevation_gain: 1000, commute: "true" }],
  ["a10", "Mountain", { activity_type: "E-Bike Ride", elevation_gain: 2500, average_speed: 30, commute: false }],
];

const store = new Store(":memory:");
store.insertActivities(
  ACTIVITIES.map(([key, title, properties], i) => ({ key, fileHash: null, title, startTime: Date.UTC(2021, 0, i + 1), properties, tiles: [] })),
);
afterAll(() => store.close());

function select(expr: string): string[] {
  const { sql, params } = compileFilter(expr);
  const rows = sqlOf(store).prepare(`SELECT key FROM activities WHERE ${sql}`).all(...params) as { key: string }[];
  return rows.map((r) => r.key).sort((a, b) => +a.slice(1) - +b.slice(1));
}

const ALL = ACTIVITIES.map(([key]) => key);
const except = (...keys: string[]) => ALL.filter((k) => !keys.includes(k));

describe("the issue's examples", () => {
  test.each([
    ["elevation_gain > 1000", ["a1", "a8", "a10"]],
    ['"Average Temperature" < 5', ["a1", "a8"]],
    ['activity_type in [ride, "gravel ride"]', ["a1", "a2", "a4", "a7", "a9"]],
    ['name like "Morning%"', ["a1", "a3", "a5"]],
    ["has? heart_rate", ["a1", "a3"]],
    ["elapsed_time < 3600 && elevation_gain > 300", ["a3"]],
    ["elevation_gain > 1000 || (average_speed > 30 && commute = true)", ["a1", "a2", "a7", "a8", "a10"]],
    ["!(commute = true)", except("a2", "a4", "a7")],
    // Single quotes, as the Rust hotpot's tile URLs write strings.
    ["activity_type = 'ride'", ["a1", "a2", "a7", "a9"]],
    ["activity_type in ['gravel ride', \"run\"]", ["a3", "a4"]],
    ["title like '%\\'quoted\\'%'", ["a9"]],
    ["'Average Temperature' < 5", ["a1", "a8"]],
  ])("%s", (expr, keys) => {
    expect(select(expr)).toEqual(keys);
  });
});

describe("semantics", () => {
  test.each([
    // precedence: ! binds tightest, then &&, then ||
    ["activity_type = run || activity_type = ride && commute = true", ["a2", "a3", "a7"]],
    ["(activity_type = run || activity_type = ride) && commute = true", ["a2", "a7"]],
    ["!commute = true || has? heart_rate", except("a2", "a4", "a7")],
    ["!(commute = true || has? heart_rate)", except("a1", "a2", "a3", "a4", "a7")],
    ["!!has? heart_rate", ["a1", "a3"]],
    // a missing key is "different" and fails every other test
    ["activity_type != ride", ["a3", "a4", "a5", "a6", "a8", "a10"]],
    ["heart_rate < 1000", ["a1", "a3"]],
    ["!(heart_rate < 150)", except("a1")],
    ["activity_type = null", ["a8"]],
    ["activity_type != null", except("a8")],
    // quoted keys
    ['"we\\"ird" = yes', ["a8"]],
    ['"back\\\\slash" = 2', ["a8"]],
    ['"x\'); DROP" = 1', ["a8"]],
    ['"Average Temperature" >= -2', ["a1", "a2", "a8"]],
    // in
    ['activity_type in ["E-Bike Ride", "Hike"]', ["a5", "a10"]],
    ['elevation_gain in [1000, "1500"]', ["a5", "a9"]],
    ["activity_type in []", []],
    ["activity_type in [null, run]", ["a3", "a8"]],
    // like: case-insensitive, text only
    ['title like "%ride%"', ["a1", "a2", "a8", "a9"]],
    ['activity_type like "%bike%"', ["a10"]],
    ['elevation_gain like "1%"', ["a5"]],
    // booleans match JSON booleans and the numbers 1/0, never text
    ["commute = true", ["a2", "a4", "a7"]],
    ["commute = false", ["a1", "a10"]],
    ['commute = "true"', ["a9"]],
    ["commute in [true, false]", ["a1", "a2", "a4", "a7", "a10"]],
    // numbers compare with numbers, strings with strings
    ["elevation_gain >= 1000", ["a1", "a8", "a9", "a10"]],
    ["elevation_gain = 1500", []],
    ['elevation_gain = "1500"', ["a5"]],
    ["elevation_gain == 1000.5", ["a8"]],
    ['activity_type > "r"', ["a1", "a2", "a3", "a7", "a9"]],
    // name and title fall back to the title column
    ['name = "lunch walk"', ["a6"]],
    ["has? title", except("a5")],
    ["has? name", ALL],
    // whitespace is free, none is needed
    ["elevation_gain>1000&&commute=false", ["a1", "a10"]],
    ["\n\televation_gain  >\r\n 2000 ", ["a10"]],
  ])("%s", (expr, keys) => {
    expect(select(expr)).toEqual(keys);
  });
});

describe("errors name the position, what was expected and what was found", () => {
  test.each([
    ["elevation_gain >", "expected a value after '>' at position 17, found end of input"],
    ["", "expected a property name, 'has?', '!' or '(' at position 1, found end of input"],
    ["a = 1 &&", "expected a property name, 'has?', '!' or '(' at position 9, found end of input"],
    ["a = 1 b = 2", "expected '&&', '||' or end of input at position 7, found 'b'"],
    ["(a = 1", "expected ')' (for the '(' at position 1) at position 7, found end of input"],
    ["a = 1)", "expected '&&', '||' or end of input at position 6, found ')'"],
    ["a b", "expected an operator (=, !=, <, <=, >, >=, in, like) after 'a' at position 3, found 'b'"],
    ['"my key" ~ 3', `unexpected character "~" at position 10`],
    ["5 = 1", "expected a property name, 'has?', '!' or '(' at position 1, found '5'"],
    ["a in ride", "expected '[' after 'in' at position 6, found 'ride'"],
    ["a in [1, 2", "expected ',' or ']' (in the list opened at position 6) at position 11, found end of input"],
    ["a in [1,, 2]", "expected a value in the list at position 9, found ','"],
    ["a like 5", "expected a quoted pattern after 'like' at position 8, found '5'"],
    ["a > true", "expected a number or a string after '>' at position 5, found 'true'"],
    ["a <= null", "expected a number or a string after '<=' at position 6, found 'null'"],
    ["has? 5", "expected a property name after 'has?' at position 6, found '5'"],
    ["a = 'x", `unterminated string starting at position 5, expected a closing "'"`],
    ["a = 'x\\n'", "unknown escape '\\n' at position 7"],
    ['a = "open', "unterminated string starting at position 5"],
    ['a = "x\\n"', "unknown escape '\\n' at position 7"],
    ["a = 1e999", "number 1e999 at position 5 is out of range"],
    ["a = e-bike", `unexpected character "-" at position 6`],
    ["a = 1 && || b", "expected a property name, 'has?', '!' or '(' at position 10, found '||'"],
    ["a = ", "expected a value after '=' at position 5, found end of input"],
    ["x".repeat(MAX_FILTER_LENGTH) + " = 1", `expression is ${MAX_FILTER_LENGTH + 4} characters long, at most ${MAX_FILTER_LENGTH} are allowed`],
    ["(".repeat(MAX_FILTER_DEPTH + 1) + "a = 1" + ")".repeat(MAX_FILTER_DEPTH + 1), `nested more than ${MAX_FILTER_DEPTH} levels deep at position ${MAX_FILTER_DEPTH + 1}`],
    ["!".repeat(MAX_FILTER_DEPTH + 1) + "has? a", `nested more than ${MAX_FILTER_DEPTH} levels deep`],
  ])("%s", (expr, message) => {
    let error: unknown;
    try {
      compileFilter(expr);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HotpotError);
    expect((error as HotpotError).code).toBe("bad_filter");
    expect((error as HotpotError).status).toBe(400);
    expect((error as HotpotError).message).toStartWith("filter: ");
    expect((error as HotpotError).message).toContain(message);
  });

  test("nesting up to the bound is fine", () => {
    const expr = "(".repeat(MAX_FILTER_DEPTH) + "has? heart_rate" + ")".repeat(MAX_FILTER_DEPTH);
    expect(select(expr)).toEqual(["a1", "a3"]);
  });

  test("the longest allowed expression still runs in SQLite", () => {
    const term = "elevation_gain > 2000 || ";
    const expr = term.repeat(Math.floor((MAX_FILTER_LENGTH - 20) / term.length)) + "has? heart_rate";
    expect(expr.length).toBeLessThanOrEqual(MAX_FILTER_LENGTH);
    expect(select(expr)).toEqual(["a1", "a3", "a10"]);
    const list = `elevation_gain in [${Array.from({ length: 300 }, (_, i) => i * 50).join(",")}]`;
    expect(list.length).toBeLessThanOrEqual(MAX_FILTER_LENGTH);
    expect(select(list)).toEqual(["a1", "a2", "a3", "a4", "a7", "a9", "a10"]); // every whole multiple of 50
  });
});

describe("user text never becomes SQL", () => {
  const attempts = [
    `name = "x'); DROP TABLE activities; --"`,
    `title like "%'; DELETE FROM activities; --"`,
    `"a') OR 1=1; --" = 1`,
    `"x\\"] OR 1=1 --" = 1`,
    `"$" = 1 || "$.a" = 1 || "$[0]" = 1`,
    `activity_type in ["') OR ('1'='1", "\\"; UPDATE activities SET title = 'p'; --"]`,
    `has? "properties ->> '$.elevation_gain'"`,
  ];
  test.each(attempts)("%s matches nothing", (expr) => {
    const version = store.dataVersion();
    expect(select(expr)).toEqual([]);
    expect(compileFilter(expr).sql).not.toContain("DROP");
    expect(store.activityCount()).toBe(ACTIVITIES.length);
    expect(store.dataVersion()).toBe(version);
    expect((sqlOf(store).query("SELECT count(*) AS n FROM activities WHERE title = 'p'").get() as { n: number }).n).toBe(0);
  });
});

describe("cache", () => {
  test("the same text gives the same frozen result", () => {
    const a = compileFilter("elevation_gain > 1000");
    expect(compileFilter("elevation_gain > 1000")).toBe(a);
    expect(Object.isFrozen(a.params)).toBe(true);
  });

  test("a bad expression is not cached and fails every time", () => {
    expect(() => compileFilter("a >")).toThrow("expected a value");
    expect(() => compileFilter("a >")).toThrow("expected a value");
  });
});
