/** GET /api/home (the densest cluster of activity, not the extent of everything) and GET /api/facets. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ingestFiles } from "../../src/import/ingest.ts";
import { createApp } from "../../src/server/app.ts";
import { homeBounds } from "../../src/server/home.ts";
import { openStore, type Store } from "../../src/store.ts";
import { lineGpx, type Line } from "../helpers/fixture.ts";
import { compileQuery } from "../../src/query.ts";

const dir = mkdtempSync(join(tmpdir(), "hotpot-home-"));
let store: Store;

/** Ten rides around Zurich (47.37 N, 8.5 E) and one holiday ride on Crete. */
const HOME: Line[] = Array.from({ length: 10 }, (_, i) => ({
  name: `home-${i}.gpx`,
  title: `Home ${i}`,
  type: "ride",
  date: `2024-05-${String(i + 1).padStart(2, "0")}`,
  from: [47.33 + i * 0.01, 8.45],
  to: [47.33 + i * 0.01, 8.6],
}));
const HOLIDAY: Line = { name: "crete.gpx", title: "Crete", type: "hike", date: "2023-08-01", from: [35.3, 24.9], to: [35.32, 25.0] };

beforeAll(() => {
  store = openStore(join(dir, "home.sqlite3"));
  ingestFiles(store, [...HOME, HOLIDAY].map((l) => ({ name: l.name, bytes: lineGpx(l) })));
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("homeBounds", () => {
  test("frames the rides at home and leaves the holiday out", () => {
    // To within one stored z14 tile (0.022° wide) of the rides' own extent, 8.45–8.6 E, 47.33–47.42 N.
    const [w, s, e, n] = homeBounds(store)!;
    for (const [edge, data] of [[w, 8.45], [s, 47.33]]) expect(data - edge).toBeWithin(0, 0.022);
    for (const [edge, data] of [[e, 8.6], [n, 47.42]]) expect(edge - data).toBeWithin(0, 0.022);
  });

  test("follows the filter: only the holiday matches, so it is home", () => {
    const [w, s, e, n] = homeBounds(store, compileQuery({ filter: "activity_type = hike" }))!;
    for (const [edge, data] of [[w, 24.9], [s, 35.3]]) expect(data - edge).toBeWithin(0, 0.022);
    for (const [edge, data] of [[e, 25.0], [n, 35.32]]) expect(edge - data).toBeWithin(0, 0.022);
  });

  test("null when nothing matches", () => {
    expect(homeBounds(store, compileQuery({ filter: "activity_type = swim" }))).toBeNull();
  });

  test("GET /api/home answers it, and a bad filter is a 400", async () => {
    const app = createApp({ store, tileCache: null });
    const res = await app.handle(new Request("http://localhost/api/home?filter=activity_type%20%3D%20hike"));
    expect(res.status).toBe(200);
    expect((await res.json()).bounds).toEqual(homeBounds(store, compileQuery({ filter: "activity_type = hike" })));
    expect((await app.handle(new Request("http://localhost/api/home?filter=activity_type%20%3D"))).status).toBe(400);
  });
});

describe("GET /api/facets", () => {
  test("activity types as written and years, with counts, most common type first", async () => {
    const extra = openStore(join(dir, "facets.sqlite3"));
    try {
      const lines: Line[] = [
        { ...HOME[0], name: "f1.gpx", type: "Ride" },
        { ...HOME[1], name: "f2.gpx", type: "Ride", date: "2023-02-02" },
        { ...HOME[2], name: "f3.gpx", type: "cycling" },
        { ...HOLIDAY, name: "f4.gpx" },
      ];
      ingestFiles(extra, lines.map((l) => ({ name: l.name, bytes: lineGpx(l) })));
      const res = await createApp({ store: extra, tileCache: null }).handle(new Request("http://localhost/api/facets"));
      expect(await res.json()).toEqual({
        types: [
          { value: "Ride", count: 2 },
          { value: "cycling", count: 1 },
          { value: "hike", count: 1 },
        ],
        years: [
          { year: 2023, count: 2 },
          { year: 2024, count: 2 },
        ],
      });
    } finally {
      extra.close();
    }
  });
});
