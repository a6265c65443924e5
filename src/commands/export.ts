/** `hotpot export OUT.mbtiles|OUT.pmtiles|OUT.sqlitedb`: the heatmap as a tile archive, for offline maps and static hosting. */
import { defineCommand } from "citty";
import { formatDuration } from "../import/progress.ts";
import { runExport, type ExportSummary } from "../export/run.ts";
import { imageArgs, imageOptions } from "./_image.ts";
import { parseBounds, parseFormat, parseJobs, parseTileSize, parseZooms } from "../args.ts";
import { globalArgs, storeFromArgs, type GlobalArgs } from "./_shared.ts";

export const exportArgs = {
  zooms: { type: "string", alias: "z", description: "zoom levels to write, MIN-MAX or one zoom", default: "2-16", valueHint: "MIN-MAX" },
  bounds: { type: "string", description: "only tiles meeting this area, west,south,east,north in degrees (default: all data)", valueHint: "W,S,E,N" },
  "tile-size": { type: "string", description: "tile size in pixels: 256, 512 or 1024 (the line stays 1 CSS px)", default: "256" },
  format: { type: "string", description: "tile image format: png or webp (lossless)", default: "png" },
  jobs: { type: "string", alias: "j", valueHint: "N", description: `threads drawing tiles (default: one per core, here ${navigator.hardwareConcurrency})` },
  ...imageArgs,
} as const;

export interface ExportArgs {
  zooms: string;
  bounds?: string;
  "tile-size": string;
  format: string;
  jobs?: string;
}

/** The export's settings from its options, checked before anything is opened. */
export function exportSettings(args: ExportArgs & Parameters<typeof imageOptions>[0]) {
  const size = parseTileSize(args["tile-size"], "tile-size");
  const format = parseFormat(args.format);
  const { query } = imageOptions(args);
  return {
    size,
    format,
    color: args.color,
    gradient: args.gradient,
    query,
    zooms: parseZooms(args.zooms),
    bounds: args.bounds === undefined ? undefined : parseBounds(args.bounds),
    jobs: parseJobs(args.jobs),
  };
}

export type ExportSettings = ReturnType<typeof exportSettings>;

/** Opens the database the options name and writes the archive `out`, with progress on stderr. */
export async function exportTo(args: GlobalArgs, settings: ExportSettings, out: string): Promise<{ summary: ExportSummary; took: string }> {
  const store = storeFromArgs(args, { mustExist: true });
  const started = performance.now();
  try {
    const deepest = Math.max(...store.config().zoom_levels);
    if (settings.zooms.max > deepest) {
      console.warn(
        `hotpot: warning: zooms above ${deepest}, the deepest stored level, are drawn enlarged from it (no finer detail), ` +
          `and each such zoom has up to 4 times the tiles of the one before`,
      );
    }
    const summary = await runExport(store, { ...settings, out, progress: { tty: process.stderr.isTTY === true, write: (t) => process.stderr.write(t) } });
    return { summary, took: formatDuration((performance.now() - started) / 1000) };
  } finally {
    store.close();
  }
}

/** `12.3 MB` */
export const megabytes = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

export default defineCommand({
  meta: { name: "export", description: "Write the heatmap's tiles to an MBTiles, PMTiles or OsmAnd .sqlitedb archive (offline maps, static hosting)" },
  args: {
    ...globalArgs,
    output: { type: "positional", description: "archive to write: .mbtiles, .pmtiles or .sqlitedb", valueHint: "OUT", required: true },
    ...exportArgs,
  },
  async run({ args }) {
    const settings = exportSettings(args);
    const { summary, took } = await exportTo(args, settings, args.output);
    const resumed = summary.resumed > 0 ? ` (${summary.resumed} kept from an interrupted export)` : "";
    const { min, max } = settings.zooms;
    // Tiles with stored lines that still drew nothing: masked, filtered out, or lines only in the tile's margin.
    const empty = summary.empty > 0 ? `; ${summary.empty} more drew nothing and were left out` : "";
    console.log(`${args.output}: ${summary.tiles} tiles${resumed}, zooms ${min}-${max}, ${megabytes(summary.bytes)} in ${took}${empty}`);
  },
});
