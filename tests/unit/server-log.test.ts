import { describe, expect, test } from "bun:test";
import { loggedPath, requestLine } from "../../src/server/log.ts";

describe("loggedPath", () => {
  test.each([
    ["http://127.0.0.1:8080/", "/"],
    ["http://127.0.0.1:8080/tile/1/2/3@2x.webp", "/tile/1/2/3@2x.webp"],
    ["http://h/tile/1/0/0?filter=type%3DRide&color=red", "/tile/1/0/0?filter=type%3DRide&color=red"],
    ["http://h/upload?token=s3cret", "/upload?token=***"],
    ["http://h/upload?a=1&token=s3cret&b=2", "/upload?a=1&token=***&b=2"],
    ["http://h/strava/webhook?hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=x", "/strava/webhook?hub.mode=subscribe&hub.verify_token=***&hub.challenge=x"],
    ["http://h/strava/auth/exchange_token?state=&code=abc&scope=read", "/strava/auth/exchange_token?state=&code=***&scope=read"],
    ["http://h/x?%74oken=s3cret", "/x?%74oken=***"],
  ])("%s → %s", (url, expected) => {
    expect(loggedPath(url)).toBe(expected);
  });
});

describe("requestLine", () => {
  test("has time, method, path, status, milliseconds and bytes, and no secret", () => {
    const line = requestLine("POST", "http://h/upload?token=s3cret", 200, 12.345, 512);
    expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ POST \/upload\?token=\*\*\* 200 12\.3ms 512B$/);
    expect(line).not.toContain("s3cret");
  });

  test.each([
    [0, "0.0"],
    [0.96, "1.0"],
    [9.95, "10.0"],
    [1234.56, "1234.6"],
  ])("%d ms is written %s", (ms, text) => {
    expect(requestLine("GET", "http://h/", 200, ms, 1)).toContain(` 200 ${text}ms 1B`);
  });

  test("shows unknown sizes as -", () => {
    expect(requestLine("GET", "http://h/", 304, 0.04, null)).toEndWith(" GET / 304 0.0ms -");
  });
});
