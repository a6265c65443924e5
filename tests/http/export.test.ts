/**
 * `hotpot export` as a real process on the fixture activities, its archives
 * read back by independent readers: the `pmtiles` npm library, GDAL
 * (gdalinfo, gdal_translate; .ci/run installs gdal-bin) and SQLite, and
 * compared tile by tile with `hotpot tile` and the renderer.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Database } from "bun:sqlite";
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PMTiles, zxyToTileId, type Source } from "pmtiles";
import { PmtilesWriter } from "../../src/export/pmtiles.ts";
import { parseZooms } from "../../src/args.ts";
import { tileId } from "../../src/export/pyramid.ts";
import { renderTileCounts } from "../../src/render.ts";
import { openStore } from "../../src/store.ts";
import { xToLng, yToLat } from "../../src/tile.ts";

const ROOT = join(import.meta.dir, "../..");
// Each test runs hotpot as processes, a dozen for the PMTiles one: on a busy machine that takes a while.
setDefaultTimeout(60_000);
let dir: string;
let db: string;

async function hotpot(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn(["bun", "src/cli.ts", ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

async function run(cmd: string[]): Promise<string> {
  const proc = Bun.spawn(cmd, { cwd: dir, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`${cmd.join(" ")} exited with ${code}: ${stderr}`);
  return stdout;
}

/** A PMTiles archive on disk as the library's Source. */
function pmtiles(path: string): PMTiles {
  const file = Bun.file(path);
  const source: Source = {
    getKey: () => path,
    getBytes: async (offset, length) => ({ data: await file.slice(offset, offset + length).arrayBuffer() }),
  };
  return new PMTiles(source);
}

interface Row {
  z: number;
  x: number;
  y: number;
  data: Uint8Array;
}

