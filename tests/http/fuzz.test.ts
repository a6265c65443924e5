/**
 * Property-based fuzzing (fast-check) of everything that reads text or bytes
 * from outside: the filter language, the GPX/TCX scanner, the FIT path, the
 * tile/render/API parameter parsers, and the HTTP app as a whole. The one
 * property: any input gives a result or a HotpotError, never another
 * exception (and never a 500 over HTTP). Seeds are fixed so a failure
 * repeats; fast-check prints the shrunk counterexample.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { gzipSync } from "node:zlib";
import { HotpotError } from "../../src/errors.ts";
import { compileFilter } from "../../src/filter.ts";
import { ingestFiles } from "../../src/import/ingest.ts";
import { parseFile } from "../../src/parse/index.ts";
import { parseBounds, parseDate, parseTileAddress } from "../../src/args.ts";
import { compileQuery } from "../../src/query.ts";
import { createApp } from "../../src/server/app.ts";
import { parseNear } from "../../src/server/near.ts";
import { activityQuery, intParam, paletteParam } from "../../src/server/params.ts";
import { openStore } from "../../src/store.ts";
import { exampleActivity, writeFit, writeGpx, writeTcx } from "../../src/synth/formats.ts";
import { fixture } from "../helpers/parse.ts";
import { sqlOf } from "../helpers/sql.ts";

const RUNS = { numRuns: 400, seed: 13 };

/** Runs `f`; a HotpotError counts as an answer, anything else thrown fails the property. */
function answers(f: () => unknown): boolean {
  try {
    f();
  } catch (e) {
    if (e instanceof HotpotError) return true;
    throw e;
  }
  return true;
}

/** Any character, with the awkward ones (controls, quotes, escapes, astral) much more likely than by chance. */
const char = fc.oneof(fc.constantFrom("\u0000", "\u0001", "\u001f", "\u007f", "\n", "\t", '"', "\\", "%", "é", "😀"), fc.string({ unit: "binary", minLength: 1, maxLength: 1 }));
const anyText = (maxLength: number) => fc.string({ unit: char, maxLength });

/** Filter expressions from the grammar (so most get past the parser to SQLite), mixed with tokens and raw text. */
const quoted = anyText(8).map((t) => `"${t.replace(/["\\]/g, "")}"`);
const key = fc.oneof(fc.constantFrom("activity_type", "name", "title", "distance", "x.y", "a-b"), quoted);
const value = fc.oneof(fc.double().map(String), fc.integer().map(String), fc.constantFrom("true", "false", "null", "Ride"), quoted);
const op = fc.constantFrom("=", "==", "!=", "<", "<=", ">", ">=");
const { expr } = fc.letrec((tie) => ({
  test: fc.oneof(
    fc.tuple(key, op, value).map((t) => t.join(" ")),
    key.map((k) => `has? ${k}`),
    fc.tuple(key, fc.array(value, { maxLength: 4 })).map(([k, vs]) => `${k} in [${vs.join(", ")}]`),
    fc.tuple(key, quoted).map(([k, q]) => `${k} like ${q}`),
  ),
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    tie("test"),
    tie("expr").map((e) => `(${e})`),
    tie("expr").map((e) => `!${e}`),
    fc.tuple(tie("expr"), fc.constantFrom("&&", "||"), tie("expr")).map((t) => t.join(" ")),
  ),
}));
const tokens = fc
  .array(fc.oneof(fc.constantFrom("has?", "&&", "||", "!", "(", ")", "[", "]", ",", "in", "like", '"', "\\", "'"), op, key, value), { maxLength: 20 })
  .map((parts) => parts.join(" "));
const filterText = fc.oneof(expr as fc.Arbitrary<string>, tokens, anyText(80));

