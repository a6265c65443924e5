import { describe, expect, test } from "bun:test";
import { assetResponse, checkedPath, type AssetSource } from "../src/server/static.ts";

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
