/** Options and output shared by `hotpot tile` and `hotpot render`: which activities, which colours, which file. */
import { encode } from "../encode.ts";
import { HotpotError } from "../errors.ts";
import { compileFilter } from "../filter.ts";
import { PRESETS, resolveGradient, type Palette } from "../palette.ts";
import { DEFAULT_MODE, isTimeMode, MODES, parseMode, type Mode } from "../heat-mode.ts";
import { parseDate } from "../args.ts";
import { compileQuery, type CompiledQuery } from "../query.ts";
import { DEFAULT_SCALE, parseScale, SCALES, scalePalette, type Scale } from "../scale.ts";

/** Which activities: shared by every command that draws or counts them. */
export const queryArgs = {
  before: { type: "string", alias: "b", description: "only activities that start before this day (UTC)", valueHint: "YYYY-MM-DD" },
  after: { type: "string", alias: "a", description: "only activities that start on or after this day (UTC)", valueHint: "YYYY-MM-DD" },
  filter: { type: "string", alias: "f", description: "property filter, e.g. 'activity_type = \"ride\"'", valueHint: "EXPR" },
} as const;

export const imageArgs = {
  ...queryArgs,
  gradient: { type: "string", alias: "g", description: "custom colour stops COUNT:COLOUR;..., e.g. '1:FF0000;255:FFFFFF'", valueHint: "STOPS" },
  color: { type: "string", description: `preset gradient: ${Object.keys(PRESETS).join(", ")} (default orange)`, valueHint: "PRESET" },
  mode: { type: "string", description: `what colour says: ${MODES.join(", ")} (last visit, first visit; default ${DEFAULT_MODE})`, valueHint: "MODE" },
  scale: { type: "string", description: `how values spread over the gradient: ${SCALES.join(", ")} (default ${DEFAULT_SCALE})`, valueHint: "SCALE" },
} as const;

export interface QueryArgs {
  before?: string;
  after?: string;
  filter?: string;
}

export interface ImageArgs extends QueryArgs {
  gradient?: string;
  color?: string;
  scale?: string;
  mode?: string;
}

/** The query the options ask for, checked before the database is opened. */
export function queryOptions(args: QueryArgs): CompiledQuery | null {
  // Empty values mean "not given" to the query layer (an empty form field); on the command line they are mistakes.
  if (args.before !== undefined) parseDate(args.before, "before");
  if (args.after !== undefined) parseDate(args.after, "after");
  // A blank filter is no filter to compileQuery: compiled alone, it says what is missing.
  if (args.filter?.trim() === "") compileFilter(args.filter);
  return compileQuery({ before: args.before, after: args.after, filter: args.filter });
}

/** The query, palette, scale and mode the options ask for, checked before the database is opened. */
export function imageOptions(args: ImageArgs): { query: CompiledQuery | null; palette: Palette; scale: Scale; mode: Mode } {
  const query = queryOptions(args);
  if (args.gradient === "" || args.color === "") {
    throw new HotpotError("bad_gradient", `${args.gradient === "" ? "gradient" : "color"}: expected a value, found an empty string`);
  }
  const palette = resolveGradient({ color: args.color, gradient: args.gradient });
  const scale = args.scale === undefined ? DEFAULT_SCALE : parseScale(args.scale);
  const mode = args.mode === undefined ? DEFAULT_MODE : parseMode(args.mode);
  return { query, palette, scale, mode };
}

/** Encodes by the output's extension (.png, or .webp for lossless WebP) and writes it; counts null = fully transparent. */
export async function writeImage(path: string, counts: Uint8Array | null, width: number, height: number, base: Palette, scale: Scale, mode: Mode): Promise<number> {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  if (ext !== "png" && ext !== "webp") {
    throw new HotpotError("bad_argument", `output: expected a file name ending in .png or .webp, found '${path}'`);
  }
  const pixels = counts ?? new Uint8Array(width * height);
  const palette = scalePalette(base, pixels, scale, isTimeMode(mode));
  const bytes = encode(ext, pixels, width, height, palette);
  return Bun.write(path, bytes);
}

/** `12.3 KB` */
export function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}
