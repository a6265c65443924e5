import { describe, expect, test } from "bun:test";
import { HotpotError } from "../../src/errors.ts";
import { errorResponse } from "../../src/server/http.ts";

describe("errorResponse", () => {
  const cases: { error: HotpotError; status: number; headers: Record<string, string> }[] = [
    { error: new HotpotError("bad_argument", "zoom: expected 0-22, found 'x'"), status: 400, headers: {} },
    { error: new HotpotError("unauthorized", "upload: missing token", { headers: { "WWW-Authenticate": 'Bearer realm="hotpot"' } }), status: 401, headers: { "www-authenticate": 'Bearer realm="hotpot"' } },
    { error: new HotpotError("forbidden", "webhook validation: wrong token"), status: 403, headers: {} },
    { error: new HotpotError("not_allowed", "method PUT is not allowed", { headers: { Allow: "GET, HEAD" } }), status: 405, headers: { allow: "GET, HEAD" } },
    { error: new HotpotError("too_large", "upload: body over 15 MB", { headers: { Connection: "close" } }), status: 413, headers: { connection: "close" } },
    { error: new HotpotError("too_large", "unpacks to more than 1 MB", { status: 422 }), status: 422, headers: {} },
    { error: new HotpotError("unsupported", "upload: expected multipart/form-data"), status: 415, headers: {} },
    { error: new HotpotError("busy", "render: busy", { retryAfter: 5 }), status: 503, headers: { "retry-after": "5" } },
  ];
  for (const { error, status, headers } of cases) {
    test(`${error.code} → ${status}`, async () => {
      const response = errorResponse(error);
      expect(response.status).toBe(status);
      expect(await response.text()).toBe(`${error.message}\n`);
      for (const [name, value] of Object.entries(headers)) expect(response.headers.get(name)).toBe(value);
    });
  }

  test("anything else is a 500 that shows no message or stack", async () => {
    const logged: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => logged.push(...args);
    try {
      const response = errorResponse(new Error("secret path /home/owner/db"));
      expect(response.status).toBe(500);
      expect(await response.text()).not.toContain("secret");
      expect(logged.length).toBe(1);
    } finally {
      console.error = original;
    }
  });
});
