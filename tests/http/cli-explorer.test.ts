import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createApp } from "../../src/server/app.ts";
import { fixtureDatabase } from "../helpers/fixture.ts";

const ROOT = join(import.meta.dir, "../..");
let db: ReturnType<typeof fixtureDatabase>;
beforeAll(() => {
  db = fixtureDatabase();
});
afterAll(() => db.cleanup());

async function hotpot(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = Bun.spawn(["bun", join(ROOT, "src/cli.ts"), "explorer", "--db", db.path, ...args], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}

/** What the server answers for the same question, for agreement checks. */
async function api(path: string): Promise<unknown> {
  const app = createApp({ store: db.store, tileCache: null });
  return (await app.handle(new Request(`http://localhost${path}`))).json();
}

describe("hotpot explorer", () => {
  const cases: [string, string[], string][] = [
    ["everything at zoom 14", [], "/api/explorer?zoom=14"],
    ["zoom 17, runs only", ["--zoom", "17", "-f", "activity_type = run"], "/api/explorer?zoom=17&filter=activity_type%20%3D%20run"],
    ["dates with the short flags", ["-a", "2023-01-01", "-b", "2024-01-01"], "/api/explorer?after=2023-01-01&before=2024-01-01"],
    ["dates with the long flags", ["--after", "2023-01-01", "--before", "2024-01-01", "-z", "17"], "/api/explorer?zoom=17&after=2023-01-01&before=2024-01-01"],
  ];
  test.each(cases)("--json agrees with the API: %s", async (_name, args, path) => {
    const { code, stdout } = await hotpot(...args, "--json");
    expect(code).toBe(0);
    const numbers = JSON.parse(stdout);
    expect(numbers).toEqual(await api(path));
    expect(numbers.explored).toBeGreaterThan(0);
  });

  test("prints the numbers and a per-year chart for people", async () => {
    const numbers = (await api("/api/explorer?zoom=14")) as { explored: number; max_square: { size: number; x: number; y: number }; max_cluster: { size: number } };
    const { code, stdout } = await hotpot();
    expect(code).toBe(0);
    const { size, x, y } = numbers.max_square;
    expect(stdout).toContain(`explored tiles (zoom 14): ${numbers.explored}\n`);
    expect(stdout).toContain(`max square: ${size} × ${size}, north-west tile 14/${x}/${y}\n`);
    expect(stdout).toContain(`max cluster: ${numbers.max_cluster.size} tiles\n`);
    expect(stdout).toMatch(/first explored per year:\n {2}2022 \d+ █+\n {2}2023 \d+ █+\n {2}2024 \d+ █+\n$/);
  });

  test("--geojson writes the same cells as /api/explorer/tiles", async () => {
    const file = join(db.dir, "cells.geojson");
    const { code, stderr } = await hotpot("-z", "17", "--geojson", file);
    expect(code).toBe(0);
    const written = JSON.parse(readFileSync(file, "utf8"));
    const served = (await api("/api/explorer/tiles?zoom=17&bbox=-180,-85,180,85")) as { features: unknown[] };
    expect(written).toEqual(served);
    expect(stderr).toContain(`${file}: ${served.features.length} tiles`);
  });

  const bad: [string[], string][] = [
    [["--zoom", "16"], "hotpot: zoom: expected 14 or 17, found '16'"],
    [["-a", "2023-02-30"], "hotpot: after: expected a date YYYY-MM-DD, found '2023-02-30' (no such day)"],
    [["-f", "elevation_gain >"], "hotpot: filter: expected a value after '>'"],
  ];
  test.each(bad)("%p is a one-line error", async (args, message) => {
    const { code, stdout, stderr } = await hotpot(...args);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toStartWith(message);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });
});
