/**
 * Export jobs over HTTP (src/server/export-jobs.ts) through app.handle, on
 * the browser fixture's database file: a job runs on a worker, reports its
 * progress, and its archive downloads and reads back.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PMTiles, type Source } from "pmtiles";
import { createApp } from "../../src/server/app.ts";
import { exportRoutes, type JobStatus } from "../../src/server/export-jobs.ts";
import { fixtureDatabase } from "../helpers/fixture.ts";
import { waitUntil } from "../helpers/wait.ts";

setDefaultTimeout(60_000);

let db: ReturnType<typeof fixtureDatabase>;
let root: string;
let app: ReturnType<typeof createApp>;
/** Bound of a job here: the tests' jobs stay under it, zooms 2-20 of the fixture do not. */
const MAX_TILES = 200;
/** Around the fixture's three tracks near Zurich. */
const BOUNDS = "8.49,47.34,8.57,47.40";

const req = (path: string, method = "GET") => app.handle(new Request(`http://localhost${path}`, { method }));

/** Asks for a job's status, as the page does, until it no longer runs. */
async function finished(id: string): Promise<JobStatus> {
  const status = async () => (await (await req(`/api/exports/${id}`)).json()) as JobStatus;
  await waitUntil(async () => (await status()).state !== "running", { what: `export job ${id} to finish`, timeoutMs: 50_000, everyMs: 50 });
  return status();
}

beforeAll(() => {
  db = fixtureDatabase();
  root = mkdtempSync(join(tmpdir(), "hotpot-exports-test-"));
  app = createApp({ store: db.store, plugins: [exportRoutes(db.store, { root, maxTiles: MAX_TILES })] });
});

afterAll(() => {
  db.cleanup();
  rmSync(root, { recursive: true, force: true });
});

describe("POST /api/exports", () => {
  test("an MBTiles job runs to done, counting its tiles, then its archive downloads", async () => {
    const started = await req(`/api/exports?kind=mbtiles&zooms=8-15&bounds=${BOUNDS}&color=magma`, "POST");
    expect(started.status).toBe(202);
    const { id, total } = (await started.json()) as { id: string; total: number };
    expect(total).toBeGreaterThan(10);
    const status = await finished(id);
    expect(status).toMatchObject({ state: "done", kind: "mbtiles", done: total, error: null });
    expect(status.tiles).toBeGreaterThan(0);

    const download = await req(`/exports/${id}/heatmap.mbtiles`);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toBe('attachment; filename="heatmap.mbtiles"');
    const bytes = new Uint8Array(await download.arrayBuffer());
    expect(bytes.length).toBe(status.bytes);
    const file = join(root, "downloaded.mbtiles");
    await Bun.write(file, bytes);
    const archive = new Database(file, { readonly: true });
    expect((archive.query("SELECT count(*) AS n FROM tiles").get() as { n: number }).n).toBe(status.tiles);
    expect(archive.query("SELECT value FROM metadata WHERE name = 'maxzoom'").get()).toEqual({ value: "15" });
    archive.close();
  });

  test("a PMTiles job's archive is read by the pmtiles library", async () => {
    const { id } = (await (await req(`/api/exports?kind=pmtiles&zooms=10-14&bounds=${BOUNDS}`, "POST")).json()) as { id: string };
    const status = await finished(id);
    expect(status.state).toBe("done");
    const bytes = await (await req(`/exports/${id}/heatmap.pmtiles`)).arrayBuffer();
    const source: Source = { getKey: () => id, getBytes: async (offset, length) => ({ data: bytes.slice(offset, offset + length) }) };
    const header = await new PMTiles(source).getHeader();
    expect(header).toMatchObject({ minZoom: 10, maxZoom: 14, numAddressedTiles: status.tiles });
  });

  test.each([
    ["kind=png&bounds=" + BOUNDS, 400, "output: expected"],
    ["zooms=9-3&bounds=" + BOUNDS, 400, "zooms: expected"],
    ["zooms=2-8", 400, "bounds: expected four numbers"],
    ["size=300&bounds=" + BOUNDS, 400, "size: expected one of 256, 512, 1024, found '300'"],
    ["bounds=" + BOUNDS + "&filter=activity_type%20%3D", 400, ""],
    ["zooms=2-20&bounds=-180,-85,180,85", 413, `tiles with data, at most ${MAX_TILES} here`],
  ])("%s → %d", async (query, status, message) => {
    const r = await req(`/api/exports?${query}`, "POST");
    expect(r.status).toBe(status);
    expect(await r.text()).toContain(message);
  });

  test("one job at a time: a second while the first runs is a 503; a dead process's job does not block", async () => {
    const first = await req(`/api/exports?zooms=8-15&bounds=${BOUNDS}`, "POST");
    expect(first.status).toBe(202);
    // The first job's worker has not even started yet.
    const second = await req(`/api/exports?zooms=8-15&bounds=${BOUNDS}`, "POST");
    expect(second.status).toBe(503);
    expect(second.headers.get("retry-after")).toBe("30");
    const { id } = (await first.json()) as { id: string };
    expect((await finished(id)).state).toBe("done");

    // A job whose process died: "running", but its status not rewritten for minutes.
    const stale = "11111111-2222-3333-4444-555555555555";
    mkdirSync(join(root, stale));
    const old: JobStatus = { state: "running", kind: "mbtiles", done: 1, total: 9, tiles: 0, bytes: 0, error: null, updated: Date.now() - 10 * 60_000 };
    writeFileSync(join(root, stale, "status.json"), JSON.stringify(old));
    const third = await req(`/api/exports?zooms=8-15&bounds=${BOUNDS}`, "POST");
    expect(third.status).toBe(202);
    expect(existsSync(join(root, stale))).toBe(false);
    await finished(((await third.json()) as { id: string }).id);
  });

  test("an unknown job or an unfinished archive is a 404", async () => {
    expect((await req("/api/exports/00000000-0000-0000-0000-000000000000")).status).toBe(404);
    expect((await req("/api/exports/..%2f..%2fetc")).status).toBe(404);
    expect((await req("/exports/00000000-0000-0000-0000-000000000000/heatmap.mbtiles")).status).toBe(404);
  });
});
