/**
 * `hotpot tile`, `hotpot render` and `hotpot mask` as real processes on a
 * small fixture database: six rides on a made-up street grid in Berlin,
 * written as GPX and imported with `hotpot import`.
 *
 * Golden images live in tests/golden/; after a deliberate change to how
 * tiles look, regenerate them with `UPDATE_GOLDEN=1 bun test tests/http/cli-render.test.ts`
 * and look at them before committing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createCanvas, loadImage } from "@napi-rs/canvas";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Store } from "../../src/store.ts";
import { writeGpx } from "../../src/synth/formats.ts";
import { Random } from "../../src/synth/random.ts";
import { latToY, lngToX } from "../../src/tile.ts";
import { GOLDEN_DIR, UPDATE_GOLDEN } from "../helpers/golden.ts";

const ROOT = join(import.meta.dir, "../..");

let dir: string;
let db: string;

// Streets every 0.003° (about 330 m north-south, 200 m east-west) around a home corner.
const HOME = { lat: 52.52, lng: 13.4 };
const STEP = 0.003;

/** A ride of `legs` blocks on the grid from home and back the same way, a point every ~8 m, 2 m of GPS noise. */
function ride(seed: number, legs: number, start: number) {
  const random = new Random(seed);
  const corners: [number, number][] = [[0, 0]];
  for (let i = 0; i < legs; i++) {
    const [x, y] = corners[corners.length - 1];
    const [dx, dy] = [
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ][random.int(4)];
    corners.push([Math.max(-4, Math.min(4, x + dx)), Math.max(-3, Math.min(3, y + dy))]);
  }
  const route = [...corners, ...corners.slice(0, -1).reverse()];
  const lat: number[] = [];
  const lon: number[] = [];
  for (let i = 1; i < route.length; i++) {
    const [x0, y0] = route[i - 1];
    const [x1, y1] = route[i];
    const steps = Math.max(1, Math.round((Math.abs(x1 - x0) * 200 + Math.abs(y1 - y0) * 330) / 8));
    for (let k = i === 1 ? 0 : 1; k <= steps; k++) {
      const t = k / steps;
      lat.push(HOME.lat + (y0 + (y1 - y0) * t) * STEP + random.range(-2, 2) / 111_195);
      lon.push(HOME.lng + (x0 + (x1 - x0) * t) * STEP + random.range(-2, 2) / 67_700);
    }
  }
  const time = lat.map((_, i) => start + i * 2000);
  return { title: `Ride ${seed}`, type: "ride", startTime: start, segments: [{ lat, lon, ele: lat.map(() => 40), time }] };
}

