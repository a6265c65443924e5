import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readStoredValue, readUserValue, showValue, type ConfigKey } from "../../src/config.ts";
import { renderTileCounts } from "../../src/render.ts";
import { openStore } from "../../src/store.ts";
import type { StoreConfig } from "../../src/types.ts";
import { errorOf } from "../helpers/errors.ts";

const REPO = join(import.meta.dir, "../..");
const dir = mkdtempSync(join(tmpdir(), "hotpot-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("stored values: ours (JSON) and the Rust hotpot's text", () => {
  test.each([
    ["fetch_cutoff", '"2024-01-01"', "2024-01-01"],
    ["fetch_cutoff", "2024-01-01", "2024-01-01"],
    ["fetch_cutoff", "2024-01-01T00:00:00Z", "2024-01-01"],
    ["fetch_cutoff", "null", null],
    ["trim_dist", "0.0", 0],
    ["trim_dist", "150.5", 150.5],
    ["tile_extent", "2048", 2048],
    ["zoom_levels", "[2,6,10,14,16]", [2, 6, 10, 14, 16]],
    ["activity_masks", '[{"name":"home","lat":52.5,"lng":13.4,"radius":500.0}]', [{ name: "home", lat: 52.5, lng: 13.4, radius: 500 }]],
  ] as [ConfigKey, string, StoreConfig[ConfigKey]][])("%s %p", (key, text, value) => {
    expect(readStoredValue(key, text)).toEqual(value);
  });

  test.each([
    ["fetch_cutoff", "soon", "config fetch_cutoff: expected a date YYYY-MM-DD, found 'soon'"],
    ["trim_dist", "-1", "config trim_dist: expected metres, a number of 0 or more, found '-1'"],
    ["tile_extent", "0", "config tile_extent: expected an integer from 1 to 65536, found '0'"],
    ["zoom_levels", "[10,6]", "config zoom_levels: expected zoom levels from 0 to 24 in rising order, e.g. 2,6,10,14,16, found '[10,6]'"],
    ["activity_masks", '[{"name":1}]', "config activity_masks: expected a JSON list of {name, lat, lng, radius}"],
  ] as const)("%s %p is refused, naming the key", (key, text, message) => {
    expect(errorOf(() => readStoredValue(key, text)).message).toStartWith(message);
  });
});

describe("values as a user types them", () => {
  test.each([
    ["zoom_levels", "2,6,10", [2, 6, 10], "2,6,10"],
    ["zoom_levels", "[3, 9]", [3, 9], "3,9"],
    ["trim_dist", " 200 ", 200, "200"],
    ["tile_extent", "4096", 4096, "4096"],
    ["fetch_cutoff", "2023-12-31", "2023-12-31", "2023-12-31"],
  ] as [ConfigKey, string, StoreConfig[ConfigKey], string][])("%s %p", (key, text, value, shown) => {
    const read = readUserValue(key, text);
    expect(read).toEqual(value);
    expect(showValue(key, read)).toBe(shown);
  });

  test.each([
    ["zoom_levels", "2,,6"],
    ["zoom_levels", "2,6,99"],
    ["trim_dist", "lots"],
    ["trim_dist", ""],
    ["tile_extent", "2048.5"],
    ["fetch_cutoff", "2023-02-30"],
  ] as const)("%s %p is refused", (key, text) => {
    expect(errorOf(() => readUserValue(key, text)).code).toBe("bad_argument");
  });
});

test("a fetch_cutoff written as the Rust README says (a bare date) is read, and tiles still render", () => {
  const path = join(dir, "rust-cutoff.sqlite3");
  openStore(path).close();
  const raw = new Database(path);
  raw.exec("INSERT INTO config (key, value) VALUES ('fetch_cutoff', '2024-01-01')");
  raw.close();
  const store = openStore(path);
  try {
    expect(store.config().fetch_cutoff).toBe("2024-01-01");
    expect(renderTileCounts(store, 10, 549, 335, { size: 256 })).toBeNull();
  } finally {
    store.close();
  }
});

describe("hotpot config", () => {
  const db = join(dir, "cli.sqlite3");
  const run = async (...argv: string[]) => {
    const proc = Bun.spawn(["bun", join(REPO, "src/cli.ts"), ...argv, "--db", db], { stdout: "pipe", stderr: "pipe" });
    return { code: await proc.exited, stdout: await new Response(proc.stdout).text(), stderr: await new Response(proc.stderr).text() };
  };

  test("set, get, list and unset; bad values and keys are one-line errors", async () => {
    expect(await run("config", "set", "trim_dist", "250")).toEqual({ code: 0, stdout: "trim_dist\t250\n", stderr: "" });
    expect(await run("config", "set", "fetch_cutoff", "2024-01-01")).toEqual({ code: 0, stdout: "fetch_cutoff\t2024-01-01\n", stderr: "" });
    expect((await run("config", "get", "trim_dist")).stdout).toBe("250\n");
    expect((await run("config")).stdout).toBe("zoom_levels\t2,6,10,12,14,16\ntile_extent\t2048\ntrim_dist\t250\nactivity_masks\t[]\nfetch_cutoff\t2024-01-01\n");
    expect(await run("config", "unset", "trim_dist")).toEqual({ code: 0, stdout: "trim_dist\t0\n", stderr: "" });
    expect((await run("config", "get", "trim_dist")).stdout).toBe("0\n");

    expect(await run("config", "set", "trim_dist", "-5")).toEqual({ code: 1, stdout: "", stderr: "hotpot: config trim_dist: expected metres, a number of 0 or more, found '-5'\n" });
    expect((await run("config", "set", "trimdist", "5")).stderr).toBe("hotpot: config: unknown key 'trimdist' (did you mean trim_dist? keys: zoom_levels, tile_extent, trim_dist, fetch_cutoff)\n");
    expect((await run("config", "set", "activity_masks", "[]")).stderr).toContain("hotpot mask add|remove");
    // Nine processes one after another: room for a loaded machine.
  }, 60_000);

  test("zoom levels and tile extent cannot change under stored activities", async () => {
    const store = openStore(db);
    store.insertActivities([{ key: "a", fileHash: null, title: null, startTime: null, properties: {}, tiles: [] }]);
    store.close();
    const r = await run("config", "set", "zoom_levels", "2,8");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("config zoom_levels: the stored activities were cut with the current value");
    expect((await run("config", "get", "zoom_levels")).stdout).toBe("2,6,10,12,14,16\n");
  }, 30_000);
});