/** Every tile of an MBTiles file, XYZ rows. */
function mbtilesRows(path: string): Row[] {
  const archive = new Database(path, { readonly: true });
  try {
    const rows = archive.query("SELECT zoom_level AS z, tile_column AS x, tile_row AS tms, tile_data AS data FROM tiles ORDER BY 1, 2, 3").all() as {
      z: number;
      x: number;
      tms: number;
      data: Uint8Array;
    }[];
    return rows.map(({ z, x, tms, data }) => ({ z, x, y: 2 ** z - 1 - tms, data }));
  } finally {
    archive.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hotpot-export-"));
  db = join(dir, "hotpot.sqlite3");
  // The fixtures include a broken file and one without a track: the import reports them and goes on.
  expect((await hotpot("import", "tests/fixtures/activities", "--db", db)).code).toBe(0);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("hotpot export", () => {
  test("MBTiles: every tile with data, none without, as GDAL reads it", async () => {
    const out = join(dir, "heat.mbtiles");
    const r = await hotpot("export", out, "--db", db, "--zooms", "3-15", "-j", "2");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/heat\.mbtiles: \d+ tiles, zooms 3-15/);
    expect(existsSync(`${out}.part`)).toBe(false);

    const rows = mbtilesRows(out);
    expect(new Set(rows.map((t) => t.z))).toEqual(new Set([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]));
    // Exactly the tiles that draw something: each archived tile and its eight neighbours, at every zoom.
    const store = openStore(db, { readonly: true, mustExist: true });
    try {
      const have = new Set(rows.map((t) => `${t.z}/${t.x}/${t.y}`));
      for (const t of rows) {
        for (let dx = -1; dx <= 1; dx++) {
          for (let dy = -1; dy <= 1; dy++) {
            const drawn = renderTileCounts(store, t.z, t.x + dx, t.y + dy, { size: 256 }) !== null;
            expect([`${t.z}/${t.x + dx}/${t.y + dy}`, have.has(`${t.z}/${t.x + dx}/${t.y + dy}`)]).toEqual([`${t.z}/${t.x + dx}/${t.y + dy}`, drawn]);
          }
        }
      }
    } finally {
      store.close();
    }

    const info = await run(["gdalinfo", out]);
    expect(info).toContain("Driver: MBTiles/MBTiles");
    expect(info).toContain("ZOOM_LEVEL=15");
    expect(info).toContain("minzoom=3");
    // Zoom 15 plus one overview per shallower zoom GDAL keeps (down to a 256 px image).
    expect(info).toMatch(/Overviews: (\d+x\d+, ){2,}\d+x\d+/);
    const meta = new Database(out, { readonly: true }).query("SELECT name, value FROM metadata").all() as { name: string; value: string }[];
    const metadata = Object.fromEntries(meta.map((m) => [m.name, m.value]));
    expect(metadata).toMatchObject({ format: "png", minzoom: "3", maxzoom: "15", type: "overlay" });
    const [west, south, east, north] = metadata.bounds.split(",").map(Number);
    expect(west).toBeLessThan(east);
    expect(south).toBeLessThan(north);
    // One zoom 12 tile cut out by GDAL: a 256 px image with drawn (non-transparent) pixels.
    const t = rows.find((r) => r.z === 12)!;
    const metres = (v: number) => v * 2 * Math.PI * 6378137 - Math.PI * 6378137;
    const [ulx, lrx] = [metres(t.x / 4096), metres((t.x + 1) / 4096)];
    const [uly, lry] = [-metres(t.y / 4096), -metres((t.y + 1) / 4096)];
    const tif = join(dir, "z12.tif");
    await run(["gdal_translate", "-q", "-oo", "ZOOM_LEVEL=12", "-projwin", `${ulx}`, `${uly}`, `${lrx}`, `${lry}`, out, tif]);
    const cut = await run(["gdalinfo", "-stats", tif]);
    expect(cut).toContain("Size is 256, 256");
    const alpha = /Band 4[\s\S]*?STATISTICS_MAXIMUM=(\d+)/.exec(cut);
    expect(Number(alpha?.[1])).toBeGreaterThan(0);
  });

  test("PMTiles: header, directory and tiles as the pmtiles library reads them, byte-identical to `hotpot tile`", async () => {
    const out = join(dir, "heat.pmtiles");
    const mb = join(dir, "same.mbtiles");
    const args = ["--db", db, "-z", "2-16", "--color", "viridis", "--format", "webp"];
    expect((await hotpot("export", out, ...args)).code).toBe(0);
    expect((await hotpot("export", mb, ...args)).code).toBe(0);
    const rows = mbtilesRows(mb);

    const archive = pmtiles(out);
    const header = await archive.getHeader();
    expect(header).toMatchObject({ specVersion: 3, minZoom: 2, maxZoom: 16, clustered: true, tileType: 4, numAddressedTiles: rows.length });
    expect(header.numTileContents).toBeLessThanOrEqual(header.numAddressedTiles);
    expect(header.rootDirectoryOffset + header.rootDirectoryLength).toBeLessThanOrEqual(16384);
    expect(await archive.getMetadata()).toMatchObject({ format: "webp", tile_size: 256 });
    for (const t of rows) expect(new Uint8Array((await archive.getZxy(t.z, t.x, t.y))!.data)).toEqual(new Uint8Array(t.data));
    // A tile the MBTiles lacks is not in the PMTiles either.
    const deepest = rows.at(-1)!;
    expect(await archive.getZxy(deepest.z, deepest.x + 5, deepest.y + 5)).toBeUndefined();

    // A spread of tiles, each against `hotpot tile` with the same settings.
    const sample = rows.filter((_, i) => i % Math.ceil(rows.length / 6) === 0);
    for (const t of sample) {
      const file = join(dir, `t-${t.z}-${t.x}-${t.y}.webp`);
      expect((await hotpot("tile", `${t.z}/${t.x}/${t.y}`, "--db", db, "-w", "256", "--color", "viridis", "-o", file)).code).toBe(0);
      expect(new Uint8Array((await archive.getZxy(t.z, t.x, t.y))!.data)).toEqual(await Bun.file(file).bytes());
    }
  });

  test("an interrupted MBTiles export is continued, not redone", async () => {
    const out = join(dir, "resume.mbtiles");
    expect((await hotpot("export", out, "--db", db, "-z", "8-15")).code).toBe(0);
    const full = mbtilesRows(out);
    // As a killed export leaves it: the part file with only some of the tiles.
    renameSync(out, `${out}.part`);
    const part = new Database(`${out}.part`);
    part.exec("DELETE FROM map WHERE zoom_level >= 13");
    const kept = (part.query("SELECT count(*) AS n FROM map").get() as { n: number }).n;
    part.close();
    const r = await hotpot("export", out, "--db", db, "-z", "8-15");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`(${kept} kept from an interrupted export)`);
    expect(mbtilesRows(out)).toEqual(full);

    // Other settings: the part file is not continued.
    copyFileSync(out, `${out}.part`);
    const other = await hotpot("export", out, "--db", db, "-z", "8-14");
    expect(other.stdout).not.toContain("kept from");
    expect(new Set(mbtilesRows(out).map((t) => t.z)).has(15)).toBe(false);
  });

  test("privacy masks apply: a tile inside a mask is not in the archive", async () => {
    const masked = join(dir, "masked.sqlite3");
    copyFileSync(db, masked);
    const before = mbtilesRows(join(dir, "heat.mbtiles")).filter((t) => t.z === 15);
    const t = before[Math.floor(before.length / 2)];
    // The tile's centre, with a radius reaching well past its corners (a zoom 15 tile is about 1.2 km wide at most).
    const [lng, lat] = [xToLng((t.x + 0.5) / 2 ** 15), yToLat((t.y + 0.5) / 2 ** 15)];
    expect((await hotpot("mask", "add", "home", "--latlng", `${lat},${lng}`, "--radius", "1500", "--db", masked)).code).toBe(0);
    const out = join(dir, "masked.mbtiles");
    expect((await hotpot("export", out, "--db", masked, "-z", "15")).code).toBe(0);
    const after = mbtilesRows(out);
    const key = (r: Row) => `${r.z}/${r.x}/${r.y}`;
    expect(after.map(key)).not.toContain(key(t));
    expect(after.length).toBeLessThan(before.length);
    expect(new Set(before.map(key)).isSupersetOf(new Set(after.map(key)))).toBe(true);
  });

  test("OsmAnd .sqlitedb: the same tiles, zoom as is, y from the north", async () => {
    const out = join(dir, "heat.sqlitedb");
    const mb = join(dir, "heat.mbtiles");
    expect((await hotpot("export", out, "--db", db, "-z", "3-15")).code).toBe(0);
    const osmand = new Database(out, { readonly: true });
    const info = osmand.query("SELECT minzoom, maxzoom, tilenumbering, tilesize FROM info").get();
    expect(info).toEqual({ minzoom: 3, maxzoom: 15, tilenumbering: "", tilesize: 256 });
    const tiles = osmand.query("SELECT z, x, y, image AS data FROM tiles ORDER BY z, x, y").all() as Row[];
    osmand.close();
    const byAddress = (a: Row, b: Row) => a.z - b.z || a.x - b.x || a.y - b.y;
    expect(tiles).toEqual(mbtilesRows(mb).sort(byAddress));
  });

  test("a missing output folder is an error naming it", async () => {
    const r = await hotpot("export", join(dir, "nowhere", "heat.pmtiles"), "--db", db);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`hotpot: output: folder ${join(dir, "nowhere")} does not exist\n`);
  });

  test.each([
    [["out.png"], "output: expected a file name ending in .mbtiles, .pmtiles or .sqlitedb"],
    [["out.pmtiles", "--zooms", "9-3"], "zooms: expected MIN-MAX"],
    [["out.pmtiles", "--tile-size", "300"], "tile-size: expected one of 256, 512, 1024, found '300'"],
    [["out.pmtiles", "--format", "jpeg"], "format: expected png or webp, found 'jpeg'"],
    [["out.pmtiles", "--bounds", "10,50,9,51"], "bounds: expected west < east"],
    [["out.pmtiles", "-f", "activity_type ="], "filter"],
  ])("%p is refused with a one-line reason", async (args, message) => {
    const r = await hotpot("export", join(dir, "bad", String(args[0])), "--db", db, ...args.slice(1));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain("    at ");
    expect(existsSync(join(dir, "bad"))).toBe(false);
  });
});

