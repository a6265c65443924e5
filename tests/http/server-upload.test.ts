import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { gzipSync } from "fflate";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type Store } from "../../src/store.ts";
import { DEFAULT_UPLOAD, uploadHandler, uploadStatus, type UploadOptions, type UploadResult } from "../../src/server/upload.ts";
import { sqlOf } from "../helpers/sql.ts";

const FIXTURES = join(import.meta.dir, "../fixtures/activities");
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));
const dir = mkdtempSync(join(tmpdir(), "hotpot-upload-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let store: Store;
let n = 0;
beforeEach(() => {
  store = openStore(join(dir, `upload-${n++}.sqlite3`));
});

function form(files: [string, Uint8Array | string][]): FormData {
  const data = new FormData();
  for (const [name, bytes] of files) data.append("file", new File([bytes as BlobPart], name));
  return data;
}

function post(body: FormData | BodyInit, headers: Record<string, string> = {}): Request {
  return new Request("http://localhost/upload", { method: "POST", body, headers });
}

async function upload(request: Request, options: Partial<UploadOptions> = {}) {
  const handle = uploadHandler(store, { ...DEFAULT_UPLOAD, token: null, ...options });
  const response = await handle(request);
  const text = await response.text();
  const files: UploadResult[] = response.headers.get("content-type") === "application/json" ? JSON.parse(text).files : [];
  return { status: response.status, files, text };
}

describe("POST /upload", () => {
  test("stores a file, moves the data version and says added", async () => {
    const before = store.dataVersion();
    const { status, files } = await upload(post(form([["sample.gpx", fixture("sample.gpx")]])));
    expect(status).toBe(200);
    expect(files).toEqual([{ name: "sample.gpx", status: "added", key: expect.stringMatching(/^file:[0-9a-f]{32}$/) }]);
    expect(store.activityCount()).toBe(1);
    expect(store.dataVersion()).toBeGreaterThan(before);
  });

  test("the same bytes again, gzipped or not, are a duplicate", async () => {
    await upload(post(form([["sample.gpx", fixture("sample.gpx")]])));
    const { status, files } = await upload(post(form([["copy.gpx", fixture("sample.gpx")], ["sample.gpx.gz", gzipSync(fixture("sample.gpx"))]])));
    expect(status).toBe(200);
    expect(files.map((f) => f.status)).toEqual(["duplicate", "duplicate"]);
    expect(store.activityCount()).toBe(1);
  });

  test("many files in one request, one answer each, in order", async () => {
    const { status, files } = await upload(
      post(
        form([
          ["sample.gpx", fixture("sample.gpx")],
          ["sample.tcx", fixture("sample.tcx")],
          ["sample.fit.gz", gzipSync(fixture("sample.fit"))],
          ["no_track_data.tcx", fixture("no_track_data.tcx")],
          ["corrupted.gpx", fixture("corrupted.gpx")],
          ["notes.txt", "hello"],
        ]),
      ),
    );
    expect(status).toBe(200);
    expect(files.map((f) => [f.name, f.status])).toEqual([
      ["sample.gpx", "added"],
      ["sample.tcx", "added"],
      ["sample.fit.gz", "added"],
      ["no_track_data.tcx", "skipped"],
      ["corrupted.gpx", "error"],
      ["notes.txt", "error"],
    ]);
    expect(files[3].reason).toBe("no_track_data");
    expect(files[4].reason).toBeTruthy();
    expect(files[5].reason).toContain("unsupported file type");
    expect(store.activityCount()).toBe(3);
    // Each activity says which upload it came from, under the name it was sent with.
    expect((sqlOf(store).query("SELECT file_name FROM activities ORDER BY file_name").values() as string[][]).flat()).toEqual(["sample.fit.gz", "sample.gpx", "sample.tcx"]);
  });

  test.each([
    ["an unsupported file alone", "notes.txt", "hello", 415],
    ["an unreadable file alone", "corrupted.gpx", fixture("corrupted.gpx"), 422],
    ["a broken .gz alone", "ride.gpx.gz", "not gzip at all", 422],
  ] as const)("%s: the status says why and nothing is stored", async (_, name, bytes, expected) => {
    const before = store.dataVersion();
    const { status, files } = await upload(post(form([[name, bytes]])));
    expect(status).toBe(expected);
    expect(files[0].status).toBe("error");
    expect(store.dataVersion()).toBe(before);
    expect(store.activityCount()).toBe(0);
  });

  test("the store's trim setting applies to uploads", async () => {
    // sample.gpx is 144 m long: trimming 100 m from each end leaves nothing to store.
    store.setConfig("trim_dist", 100);
    const { status, files } = await upload(post(form([["sample.gpx", fixture("sample.gpx")]])));
    expect(status).toBe(200);
    expect(files[0]).toMatchObject({ status: "skipped", reason: "no_track_data" });
    expect(store.activityCount()).toBe(0);
  });

  test("a skipped file alone was processed: 200", async () => {
    const { status, files } = await upload(post(form([["no_track_data.tcx", fixture("no_track_data.tcx")]])));
    expect(status).toBe(200);
    expect(files[0]).toMatchObject({ status: "skipped", reason: "no_track_data" });
  });

  test.each([
    ["no token", {}, 401],
    ["a wrong token", { Authorization: "Bearer nope" }, 401],
    ["the right token", { Authorization: "Bearer s3cret" }, 200],
  ] as const)("with HOTPOT_UPLOAD_TOKEN set, %s", async (_, headers, expected) => {
    const { status } = await upload(post(form([["sample.gpx", fixture("sample.gpx")]]), headers), { token: "s3cret" });
    expect(status).toBe(expected);
    expect(store.activityCount()).toBe(expected === 200 ? 1 : 0);
  });

  test("a declared body over the limit is refused before reading: 413", async () => {
    const big = new Uint8Array(2000);
    const { status, text } = await upload(post(form([["a.gpx", big]])), { maxBodyBytes: 1000 });
    expect(status).toBe(413);
    expect(text).toContain("limit");
  });

  test("a streamed body without Content-Length is cut off at the limit: 413", async () => {
    const multipart = await new Response(form([["a.gpx", new Uint8Array(5000)]])).blob();
    const stream = multipart.stream();
    const request = new Request("http://localhost/upload", {
      method: "POST",
      body: stream,
      headers: { "Content-Type": multipart.type },
    });
    expect(request.headers.get("content-length")).toBeNull();
    const { status } = await upload(request, { maxBodyBytes: 1000 });
    expect(status).toBe(413);
    expect(store.activityCount()).toBe(0);
  });

  test("more files than allowed per request: 413, nothing stored", async () => {
    const { status, text } = await upload(post(form([["a.gpx", fixture("sample.gpx")], ["b.tcx", fixture("sample.tcx")], ["c.fit", fixture("sample.fit")]])), { maxFiles: 2 });
    expect(status).toBe(413);
    expect(text).toContain("at most 2 files");
    expect(store.activityCount()).toBe(0);
  });

  test.each([
    ["a JSON body", JSON.stringify({ file: "x" }), { "Content-Type": "application/json" }, 415],
    ["a form with no file field", (() => { const f = new FormData(); f.append("other", "x"); return f; })(), {}, 400],
  ] as const)("%s", async (_, body, headers, expected) => {
    const { status } = await upload(post(body, headers));
    expect(status).toBe(expected);
  });

  test("a file name with a control character is an error for that file; the others are stored", async () => {
    const { status, files } = await upload(post(form([["a\u0007b.gpx", fixture("sample.gpx")], ["sample.fit", fixture("sample.fit")]])));
    expect(status).toBe(200);
    expect(files[0]).toEqual({ name: "a\u0007b.gpx", status: "error", reason: "file name: control character U+0007 at position 2 is not allowed" });
    expect(files[1].status).toBe("added");
    expect(store.activityCount()).toBe(1);
  });

  test("a gzip bomb stops at the unpacked limit and is an error for that file", async () => {
    const bomb = gzipSync(new Uint8Array(5_000_000));
    const { status, files } = await upload(post(form([["bomb.gpx.gz", bomb]])), { maxUnzippedBytes: 1_000_000 });
    expect(status).toBe(422);
    expect(files[0].reason).toBe("unpacks to more than 1000000 bytes");
  });
});

describe("uploadStatus", () => {
  const r = (status: UploadResult["status"], reason?: string): UploadResult => ({ name: "f", status, reason });
  test.each([
    [[r("added")], 200],
    [[r("duplicate")], 200],
    [[r("skipped", "virtual")], 200],
    [[r("error", "bad"), r("added")], 200],
    [[r("error", "bad")], 422],
  ] as const)("%j → %d", (results, expected) => {
    expect(uploadStatus(results)).toBe(expected);
  });
});
