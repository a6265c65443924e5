/** `hotpot render --bounds W,S,E,N`: an image of exactly the asked size over any area. */
import { defineCommand } from "citty";
import { renderBoundsHeat } from "../heat-mode.ts";
import { planBounds } from "../render.ts";
import { parseBounds, parseJobs, parseWhole } from "../args.ts";
import { imageArgs, imageOptions, size, writeImage } from "./_image.ts";
import { globalArgs, storeFromArgs } from "./_shared.ts";

export default defineCommand({
  meta: { name: "render", description: "Render the heatmap of an area (longitude/latitude bounds) to a PNG or WebP of exactly the given size" },
  args: {
    ...globalArgs,
    bounds: { type: "string", description: "area as west,south,east,north in degrees", valueHint: "W,S,E,N", required: true },
    width: { type: "string", alias: "w", description: "image width in pixels", default: "1024" },
    height: { type: "string", alias: "H", description: "image height in pixels", default: "1024" },
    output: { type: "string", alias: "o", description: "output file (.png or .webp)", default: "heatmap.png" },
    jobs: { type: "string", alias: "j", valueHint: "N", description: `threads drawing in parallel (default: one per core, here ${navigator.hardwareConcurrency}; 1 draws on the main thread)` },
    ...imageArgs,
  },
  async run({ args }) {
    const bounds = parseBounds(args.bounds);
    const width = parseWhole(args.width, "width");
    const height = parseWhole(args.height, "height");
    const jobs = parseJobs(args.jobs);
    const { query, palette, scale, mode } = imageOptions(args);
    const store = storeFromArgs(args, { mustExist: true });
    try {
      const plan = planBounds(store.config(), bounds, width, height);
      if (plan.warning) console.warn(`hotpot: warning: ${plan.warning}`);
      const counts = await renderBoundsHeat(store, bounds, width, height, { query, jobs, mode });
      const bytes = await writeImage(args.output, counts, width, height, palette, scale, mode);
      console.log(`${args.output}: ${width} x ${height} px from zoom ${plan.sourceZoom}, ${counts ? size(bytes) : "empty (nothing to draw)"}`);
    } finally {
      store.close();
    }
  },
});