async function hotpot(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn(["bun", "src/cli.ts", ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

async function decode(path: string): Promise<{ width: number; height: number; data: Uint8ClampedArray }> {
  const image = await loadImage(readFileSync(path));
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  return { width: image.width, height: image.height, data: ctx.getImageData(0, 0, image.width, image.height).data };
}

/**
 * Compares an output with its golden image, tolerating what a small change in
 * simplification or anti-aliasing moves: a pixel differs when a channel is off
 * by more than 24, and at most 1% of the drawn pixels may differ.
 */
async function expectGolden(path: string, name: string): Promise<void> {
  const golden = join(GOLDEN_DIR, name);
  if (UPDATE_GOLDEN || !existsSync(golden)) {
    if (!UPDATE_GOLDEN) throw new Error(`no golden image ${golden}: run with UPDATE_GOLDEN=1 to create it`);
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(golden, readFileSync(path));
    return;
  }
  const [a, b] = await Promise.all([decode(path), decode(golden)]);
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let drawn = 0;
  let differing = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    if (a.data[i + 3] > 0 || b.data[i + 3] > 0) drawn++;
    for (let k = 0; k < 4; k++) {
      if (Math.abs(a.data[i + k] - b.data[i + k]) > 24) {
        differing++;
        break;
      }
    }
  }
  expect(drawn).toBeGreaterThan(0);
  expect(differing).toBeLessThanOrEqual(Math.ceil(drawn * 0.01));
}

const tileOf = (z: number) => `${z}/${Math.floor(lngToX(HOME.lng) * 2 ** z)}/${Math.floor(latToY(HOME.lat) * 2 ** z)}`;
const BOUNDS = `${HOME.lng - 0.014},${HOME.lat - 0.011},${HOME.lng + 0.014},${HOME.lat + 0.011}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hotpot-cli-render-"));
  const files = join(dir, "rides");
  mkdirSync(files);
  for (let i = 1; i <= 6; i++) writeFileSync(join(files, `ride${i}.gpx`), writeGpx(ride(i, 6 + i, Date.UTC(2023, i, 1, 8))));
  db = join(dir, "hotpot.sqlite3");
  const imported = await hotpot("import", files, "--db", db);
  expect(imported.code).toBe(0);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("hotpot tile", () => {
  test.each([
    ["256", 256],
    ["512", 512],
    ["1024", 1024],
  ])("-w %p writes a %p px PNG", async (width, size) => {
    const out = join(dir, `tile-${width}.png`);
    const r = await hotpot("tile", tileOf(15), "--db", db, "-w", width, "-o", out);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${size} x ${size} px`);
    const image = await decode(out);
    expect([image.width, image.height]).toEqual([size, size]);
    expect(image.data.some((v, i) => i % 4 === 3 && v > 0)).toBe(true);
  });

  test("matches the golden tiles", async () => {
    for (const [z, args, name] of [
      [15, ["-w", "256"], "tile-z15-256.png"],
      [17, ["-w", "256", "--color", "viridis"], "tile-z17-256-viridis.png"],
      [15, ["-w", "256", "--scale", "log"], "tile-z15-256-log.png"],
      [15, ["-w", "256", "--scale", "adaptive"], "tile-z15-256-adaptive.png"],
      [15, ["-w", "256", "--mode", "recency", "--color", "viridis"], "tile-z15-256-recency.png"],
      [15, ["-w", "256", "--mode", "first", "--color", "viridis"], "tile-z15-256-first.png"],
    ] as [number, string[], string][]) {
      const out = join(dir, name);
      expect((await hotpot("tile", tileOf(z), "--db", db, ...args, "-o", out)).code).toBe(0);
      await expectGolden(out, name);
    }
  });

  test("a tile with no data is a fully transparent image of the right size", async () => {
    const out = join(dir, "empty.png");
    const r = await hotpot("tile", "15/0/0", "--db", db, "-w", "256", "-o", out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("empty");
    const image = await decode(out);
    expect([image.width, image.height]).toEqual([256, 256]);
    expect(image.data.every((v) => v === 0)).toBe(true);
  });

  test("filters and dates pick activities; matching nothing gives an empty tile", async () => {
    const all = join(dir, "all.png");
    const some = join(dir, "some.png");
    const none = join(dir, "none.png");
    expect((await hotpot("tile", tileOf(15), "--db", db, "-o", all)).code).toBe(0);
    expect((await hotpot("tile", tileOf(15), "--db", db, "--after", "2023-05-01", "-o", some)).code).toBe(0);
    const r = await hotpot("tile", tileOf(15), "--db", db, "-f", 'activity_type = "swim"', "-o", none);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("empty");
    const [a, s, n] = await Promise.all([decode(all), decode(some), decode(none)]);
    const drawn = (img: { data: Uint8ClampedArray }) => img.data.filter((v, i) => i % 4 === 3 && v > 0).length;
    expect(drawn(s)).toBeGreaterThan(0);
    expect(drawn(s)).toBeLessThan(drawn(a));
    expect(drawn(n)).toBe(0);
  });

  test("writes WebP for a .webp name", async () => {
    const out = join(dir, "tile.webp");
    expect((await hotpot("tile", tileOf(15), "--db", db, "-o", out)).code).toBe(0);
    expect(new TextDecoder("latin1").decode(readFileSync(out).subarray(8, 12))).toBe("WEBP");
    expect((await decode(out)).width).toBe(512);
  });

  test.each([
    [["tile", "15/99999/0"], /tile: expected Z\/X\/Y with x and y from 0 to 32767, found '15\/99999\/0'/],
    [["tile", "21/0/0"], /z from 0 to 20/],
    [["tile", "a/b/c"], /expected Z\/X\/Y/],
    [["tile", "15/0/0", "-w", "300"], /width: expected one of 256, 512, 1024, found '300'/],
    [["tile", "15/0/0", "--color", "red", "-g", "1:fff"], /not both/],
    [["tile", "15/0/0", "-g", "1:fff;x:000"], /stop 2/],
    [["tile", "15/0/0", "--color", "mauve"], /color: expected one of orange/],
    [["tile", "15/0/0", "--before", "2023-13-01"], /before: expected a date YYYY-MM-DD/],
    [["tile", "15/0/0", "-f", "distance >"], /filter/],
    [["tile", "15/0/0", "--scale", "sqrt"], /scale: expected one of linear, log, adaptive, found 'sqrt'/],
    [["tile", "15/0/0", "--mode", "last"], /mode: expected one of frequency, recency, first, found 'last'/],
    [["tile", "15/0/0", "-o", "tile.gif"], /output: expected a file name ending in .png or .webp/],
  ])("%p fails: %p", async (args, message) => {
    const r = await hotpot(...args, "--db", db);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  test("a missing database is an error, not a new file", async () => {
    const missing = join(dir, "nope.sqlite3");
    const r = await hotpot("tile", "15/0/0", "--db", missing, "-o", join(dir, "x.png"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("does not exist");
    expect(existsSync(missing)).toBe(false);
  });
});

describe("hotpot render", () => {
  test.each([
    ["320", "240"],
    ["1", "1"],
    ["700", "90"],
  ])("-w %p -H %p gives exactly that size", async (width, height) => {
    const out = join(dir, `render-${width}x${height}.png`);
    const r = await hotpot("render", "--bounds", BOUNDS, "-w", width, "-H", height, "-o", out, "--db", db);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const image = await decode(out);
    expect([image.width, image.height]).toEqual([+width, +height]);
  });

  test("matches the golden image", async () => {
    const out = join(dir, "render-golden.png");
    expect((await hotpot("render", "--bounds", BOUNDS, "-w", "320", "-H", "240", "-g", "1:3f5efb;4:fc466b;12:ffffff", "-o", out, "--db", db)).code).toBe(0);
    await expectGolden(out, "render-320x240.png");
  });

  test("matches the golden image on the adaptive scale, which differs from the linear one", async () => {
    const out = join(dir, "render-adaptive.png");
    expect((await hotpot("render", "--bounds", BOUNDS, "-w", "320", "-H", "240", "--scale", "adaptive", "-o", out, "--db", db)).code).toBe(0);
    await expectGolden(out, "render-320x240-adaptive.png");
    const linear = join(dir, "render-linear.png");
    expect((await hotpot("render", "--bounds", BOUNDS, "-w", "320", "-H", "240", "-o", linear, "--db", db)).code).toBe(0);
    const [a, l] = await Promise.all([decode(out), decode(linear)]);
    expect(a.data).not.toEqual(l.data);
  });

  test("matches the golden image in recency mode, which differs from first-visit mode", async () => {
    const out = join(dir, "render-recency.png");
    const first = join(dir, "render-first.png");
    for (const [mode, path] of [["recency", out], ["first", first]]) {
      expect((await hotpot("render", "--bounds", BOUNDS, "-w", "320", "-H", "240", "--mode", mode, "--color", "viridis", "-o", path, "--db", db)).code).toBe(0);
    }
    await expectGolden(out, "render-320x240-recency.png");
    const [r, f] = await Promise.all([decode(out), decode(first)]);
    expect(r.data).not.toEqual(f.data);
  });

  test("says so when the stored data is coarser than the image", async () => {
    const out = join(dir, "deep.png");
    const tiny = `${HOME.lng},${HOME.lat},${HOME.lng + 0.0005},${HOME.lat + 0.0003}`;
    const r = await hotpot("render", "--bounds", tiny, "-w", "2000", "-H", "1200", "-o", out, "--db", db);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: the deepest stored zoom \(16\) resolves only about \d+ x \d+ px .* upscaled/);
    expect((await decode(out)).width).toBe(2000);
  });

  test.each([
    ["13.5,52.4,13.3,52.6", /west < east/],
    ["13.3,52.6,13.5,52.4", /south < north/],
    ["13.3,52.4,13.5", /four numbers W,S,E,N/],
    ["13.3,-89,13.5,52.4", /latitudes from -85.05 to 85.05/],
    ["west,52.4,13.5,52.6", /four numbers/],
  ])("--bounds %p fails", async (bounds, message) => {
    const r = await hotpot("render", "--bounds", bounds, "--db", db, "-o", join(dir, "bad.png"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  test("-j 1 and -j 2 draw the same picture", async () => {
    const one = join(dir, "j1.png");
    const two = join(dir, "j2.png");
    for (const [jobs, out] of [
      ["1", one],
      ["2", two],
    ]) {
      expect((await hotpot("render", "--bounds", BOUNDS, "-w", "1200", "-H", "900", "-j", jobs, "-o", out, "--db", db)).code).toBe(0);
    }
    const [a, b] = await Promise.all([decode(one), decode(two)]);
    let drawn = 0;
    let differing = 0;
    for (let i = 3; i < a.data.length; i += 4) {
      if (a.data[i] || b.data[i]) drawn++;
      if (a.data[i] !== b.data[i] || a.data[i - 1] !== b.data[i - 1]) differing++;
    }
    expect(drawn).toBeGreaterThan(0);
    expect(differing).toBeLessThanOrEqual(Math.ceil(drawn * 0.005));
    const bad = await hotpot("render", "--bounds", BOUNDS, "-j", "0", "--db", db, "-o", join(dir, "bad.png"));
    expect(bad.stderr).toMatch(/jobs: expected 1 to 64, found 0/);
  });

  test("--width 0 fails", async () => {
    const r = await hotpot("render", "--bounds", BOUNDS, "-w", "0", "--db", db, "-o", join(dir, "bad.png"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/width: expected an integer from 1 to 8192, found 0/);
  });
});

describe("hotpot mask", () => {
  test("add, replace, list and remove; the tile changes and so does the data version", async () => {
    const copy = join(dir, "masked.sqlite3");
    writeFileSync(copy, readFileSync(db));
    const version = () => {
      const store = new Store(copy, { readonly: true });
      try {
        return store.dataVersion();
      } finally {
        store.close();
      }
    };
    const v0 = version();
    const before = join(dir, "mask-before.png");
    const after = join(dir, "mask-after.png");
    expect((await hotpot("tile", tileOf(15), "--db", copy, "-o", before)).code).toBe(0);

    let r = await hotpot("mask", "add", "home", "--latlng", `${HOME.lat},${HOME.lng}`, "--db", copy);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`added mask 'home': ${HOME.lat},${HOME.lng} radius 500 m\n`);
    expect(version()).toBeGreaterThan(v0);
    r = await hotpot("mask", "add", "home", "--latlng", `${HOME.lat},${HOME.lng}`, "--radius", "250", "--db", copy);
    expect(r.stdout).toStartWith("replaced mask 'home'");
    r = await hotpot("mask", "add", "work", "--latlng", "52.5,13.3", "--radius", "100", "--db", copy);
    r = await hotpot("mask", "list", "--db", copy);
    expect(r.stdout).toBe(`home\t${HOME.lat},${HOME.lng} radius 250 m\nwork\t52.5,13.3 radius 100 m\n`);

    expect((await hotpot("tile", tileOf(15), "--db", copy, "-o", after)).code).toBe(0);
    const [b, a] = await Promise.all([decode(before), decode(after)]);
    // The tile's centre region around home is cleared, the rest is as it was.
    const n = 2 ** 15;
    const cx = Math.floor((lngToX(HOME.lng) * n - Math.floor(lngToX(HOME.lng) * n)) * 512);
    const cy = Math.floor((latToY(HOME.lat) * n - Math.floor(latToY(HOME.lat) * n)) * 512);
    expect(a.data[(cy * 512 + cx) * 4 + 3]).toBe(0);
    expect(b.data.filter((v, i) => i % 4 === 3 && v > 0).length).toBeGreaterThan(a.data.filter((v, i) => i % 4 === 3 && v > 0).length);

    r = await hotpot("mask", "remove", "home", "--db", copy);
    expect(r.stdout).toBe("removed mask 'home'\n");
    r = await hotpot("mask", "remove", "home", "--db", copy);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("hotpot: mask 'home' does not exist (masks are: work)\n");
    expect((await hotpot("mask", "list", "--db", copy)).stdout).toBe("work\t52.5,13.3 radius 100 m\n");
  });

  test.each([
    [["--latlng", "91,13"], /latitude: expected -85.05 to 85.05/],
    [["--latlng", "52,200"], /longitude: expected -180 to 180, found 200/],
    [["--latlng", "52;13"], /latlng: expected LAT,LNG/],
    [["--latlng", "52,13", "--radius", "0"], /radius: expected more than 0/],
    [["--latlng", "52,13", "--radius", "5km"], /radius: expected a number of metres, found '5km'/],
    [["--latlng", "52,13", "--radius", "60000"], /at most 50000 metres/],
  ])("add %p fails", async (args, message) => {
    const r = await hotpot("mask", "add", "x", ...args, "--db", db);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  test("list on an empty database says there are none", async () => {
    const empty = join(dir, "empty.sqlite3");
    new Store(empty).close();
    expect((await hotpot("mask", "list", "--db", empty)).stdout).toBe("no masks\n");
  });
});
