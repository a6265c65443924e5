import { describe, expect, test } from "bun:test";
import { authorized, sameSecret } from "../../src/server/auth.ts";

const req = (headers: Record<string, string> = {}, query = "") => new Request(`http://localhost/upload${query}`, { method: "POST", headers });
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("authorized", () => {
  test("anything goes when no token is configured", () => {
    expect(authorized(req(), null)).toBe(true);
  });

  test.each([
    ["no credentials", {}, "", false],
    ["the right bearer token", { Authorization: "Bearer s3cret" }, "", true],
    ["a lowercase scheme", { Authorization: "bearer s3cret" }, "", true],
    ["a wrong bearer token", { Authorization: "Bearer s3cre" }, "", false],
    ["a longer wrong token", { Authorization: "Bearer s3cret-and-more" }, "", false],
    ["an empty bearer token", { Authorization: "Bearer" }, "", false],
    ["Basic auth with the token as password", { Authorization: basic("phone", "s3cret") }, "", true],
    ["Basic auth with a wrong password", { Authorization: basic("s3cret", "nope") }, "", false],
    ["the token as a query parameter", {}, "?token=s3cret", true],
    ["a wrong query token", {}, "?token=nope", false],
  ] as const)("%s", (_, headers, query, expected) => {
    expect(authorized(req(headers, query), "s3cret")).toBe(expected);
  });
});

describe("sameSecret", () => {
  test.each([
    ["a", "a", true],
    ["a", "b", false],
    ["", "a", false],
    ["ab", "a", false],
  ])("%p vs %p", (a, b, expected) => {
    expect(sameSecret(a, b)).toBe(expected);
  });
});
