/** `hotpot tile Z/X/Y`: one map tile as an image file. */
import { defineCommand } from "citty";
import { HotpotError } from "../errors.ts";
import { renderTileHeat } from "../heat-mode.ts";
import { TILE_SIZES, type TileSize } from "../render.ts";
import { isValidTile, MAX_ZOOM } from "../tile.ts";
import { imageArgs, imageOptions, size, writeImage } from "./_image.ts";
import { globalArgs, storeFromArgs } from "./_shared.ts";

function parseAddress(text: string): { z: number; x: number; y: number } {
  const m = /^(\d{1,2})\/(\d{1,7})\/(\d{1,7})$/.exec(text);
  const [z, x, y] = m ? [+m[1], +m[2], +m[3]] : [NaN, NaN, NaN];
  if (!m || !isValidTile(z, x, y)) {
    const range = m && z <= MAX_ZOOM ? `x and y from 0 to ${2 ** z - 1}` : `z from 0 to ${MAX_ZOOM}`;
    throw new HotpotError("bad_argument", `tile: expected Z/X/Y with ${range}, found '${text}'`);
  }
  return { z, x, y };
}

export default defineCommand({
  meta: { name: "tile", description: "Render one heatmap tile (Web Mercator Z/X/Y) to a PNG or WebP file" },
  args: {
    ...globalArgs,
    tile: { type: "positional", description: "tile address, e.g. 14/8547/5696", valueHint: "Z/X/Y", required: true },
    width: { type: "string", alias: "w", description: "tile size in pixels: 256, 512 or 1024 (the line stays 1 CSS px)", default: "512" },
    output: { type: "string", alias: "o", description: "output file (.png or .webp)", default: "tile.png" },
    ...imageArgs,
  },
  async run({ args }) {
    const { z, x, y } = parseAddress(args.tile);
    const width = Number(args.width) as TileSize;
    if (!TILE_SIZES.includes(width)) {
      throw new HotpotError("bad_argument", `width: expected one of ${TILE_SIZES.join(", ")}, found '${args.width}'`);
    }
    const { query, palette, scale, mode } = imageOptions(args);
    const store = storeFromArgs(args, { mustExist: true });
    try {
      const counts = renderTileHeat(store, z, x, y, { size: width, query, mode });
      const bytes = await writeImage(args.output, counts, width, width, palette, scale, mode);
      console.log(`${args.output}: ${z}/${x}/${y}, ${width} x ${width} px, ${counts ? size(bytes) : "empty (nothing to draw)"}`);
    } finally {
      store.close();
    }
  },
});
