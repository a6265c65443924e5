/** `hotpot render --bounds W,S,E,N`: an image of exactly the asked size over any area. */
import { defineCommand } from "citty";
import { HotpotError } from "../errors.ts";
import { renderBoundsHeat } from "../heat-mode.ts";
import { planBounds } from "../render.ts";
import type { Bounds } from "../tile.ts";
import { imageArgs, imageOptions, size, writeImage } from "./_image.ts";
import { globalArgs, storeFromArgs } from "./_shared.ts";

const NUMBER = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/;

function parseBounds(text: string): Bounds {
  const parts = text.split(",");
  if (parts.length !== 4 || !parts.every((p) => NUMBER.test(p))) {
    throw new HotpotError("bad_argument", `bounds: expected four numbers W,S,E,N in degrees (e.g. 13.3,52.4,13.5,52.6), found '${text}'`);
  }
  const [west, south, east, north] = parts.map(Number);
  return { west, south, east, north };
}

function parseWhole(text: string, name: string): number {
  const v = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(v)) throw new HotpotError("bad_argument", `${name}: expected a whole number, found '${text}'`);
  return v;
}

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
    const jobs = args.jobs === undefined ? undefined : parseWhole(args.jobs, "jobs");
    if (jobs !== undefined && (jobs < 1 || jobs > 64)) throw new HotpotError("bad_argument", `jobs: expected 1 to 64, found ${jobs}`);
    const { query, palette, scale, mode } = imageOptions(args);
    const store = storeFromArgs(args, { mustExist: true });
    try {
      const plan = planBounds(store, bounds, width, height);
      if (plan.warning) console.warn(`hotpot: warning: ${plan.warning}`);
      const counts = await renderBoundsHeat(store, bounds, width, height, { query, jobs, mode });
      const bytes = await writeImage(args.output, counts, width, height, palette, scale, mode);
      console.log(`${args.output}: ${width} x ${height} px from zoom ${plan.sourceZoom}, ${counts ? size(bytes) : "empty (nothing to draw)"}`);
    } finally {
      store.close();
    }
  },
});
