/** `hotpot tile Z/X/Y`: one map tile as an image file. */
import { defineCommand } from "citty";
import { renderTileHeat } from "../heat-mode.ts";
import { parseTileSize, parseTileZxy } from "../args.ts";
import { imageArgs, imageOptions, size, writeImage } from "./_image.ts";
import { globalArgs, storeFromArgs } from "./_shared.ts";

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
    const { z, x, y } = parseTileZxy(args.tile);
    const width = parseTileSize(args.width, "width");
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
