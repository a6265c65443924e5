import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Store } from "../../src/store.ts";
import type { ActivityRecord } from "../../src/types.ts";

const ROOT = join(import.meta.dir, "../..");
let dir: string;
let db: string;
let many: string;

function record(key: string, title: string, startTime: number, properties: ActivityRecord["properties"], tileCount = 0): ActivityRecord {
  const tiles = Array.from({ length: tileCount }, (_, x) => ({ z: 10, x, y: 7, geometry: new Uint8Array([x]) }));
  return { key, fileHash: null, title, startTime, properties, tiles, fileName: key.startsWith("file:") ? `rides/${key.slice(5)}.gpx` : null };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "hotpot-cli-activities-"));
  db = join(dir, "hotpot.sqlite3");
  const store = new Store(db);
  store.insertActivities([
    record("file:b", "Hilly ride", Date.UTC(2021, 5, 1, 7), { activity_type: "Ride", elevation_gain: 1500 }, 4),
    record("file:a", "Morning run", Date.UTC(2020, 2, 3, 6), { activity_type: "Run", elevation_gain: 120 }, 2),
    record("strava:9", "Flat ride", Date.UTC(2022, 0, 9, 12), { activity_type: "Ride", elevation_gain: 40, commute: true }),
  ]);
  store.close();

  // Enough output to span several of the command's write chunks.
  many = join(dir, "many.sqlite3");
  const big = new Store(many);
  big.insertActivities(
    Array.from({ length: 1500 }, (_, i) =>
      record(`file:${i}`, `Activity number ${i} with a long enough title`, Date.UTC(2020, 0, 1) + i * 3_600_000, { index: i, note: "x".repeat(100) }),
    ),
  );
  big.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function hotpot(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn(["bun", "src/cli.ts", "activities", ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

describe("hotpot activities", () => {
  test("prints one JSON object per line, by start time", async () => {
    const { code, stdout, stderr } = await hotpot("--db", db);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((a) => a.key)).toEqual(["file:a", "file:b", "strava:9"]);
    expect(lines[1]).toEqual({
      key: "file:b",
      file_name: "rides/b.gpx",
      title: "Hilly ride",
      start_time: "2021-06-01T07:00:00.000Z",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      properties: { activity_type: "Ride", elevation_gain: 1500 },
      tiles: 4,
    });
    expect(lines.map((a) => a.tiles)).toEqual([2, 4, 0]);
    expect(lines[2].file_name).toBeNull();
  });

  test.each([
    [["-c"], "3"],
    [["--count", "-f", "activity_type = ride"], "2"],
    [["-c", "--after", "2021-06-01"], "2"],
    [["-c", "--after", "2021-06-02"], "1"],
    [["-c", "--before", "2021-06-01", "--after", "2020-01-01"], "1"],
    [["-c", "-f", "has? nothing"], "0"],
  ])("%j prints only the count", async (args, count) => {
    const { code, stdout } = await hotpot("--db", db, ...args);
    expect(code).toBe(0);
    expect(stdout).toBe(`${count}\n`);
  });

  test.each([
    [["-f", "elevation_gain > 100"], ["file:a", "file:b"]],
    [["--filter", "activity_type = ride && !(commute = true)"], ["file:b"]],
    [["--filter", 'name like "%ride"', "--before", "2022-01-01"], ["file:b"]],
  ])("%j filters", async (args, keys) => {
    const { code, stdout } = await hotpot("--db", db, ...args);
    expect(code).toBe(0);
    expect(stdout.trimEnd().split("\n").map((l) => JSON.parse(l).key)).toEqual(keys);
  });

  test("nothing matching prints nothing", async () => {
    const { code, stdout } = await hotpot("--db", db, "-f", "has? nothing");
    expect(code).toBe(0);
    expect(stdout).toBe("");
  });

  test("streams many activities as whole lines", async () => {
    const { code, stdout } = await hotpot("--db", many);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(stdout.length).toBeGreaterThan(3 * 64 * 1024);
    expect(lines.length).toBe(1500);
    expect(lines.map((l) => JSON.parse(l).properties.index)).toEqual(Array.from({ length: 1500 }, (_, i) => i));
  });

  test("a reader that stops early (| head) ends the listing quietly", async () => {
    const proc = Bun.spawn(["bun", "src/cli.ts", "activities", "--db", many], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    const reader = proc.stdout.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toStartWith('{"key":"file:0"');
    await reader.cancel();
    const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  test.each([
    [["--before", "2021-13-01"], "hotpot: before: expected a date YYYY-MM-DD, found '2021-13-01' (no such day)\n"],
    [["--after", "2021-02-30", "-c"], "hotpot: after: expected a date YYYY-MM-DD, found '2021-02-30' (no such day)\n"],
    [["--after", "1/2/2021"], "hotpot: after: expected a date YYYY-MM-DD, found '1/2/2021'\n"],
    [["--before", ""], "hotpot: before: expected a date YYYY-MM-DD, found ''\n"],
    [["-f", "elevation_gain >"], "hotpot: filter: expected a value after '>' at position 17, found end of input\n"],
    [["-f", ""], "hotpot: filter: expected a property name, 'has?', '!' or '(' at position 1, found end of input\n"],
  ])("%j is a one-line error with exit code 1", async (args, message) => {
    const { code, stdout, stderr } = await hotpot("--db", db, ...args);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(message);
  });

  test("a missing database is an error and is not created", async () => {
    const missing = join(dir, "missing.sqlite3");
    const { code, stdout, stderr } = await hotpot("--db", missing, "-c");
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain(`database ${missing} does not exist`);
    expect(stderr).not.toContain("    at ");
    expect(existsSync(missing)).toBe(false);
  });
});

describe("hotpot activities delete", () => {
  const fresh = () => {
    const path = join(dir, `delete-${Math.random().toString(36).slice(2)}.sqlite3`);
    const store = new Store(path);
    store.insertActivities([
      record("file:x", "One", Date.UTC(2021, 0, 1), {}, 2),
      record("strava:7", "Two", Date.UTC(2021, 0, 2), {}, 3),
      record("file:y", "Three", Date.UTC(2021, 0, 3), {}, 1),
    ]);
    store.close();
    return path;
  };
  const keysIn = async (path: string) => (await hotpot("--db", path)).stdout.trimEnd().split("\n").map((l) => JSON.parse(l).key);

  test("removes every named activity and says so", async () => {
    const path = fresh();
    const { code, stdout, stderr } = await hotpot("--db", path, "delete", "strava:7", "file:x");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toBe("deleted strava:7\ndeleted file:x\n");
    expect(await keysIn(path)).toEqual(["file:y"]);
  });

  test("with the database option before the command, as the Rust hotpot writes it", async () => {
    const path = fresh();
    const proc = Bun.spawn(["bun", "src/cli.ts", "--db", path, "activities", "delete", "file:y"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    expect(await proc.exited).toBe(0);
    expect(await keysIn(path)).toEqual(["file:x", "strava:7"]);
  });

  test("an unknown key is a one-line error and nothing is deleted", async () => {
    const path = fresh();
    const { code, stdout, stderr } = await hotpot("--db", path, "delete", "file:x", "nope", "strava:8");
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe('hotpot: delete: no activity with key "nope", "strava:8"; nothing was deleted\n');
    expect(await keysIn(path)).toEqual(["file:x", "strava:7", "file:y"]);
  });
});
