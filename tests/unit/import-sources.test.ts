import { afterAll, describe, expect, test } from "bun:test";
import { zipSync, strToU8 } from "fflate";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSource } from "../../src/import/sources.ts";
import { ZipArchive, inflateEntry } from "../../src/import/zip.ts";

const tmp = mkdtempSync(join(tmpdir(), "hotpot-sources-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const gpx = readFileSync(join(import.meta.dir, "../fixtures/activities/sample.gpx"));

function write(path: string, data: string | Uint8Array): string {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, data);
  return path;
}

describe("folders", () => {
  const root = join(tmp, "folder");
  write(join(root, "activities.csv"), "filename\nb/2.gpx\n");
  write(join(root, "a.gpx"), gpx);
  write(join(root, "b/2.gpx"), gpx);
  write(join(root, "b/c/3.fit.gz"), gpx);
  write(join(root, "b/photo.jpg"), "x");
  write(join(root, ".DS_Store"), "x");
  write(join(root, ".git/config"), "x");
  write(join(root, "b/c/activities.csv"), "filename\n");
  symlinkSync(join(root, "b"), join(tmp, "link-target-is-b"));
  symlinkSync(join(tmp, "link-target-is-b"), join(root, "linked"));

  test("walks recursively, sorted, hidden files ignored, root CSV taken out and read", () => {
    const s = openSource(root);
    expect(s.kind).toBe("folder");
    expect(s.items.map((i) => i.rel)).toEqual([
      "a.gpx",
      "b/2.gpx",
      "b/c/3.fit.gz",
      "b/c/activities.csv",
      "b/photo.jpg",
      "linked/2.gpx",
      "linked/c/3.fit.gz",
      "linked/c/activities.csv",
      "linked/photo.jpg",
    ]);
    expect(s.items[0].path).toBe(join(root, "a.gpx"));
    expect(s.rootCsv).toBe("filename\nb/2.gpx\n");
    expect(s.zip).toBeNull();
  });

  test("a single file is its own source", () => {
    const s = openSource(join(root, "b/2.gpx"));
    expect(s.kind).toBe("file");
    expect(s.items).toEqual([{ rel: "2.gpx", path: join(root, "b/2.gpx") }]);
    expect(s.rootCsv).toBeNull();
  });

  test("a missing path says what was expected", () => {
    expect(() => openSource(join(tmp, "nope"))).toThrow("does not exist (expected an activity file, a folder or a .zip archive)");
  });
});

describe("zip archives", () => {
  const path = write(
    join(tmp, "export.zip"),
    zipSync({
      "activities.csv": [strToU8("filename\nactivities/1.gpx\n"), { level: 0 }],
      activities: { "1.gpx": [gpx, { level: 6 }], "2.gpx.gz": [gpx, { level: 0 }], "empty.gpx": new Uint8Array(0) },
      "__MACOSX/activities/._1.gpx": strToU8("junk"),
      "media/photo.jpg": strToU8("jpeg"),
    }),
  );

  test("entries listed from the central directory; CSV read; resource forks ignored", () => {
    const s = openSource(path);
    try {
      expect(s.kind).toBe("zip");
      expect(s.items.map((i) => i.rel)).toEqual(["activities/1.gpx", "activities/2.gpx.gz", "activities/empty.gpx", "media/photo.jpg"]);
      expect(s.rootCsv).toBe("filename\nactivities/1.gpx\n");
      for (const item of s.items) expect(item.path).toBeUndefined();
    } finally {
      s.zip?.close();
    }
  });

  test("stored and deflated entries come back byte for byte", () => {
    const zip = new ZipArchive(path);
    try {
      const byName = new Map(zip.entries.map((e) => [e.name, e]));
      for (const name of ["activities/1.gpx", "activities/2.gpx.gz"]) {
        const e = byName.get(name)!;
        expect(Buffer.from(inflateEntry(e.method, zip.readRaw(e), e.size, 1 << 30))).toEqual(gpx);
      }
      expect(byName.get("activities/1.gpx")!.method).toBe(8);
      expect(byName.get("activities/2.gpx.gz")!.method).toBe(0);
      const empty = byName.get("activities/empty.gpx")!;
      expect(inflateEntry(empty.method, zip.readRaw(empty), empty.size, 1 << 30).length).toBe(0);
    } finally {
      zip.close();
    }
  });

  test("zip64 archives (written by Info-ZIP `zip -fz`)", () => {
    const zip = new ZipArchive(join(import.meta.dir, "../fixtures/import/zip64.zip"));
    try {
      expect(zip.entries.map((e) => e.name)).toEqual(["activities.csv", "activities/sample.gpx"]);
      const e = zip.entries[1];
      expect(Buffer.from(inflateEntry(e.method, zip.readRaw(e), e.size, 1 << 30))).toEqual(gpx);
    } finally {
      zip.close();
    }
  });

  test("unknown compression methods are named", () => {
    expect(() => inflateEntry(12, new Uint8Array(1), 1, 1 << 30)).toThrow("zip compression method 12 is not supported (expected 0 stored or 8 deflate)");
    expect(() => inflateEntry(8, new Uint8Array([1, 2, 3, 4, 5]), 10, 1 << 30)).toThrow(/^damaged zip entry \(/);
  });

  test.each([
    ["not a zip", strToU8("hello, this is not a zip archive at all")],
    ["truncated", readFileSync(join(import.meta.dir, "../fixtures/import/zip64.zip")).subarray(0, 600)],
  ])("%s: a clear error", (name, bytes) => {
    const p = write(join(tmp, `${name}.zip`), bytes);
    expect(() => new ZipArchive(p)).toThrow(/not a zip archive|truncated|broken/);
  });
});
