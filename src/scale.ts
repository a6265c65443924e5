/**
 * How a tile's values (counts, or time buckets: heat-mode.ts) reach the
 * gradient. The pixels are left alone: a scale only builds the 256-entry
 * table the encoder indexes by value, so it costs one pass over the tile at
 * most and nothing for `linear` counts.
 *
 *   linear    counts index the gradient as they are (the Rust hotpot's look)
 *   log       every doubling of a count moves the same step along the ramp;
 *             only 255 reaches its end
 *   adaptive  the tile's own distribution, equalised: its least value takes the
 *             ramp's start, its greatest the end, and the values between are
 *             spread by how many pixels have them, so a quiet valley and a busy
 *             city both use the whole ramp
 *
 * "The ramp" is the gradient from its first stop to its last, so every preset
 * works with every scale; a custom gradient "1:…;128:…;255:…" places its stops
 * on the scaled value directly.
 */
import { parseChoice } from "./args.ts";
import type { Palette } from "./palette.ts";

export type Scale = "linear" | "log" | "adaptive";
export const SCALES: readonly Scale[] = ["linear", "log", "adaptive"];
/** Linear: see the README's Scales section for the tiles this was chosen by. */
export const DEFAULT_SCALE: Scale = "linear";

/** `linear`, `log` or `adaptive`; an error names `parameter`. */
export const parseScale = (text: string, parameter = "scale"): Scale => parseChoice(SCALES, text, parameter);

/**
 * The table `values` are encoded with. `ramp`: the values are positions on
 * the ramp already (1 its start, 255 its end: time buckets), rather than
 * counts to index the gradient with. Returns `palette` itself when nothing
 * changes.
 */
export function scalePalette(palette: Palette, values: Uint8Array, scale: Scale, ramp = false): Palette {
  if (scale === "linear" && !ramp) return palette;
  const position = scale === "adaptive" ? equalised(values) : scale === "log" ? LOG : LINEAR;
  const first = Math.max(1, palette.first);
  const span = palette.last - first;
  const rgba = new Uint8Array(256 * 4);
  for (let v = 1; v < 256; v++) {
    const index = first + Math.round(position[v] * span);
    rgba.set(palette.rgba.subarray(index * 4, index * 4 + 4), v * 4);
  }
  return { ...palette, rgba };
}

/** Position on the ramp (0..1) of each value 1-255. */
const LINEAR = Float64Array.from({ length: 256 }, (_, v) => (v === 0 ? 0 : (v - 1) / 254));
const LOG = Float64Array.from({ length: 256 }, (_, v) => (v === 0 ? 0 : Math.log(v) / Math.log(255)));

/**
 * Positions by the middle of each value's share of the drawn pixels (a
 * value held by many pixels takes a long stretch of the ramp), stretched so
 * the least value present sits at 0 and the greatest at 1. With one value
 * present it sits at 0, as a count of 1 does on the linear scale.
 */
function equalised(values: Uint8Array): Float64Array {
  const histogram = new Float64Array(256);
  for (let i = 0; i < values.length; i++) histogram[values[i]]++;
  histogram[0] = 0;
  const middles = new Float64Array(256);
  let below = 0;
  let least = -1;
  let greatest = -1;
  for (let v = 1; v < 256; v++) {
    if (histogram[v] === 0) continue;
    middles[v] = below + histogram[v] / 2;
    below += histogram[v];
    if (least < 0) least = v;
    greatest = v;
  }
  const out = new Float64Array(256);
  const range = greatest > least ? middles[greatest] - middles[least] : 0;
  if (range === 0) return out;
  for (let v = least; v <= greatest; v++) if (histogram[v] > 0) out[v] = (middles[v] - middles[least]) / range;
  return out;
}
