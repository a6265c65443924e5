/**
 * Gradient stops → a 256-entry RGBA lookup table, one entry per count.
 *
 *   "1:fc4a1a;10:f7b733;50:fdedce"
 *
 *   count:  0    1 ......... 10 ............ 50 ...... 255
 *   colour: none fc4a1a → f7b733 → fdedce ─────────────→ (last colour held)
 *
 * Below the first stop is transparent and count 0 always is, whatever the
 * stops say, so an empty pixel never tints the basemap.
 */
import { Lru } from "./cache.ts";
import { HotpotError } from "./errors.ts";

export interface Palette {
  /** 256 RGBA entries (un-premultiplied), indexed by count. */
  rgba: Uint8Array;
  /** Canonical stops (`count:RRGGBBAA;...`): equal keys give equal tables, for ETags and caches. */
  key: string;
  /** The first and last stops' counts: the ends of the ramp a scale (scale.ts) spreads values over. */
  first: number;
  last: number;
}

/** Named gradients for `--color`; the first four are the Rust hotpot's, colour for colour. */
export const PRESETS: Readonly<Record<string, string>> = {
  orange: "1:fc4a1a;10:f7b733;50:fdedce",
  pinkish: "1:ffb1ff7f;10:ffb1ffff;50:ffffffff",
  "blue-red": "1:3f5efb;10:fc466b;50:ffffff",
  red: "1:b20a2c;10:fffbd5;50:ffffff",
  // Perceptual ramps (lightness rises steadily with count), sampled from the viridis and magma
  // colour maps; they start mid-dark and end light, so both ends read on light and dark basemaps.
  // The whole ramp is spent on counts 1-60: a personal data set's busiest roads carry tens of
  // activities, rarely the hundreds that the colour maps' upper half would wait for.
  viridis: "1:472d7b;2:3b528b;4:2c728e;8:21918c;15:28ae80;25:5ec962;40:addc30;60:fde725",
  magma: "1:3b0f70;2:641a80;4:8c2981;8:b73779;15:de4968;25:f7705c;40:fe9f6d;60:fcfdbf",
  // Orange darkening to maroon: the page's default on light basemaps, where orange's pale end
  // vanishes. It starts as orange does, so the two agree on the quiet roads.
  fire: "1:fc4a1a;10:c4161c;50:5c0a14",
  // Cold blue to white, for dark basemaps.
  ice: "1:1e3c72;5:2a5298;20:6dd5fa;80:ffffff",
};

export const DEFAULT_PRESET = "orange";

/** Gradient strings kept parsed: 64 distinct ones, where a map page uses a handful. */
const cache = new Lru<string, Palette>({ maxEntries: 64 });

interface Stop {
  count: number;
  rgba: [number, number, number, number];
}

/** Parses `count:colour;count:colour;...` into a table; the error names the stop at fault. */
export function parseGradient(spec: string): Palette {
  return cache.remember(spec, () => buildTable(parseStops(spec)));
}

export function presetGradient(name: string): Palette {
  const spec = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  if (spec === undefined) {
    throw new HotpotError("bad_gradient", `color: expected one of ${Object.keys(PRESETS).join(", ")}, found '${clip(name)}'`);
  }
  return parseGradient(spec);
}

/**
 * The palette a request asks for: a preset by `color`, custom stops by
 * `gradient`, else the default preset. Empty strings count as not given,
 * as an empty form field does.
 */
export function resolveGradient(options: { color?: string | null; gradient?: string | null }): Palette {
  const { color, gradient } = options;
  if (color && gradient) {
    throw new HotpotError("bad_gradient", "color and gradient: give one or the other, not both");
  }
  if (gradient) return parseGradient(gradient);
  return presetGradient(color || DEFAULT_PRESET);
}

function parseStops(spec: string): Stop[] {
  const parts = spec.split(";").map((s) => s.trim());
  // A trailing ';' is harmless, an empty gradient is not.
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  if (parts.length === 1 && parts[0] === "") {
    throw new HotpotError("bad_gradient", "gradient: expected stops like 1:FF0000;255:FFFFFF, found an empty string");
  }
  const stops: Stop[] = [];
  parts.forEach((part, i) => {
    const bad = (expected: string, found: string) =>
      new HotpotError("bad_gradient", `gradient: stop ${i + 1} '${clip(part)}': expected ${expected}, found ${found}`);
    const colon = part.indexOf(":");
    if (colon < 0) throw bad("COUNT:COLOUR", "no ':'");
    const countText = part.slice(0, colon).trim();
    const colourText = part.slice(colon + 1).trim();
    if (!/^\d{1,3}$/.test(countText) || +countText > 255) throw bad("a count from 0 to 255", `'${clip(countText)}'`);
    const count = +countText;
    const previous = stops[stops.length - 1];
    if (previous && count <= previous.count) throw bad(`a count above the previous stop's ${previous.count}`, `${count}`);
    const rgba = parseColour(colourText);
    if (!rgba) throw bad("a colour RGB, RRGGBB or RRGGBBAA in hex", `'${clip(colourText)}'`);
    stops.push({ count, rgba });
  });
  return stops;
}

/** `RGB`, `RRGGBB` or `RRGGBBAA`, an optional leading '#'; alpha defaults to opaque. */
function parseColour(text: string): [number, number, number, number] | null {
  const hex = text.startsWith("#") ? text.slice(1) : text;
  if (!/^[0-9a-fA-F]+$/.test(hex)) return null;
  const byte = (i: number) => parseInt(hex.slice(i, i + 2), 16);
  if (hex.length === 3) {
    const nibble = (i: number) => parseInt(hex[i], 16) * 17;
    return [nibble(0), nibble(1), nibble(2), 255];
  }
  if (hex.length === 6) return [byte(0), byte(2), byte(4), 255];
  if (hex.length === 8) return [byte(0), byte(2), byte(4), byte(6)];
  return null;
}

function buildTable(stops: Stop[]): Palette {
  const rgba = new Uint8Array(256 * 4);
  let s = 0;
  for (let count = Math.max(1, stops[0].count); count < 256; count++) {
    while (s + 1 < stops.length && stops[s + 1].count <= count) s++;
    const a = stops[s];
    const b = stops[s + 1];
    const t = b ? (count - a.count) / (b.count - a.count) : 0;
    for (let c = 0; c < 4; c++) rgba[count * 4 + c] = Math.round(a.rgba[c] + (b ? (b.rgba[c] - a.rgba[c]) * t : 0));
  }
  const hex = (v: number) => v.toString(16).padStart(2, "0");
  const key = stops.map((stop) => `${stop.count}:${stop.rgba.map(hex).join("")}`).join(";");
  return { rgba, key, first: stops[0].count, last: stops[stops.length - 1].count };
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
