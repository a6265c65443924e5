/** What the per-format parser tests (parse-gpx, parse-tcx, parse-fit) share. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ParsedActivity, ParseResult } from "../../src/types.ts";
import { errorOf } from "./errors.ts";

/** A file under tests/fixtures as bytes, as a parser gets it. */
export const fixture = (path: string) => new Uint8Array(readFileSync(join(import.meta.dir, "..", "fixtures", path)));

export const utf8 = (text: string) => new TextEncoder().encode(text);

/** The parsed activity; a skip fails the test with its reason. */
export function activity(result: ParseResult): ParsedActivity {
  if ("skip" in result) throw new Error(`skipped: ${result.skip} (${result.detail})`);
  return result;
}

/** The message of the bad_file error `parse` throws for `bytes`; any other outcome fails the test. */
export function badFileMessage(parse: (bytes: Uint8Array) => unknown, bytes: Uint8Array): string {
  const e = errorOf(() => parse(bytes));
  if (e.code !== "bad_file") throw new Error(`expected bad_file, got ${e.code}: ${e.message}`);
  return e.message;
}