describe("PMTiles writer", () => {
  test("tile ids follow the spec's Hilbert order", () => {
    for (let z = 0; z <= 6; z++) for (let x = 0; x < 2 ** z; x++) for (let y = 0; y < 2 ** z; y++) expect(tileId(z, x, y)).toBe(zxyToTileId(z, x, y));
    expect(tileId(20, 555555, 333333)).toBe(zxyToTileId(20, 555555, 333333));
  });

  test("leaf directories, runs of equal tiles and repeated contents read back", async () => {
    const out = join(dir, "big.pmtiles");
    const writer = new PmtilesWriter(out, { name: "big", format: "png", tileSize: 256, minZoom: 12, maxZoom: 12, attribution: "", fingerprint: "x" });
    // 40,000 tiles of zoom 12 in tile-id order, irregularly spaced and sized: too many entries for the root alone.
    let id = zxyToTileId(12, 0, 0);
    const tiles = Array.from({ length: 40_000 }, (_, i) => {
      id += 1 + ((i * 7919) % 13);
      // Every seventh is the same "all heat" tile, stored once.
      const bytes = i % 7 === 0 ? Uint8Array.of(7, 7, 7, 7) : Uint8Array.from({ length: 2 + ((i * 31) % 97) }, (_, k) => (k === 0 ? i >> 8 : k === 1 ? i & 255 : (i * k) & 255));
      return { id, bytes };
    });
    const { tileIdToZxy } = await import("pmtiles");
    for (const t of tiles) {
      const [, x, y] = tileIdToZxy(t.id);
      writer.write(12, Uint32Array.of(x, y), [t.bytes]);
    }
    writer.finish({ bounds: null, tiles: tiles.length });
    const archive = pmtiles(out);
    const header = await archive.getHeader();
    expect(header.leafDirectoryLength).toBeGreaterThan(0);
    expect(header.numAddressedTiles).toBe(40_000);
    expect(header.numTileContents).toBe(40_000 - Math.floor(40_000 / 7));
    for (const i of [0, 1, 7, 6999, 20_001, 39_999]) {
      const [z, x, y] = tileIdToZxy(tiles[i].id);
      expect(new Uint8Array((await archive.getZxy(z, x, y))!.data)).toEqual(tiles[i].bytes);
    }
  });

  test("an interrupted archive is continued from its log into the same bytes as one written at once", async () => {
    const info = { name: "r", format: "png" as const, tileSize: 256, minZoom: 14, maxZoom: 14, attribution: "", fingerprint: "same" };
    // 600 tiles of one row of zoom 14 in tile-id order, in batches of 50; every fifth repeats one image.
    const ids = Array.from({ length: 600 }, (_, i) => zxyToTileId(14, 3000 + i, 5000)).sort((a, b) => a - b);
    const batches = Array.from({ length: 12 }, (_, b) => ids.slice(b * 50, b * 50 + 50));
    const { tileIdToZxy } = await import("pmtiles");
    const image = (id: number) => (id % 5 === 0 ? Uint8Array.of(1, 2, 3) : Uint8Array.of(id & 255, (id >> 8) & 255, 9, 9));
    const writeBatch = (writer: PmtilesWriter, batch: number[]) => {
      const xy = new Uint32Array(batch.flatMap((id) => tileIdToZxy(id).slice(1)));
      writer.write(14, xy, batch.map(image));
    };
    const once = new PmtilesWriter(join(dir, "once.pmtiles"), info);
    for (const batch of batches) writeBatch(once, batch);
    once.finish({ bounds: null, tiles: 600 });

    const out = join(dir, "resumed.pmtiles");
    const killed = new PmtilesWriter(out, info);
    for (const batch of batches.slice(0, 5)) writeBatch(killed, batch);
    killed.close();
    // Killed while logging a line, and with data of a batch that was never logged.
    appendFileSync(`${out}.part.log`, "12345 67");
    // Another fingerprint (other settings or data) starts afresh on such a part file.
    copyFileSync(`${out}.part`, join(dir, "other.pmtiles.part"));
    copyFileSync(`${out}.part.log`, join(dir, "other.pmtiles.part.log"));
    const other = new PmtilesWriter(join(dir, "other.pmtiles"), { ...info, fingerprint: "other" });
    expect(other.resumed).toBe(0);
    other.close();

    const again = new PmtilesWriter(out, info);
    expect(again.resumed).toBe(250);
    const [, x0, y0] = tileIdToZxy(ids[249]);
    const [, x1, y1] = tileIdToZxy(ids[250]);
    expect([again.has(14, x0, y0), again.has(14, x1, y1)]).toEqual([true, false]);
    for (const batch of batches.slice(5)) writeBatch(again, batch);
    again.finish({ bounds: null, tiles: 600 });
    expect(await Bun.file(out).bytes()).toEqual(await Bun.file(join(dir, "once.pmtiles")).bytes());
    expect(existsSync(`${out}.part.log`)).toBe(false);
  });

  test("zoom ranges", () => {
    expect(parseZooms("2-16")).toEqual({ min: 2, max: 16 });
    expect(parseZooms("12")).toEqual({ min: 12, max: 12 });
    for (const bad of ["", "3-", "16-2", "0-21", "a-b"]) expect(() => parseZooms(bad)).toThrow("zooms: expected");
  });
});
