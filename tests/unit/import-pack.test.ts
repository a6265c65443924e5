import { expect, test } from "bun:test";
import { packTiles, unpackTiles } from "../../src/import/pack.ts";
import type { TileGeometry } from "../../src/types.ts";

test.each([
  ["no tiles", []],
  ["one tile", [{ z: 16, x: 34567, y: 22345, geometry: Uint8Array.of(1, 2, 3) }]],
  [
    "odd lengths, empty geometry, largest coordinates",
    [
      { z: 2, x: 1, y: 3, geometry: Uint8Array.of(9) },
      { z: 6, x: 0, y: 0, geometry: new Uint8Array(0) },
      { z: 20, x: 2 ** 20 - 1, y: 2 ** 20 - 1, geometry: Uint8Array.from({ length: 1001 }, (_, i) => i & 255) },
    ],
  ],
] as [string, TileGeometry[]][])("%s round-trips through one buffer", (_, tiles) => {
  const buffer = packTiles(tiles);
  const back = unpackTiles(buffer);
  expect(back.map((t) => ({ ...t, geometry: [...t.geometry] }))).toEqual(tiles.map((t) => ({ ...t, geometry: [...t.geometry] })));
  for (const t of back) expect(t.geometry.buffer).toBe(buffer);
});
