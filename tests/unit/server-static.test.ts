import { describe, expect, test } from "bun:test";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { assetResponse, checkedPath, type AssetSource } from "../../src/server/static.ts";

describe("checkedPath", () => {
  test.each([
    ["/static/app.js", "app.js"],
    ["/static/js/app.js", "js/app.js"],
    ["/static/a%20b.css", "a b.css"],
    ["/static/", null],
    ["/static/../secret.txt", null],
    ["/static/%2e%2e/secret.txt", null],
    ["/static/%2E%2E%2Fsecret.txt", null],
    ["/static/..%2fsecret.txt", null],
    ["/static/js%2f..%2f..%2fsecret.txt", null],
    ["/static/..%5csecret.txt", null],
    ["/static//etc/passwd", null],
    ["/static/%2fetc%2fpasswd", null],
    ["/static/.env", null],
    ["/static/a%00.js", null],
    ["/static/%E0%A4%A", null],
    ["/other/app.js", null],
  ])("%s → %p", (url, expected) => {
    expect(checkedPath(url, "/static/")).toBe(expected);
  });
});

describe("assetResponse", () => {
  const files: Record<string, Blob> = { "js/app.js": new Blob(["console.log(1)"], { type: "text/javascript;charset=utf-8" }) };
  const assets: AssetSource = { get: async (path) => files[path] ?? null };
  const get = (headers: Record<string, string> = {}) => new Request("http://localhost/static/js/app.js", { headers });

  test("answers with type, length and an ETag, then 304 for that ETag", async () => {
    const first = await assetResponse(get(), assets, "js/app.js");
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toStartWith("text/javascript");
    expect(first.headers.get("content-length")).toBe("14");
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^".+"$/);
    const again = await assetResponse(get({ "If-None-Match": etag }), assets, "js/app.js");
    expect(again.status).toBe(304);
  });

  test("404 for a refused or missing path", async () => {
    expect((await assetResponse(get(), assets, null)).status).toBe(404);
    expect((await assetResponse(get(), assets, "nope.js")).status).toBe(404);
  });
});

describe("assetResponse compression", () => {
  const text = "const heat = 1;\n".repeat(200);
  const files: Record<string, Blob> = { "big.js": new Blob([text], { type: "text/javascript;charset=utf-8" }), "tiny.css": new Blob(["a{}"], { type: "text/css" }) };
  const assets: AssetSource = { get: async (path) => files[path] ?? null };
  const get = (path: string, encoding?: string) => assetResponse(new Request(`http://localhost/static/${path}`, { headers: encoding ? { "Accept-Encoding": encoding } : {} }), assets, path);

  test.each([
    ["gzip, deflate, br", "br", (b: Uint8Array) => brotliDecompressSync(b)],
    ["gzip", "gzip", (b: Uint8Array) => gunzipSync(b)],
  ] as const)("Accept-Encoding %s → %s, which unpacks to the file", async (accept, encoding, unpack) => {
    const res = await get("big.js", accept);
    expect(res.headers.get("content-encoding")).toBe(encoding);
    expect(res.headers.get("vary")).toBe("Accept-Encoding");
    const body = new Uint8Array(await res.arrayBuffer());
    expect(Number(res.headers.get("content-length"))).toBe(body.byteLength);
    expect(body.byteLength).toBeLessThan(text.length / 10);
    expect(new TextDecoder().decode(unpack(body))).toBe(text);
    // Each encoding has its own ETag, so a cache never mixes them up.
    expect(res.headers.get("etag")).toEndWith(`-${encoding}"`);
    expect((await assetResponse(new Request("http://localhost/static/big.js", { headers: { "Accept-Encoding": accept, "If-None-Match": res.headers.get("etag")! } }), assets, "big.js")).status).toBe(304);
  });

  test("no Accept-Encoding, or a file too small to gain, is sent as it is", async () => {
    expect((await get("big.js")).headers.get("content-encoding")).toBeNull();
    expect((await get("tiny.css", "br")).headers.get("content-encoding")).toBeNull();
  });
});