describe("the filter language", () => {
  test("compiles or throws bad_filter, and the SQL runs", () => {
    const store = openStore(":memory:");
    ingestFiles(store, [{ name: "sample.gpx", bytes: fixture("activities/sample.gpx"), properties: { activity_type: "Ride", distance: 12 } }]);
    fc.assert(
      fc.property(filterText, (text) =>
        answers(() => {
          const compiled = compileFilter(text);
          // What compiles must also run: SQLite is the last parser the text meets.
          sqlOf(store).query(`SELECT count(*) FROM activities WHERE ${compiled.sql}`).get(...compiled.params);
        }),
      ),
      RUNS,
    );
    store.close();
  });
});

/** Valid bytes with a few bytes changed, a piece cut out, or cut short. */
function mutated(valid: Uint8Array) {
  return fc.oneof(
    fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((edits) => {
      const out = valid.slice();
      for (const [at, byte] of edits) out[at] = byte;
      return out;
    }),
    fc.tuple(fc.nat(valid.length), fc.nat(valid.length)).map(([a, b]) => Uint8Array.of(...valid.subarray(0, Math.min(a, b)), ...valid.subarray(Math.max(a, b)))),
    fc.nat(valid.length).map((n) => valid.slice(0, n)),
    fc.uint8Array({ maxLength: 300 }),
  );
}

describe("activity files", () => {
  const small = exampleActivity({ points: 40 });
  const enc = new TextEncoder();
  test.each([
    ["ride.gpx", enc.encode(writeGpx(small))],
    ["ride.tcx", enc.encode(writeTcx(small))],
    ["ride.fit", writeFit(small)],
    ["ride.fit", fixture("activities/sample.fit")],
    ["ride.gpx.gz", new Uint8Array(gzipSync(enc.encode(writeGpx(small))))],
  ])("%s: damaged copies parse, skip or throw a HotpotError", (name, valid) => {
    fc.assert(fc.property(mutated(valid), (bytes) => answers(() => parseFile(name, bytes))), { ...RUNS, numRuns: 250 });
  });
});

describe("request parameters", () => {
  const text = anyText(40);
  const params = fc.dictionary(fc.constantFrom("filter", "before", "after", "color", "gradient", "limit", "zoom", "near", "bounds"), text).map((d) => new URLSearchParams(d));

  test("tile addresses", () => {
    fc.assert(fc.property(text, text, text, (z, x, y) => answers(() => parseTileAddress(z, x, y))), RUNS);
  });

  test("queries, palettes, integers, dates, near points and bounds", () => {
    fc.assert(
      fc.property(params, text, text, (p, a, b) =>
        answers(() => {
          answers(() => activityQuery(p));
          answers(() => compileQuery({ filter: a, before: b }));
          answers(() => paletteParam(p));
          answers(() => intParam(p, "limit", 1, 1000, 100));
          answers(() => parseDate(a, "after"));
          answers(() => parseNear(a, b));
          answers(() => parseBounds(a));
        }),
      ),
      RUNS,
    );
  });
});

describe("the HTTP app", () => {
  test("any path, query and method gets an answer below 500", async () => {
    const store = openStore(":memory:");
    ingestFiles(store, [{ name: "sample.gpx", bytes: fixture("activities/sample.gpx") }]);
    const app = createApp({ store, tileCache: null });
    const segment = fc.oneof(fc.constantFrom("api", "activities", "tile", "14", "8800", "5375@2x.webp", "healthz", "static", "render", "x.geojson", ".."), anyText(8));
    const path = fc.array(segment, { maxLength: 5 }).map((s) => "/" + s.map(encodeURIComponent).join("/"));
    const query = fc.dictionary(fc.constantFrom("filter", "before", "after", "color", "gradient", "limit", "offset", "near", "zoom"), anyText(30));
    const method = fc.constantFrom("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
    await fc.assert(
      fc.asyncProperty(path, query, method, async (p, q, m) => {
        const response = await app.handle(new Request(`http://localhost${p}?${new URLSearchParams(q)}`, { method: m }));
        expect(response.status).toBeLessThan(500);
      }),
      { ...RUNS, numRuns: 300 },
    );
    store.close();
  });
});
