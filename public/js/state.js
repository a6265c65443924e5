// The page's settings and the URL hash that carries them, so a link reproduces the view.
//
//   #map=12.00/47.37120/8.54210&after=2023-01-01&filter=activity_type%20%3D%20ride&color=magma&basemap=dark
//
// Only values that differ from the defaults are written. Links of the Rust hotpot's page read the
// same: its basemap names, `rasterUrl`, `size` and `color=custom` are translated. A value the page
// does not know is replaced by the default, with a note saying so, rather than blanking the map.
import { parseStops } from "./gradient.js";

/** Basemaps the page offers, as the hash names them. */
export const BASEMAP_NAMES = ["dark", "light", "dark-nolabels", "light-nolabels", "osm", "none", "custom"];
/** The Rust hotpot's basemap names (CARTO vector styles) → ours (CARTO raster tiles). */
const RUST_BASEMAPS = {
  "dark-matter": "dark",
  positron: "light",
  "dark-matter-nolabels": "dark-nolabels",
  "positron-nolabels": "light-nolabels",
  "none-black": "none",
  "none-white": "none",
  raster: "custom",
};
export const TILE_SIZES = ["256", "512", "1024"];
/** Light basemaps, and the default colours on them: the server's default (orange) ends near white, unseen there. */
const LIGHT_BASEMAPS = ["light", "light-nolabels", "osm"];
export const LIGHT_DEFAULT = "fire";

/** The preset the heat is drawn with ("" = the server's default): the chosen one, else the default for the basemap. */
export function heatColor(state) {
  if (state.gradient) return "";
  return state.color || (LIGHT_BASEMAPS.includes(state.basemap) ? LIGHT_DEFAULT : "");
}

/** Defaults; `basemap` follows the system's colour scheme on a first visit. */
export function defaults() {
  const dark = matchMedia("(prefers-color-scheme: dark)").matches;
  return {
    view: null, // { zoom, lat, lng }; null = open on the heat (the densest cluster)
    after: "",
    before: "",
    filter: "",
    color: "", // a preset name; "" = the server's default
    gradient: "", // custom stops "count:RRGGBB;..."; excludes color
    mode: "", // "recency" or "first"; "" = the heat of visits
    scale: "", // "log" or "adaptive"; "" = linear
    basemap: dark ? "dark" : "light",
    custom: "", // custom XYZ URL when basemap = custom
    opacity: 1,
    explorer: "", // explorer tiles shown: "14", "17" or "" for none
    size: "512", // tile size in the Tile URL box
    activity: "", // the key of the activity whose card is open
  };
}

const TEXT_KEYS = ["after", "before", "filter", "color", "gradient", "mode", "scale", "basemap", "custom", "explorer", "size", "activity"];

/** A real day written YYYY-MM-DD. */
export function isDate(s) {
  const day = new Date(`${s}T00:00:00Z`);
  return /^\d{4}-\d\d-\d\d$/.test(s) && !Number.isNaN(day.getTime()) && day.toISOString().startsWith(s);
}

/**
 * The settings a hash holds, and notes about the values it had to replace. `presets` (names of
 * the server's gradients) checks `color`; without it any colour name is kept.
 */
export function readLink(hash = location.hash, presets = null) {
  const state = defaults();
  const notes = [];
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  // MapLibre's own hash, which the Rust hotpot uses, may add bearing and pitch.
  const view = (params.get("map") || "").split("/").map(Number);
  if (view.length >= 3 && view.length <= 5 && view.every(Number.isFinite) && Math.abs(view[1]) <= 90) state.view = { zoom: view[0], lat: view[1], lng: view[2] };
  else if (params.has("map")) notes.push(`the view “${params.get("map")}” is not zoom/latitude/longitude: opening on the heat`);
  for (const key of TEXT_KEYS) if (params.get(key)) state[key] = params.get(key);
  if (params.get("rasterUrl") && !state.custom) state.custom = params.get("rasterUrl").replace("{ext}", "png");
  state.basemap = RUST_BASEMAPS[state.basemap] ?? state.basemap;

  const base = defaults();
  const replace = (key, what) => {
    notes.push(`${what}: using ${describe(key, base[key])}`);
    state[key] = base[key];
  };
  if (params.has("opacity")) {
    const opacity = Number(params.get("opacity"));
    if (params.get("opacity") !== "" && opacity >= 0 && opacity <= 1) state.opacity = opacity;
    else replace("opacity", `the opacity “${params.get("opacity")}” is not between 0 and 1`);
  }
  for (const key of ["after", "before"]) if (state[key] && !isDate(state[key])) replace(key, `the date “${state[key]}” is not YYYY-MM-DD`);
  if (!BASEMAP_NAMES.includes(state.basemap)) replace("basemap", `the basemap “${state.basemap}” is unknown`);
  if (state.basemap === "custom" && !/^https?:\/\//.test(state.custom)) replace("basemap", "the custom basemap has no http(s) URL");
  if (state.mode && !["recency", "first"].includes(state.mode)) replace("mode", `the colouring “${state.mode}” is unknown`);
  if (state.scale && !["log", "adaptive", "linear"].includes(state.scale)) replace("scale", `the scale “${state.scale}” is unknown`);
  if (!TILE_SIZES.includes(state.size)) replace("size", `the tile size “${state.size}” is not 256, 512 or 1024`);
  // The Rust page writes color=custom next to its gradient.
  if (state.color === "custom") state.color = "";
  if (state.gradient) {
    state.color = "";
    try {
      parseStops(state.gradient);
    } catch (err) {
      replace("gradient", `the gradient “${state.gradient}” is not valid (${err.message})`);
    }
  }
  if (state.color && presets && !presets.includes(state.color)) {
    notes.push(`the colours “${state.color}” are unknown: using the default`);
    state.color = "";
  }
  return { state, notes };
}

const EMPTY_MEANS = { mode: "visits", scale: "linear" };
const describe = (key, value) => (value === "" ? (EMPTY_MEANS[key] ?? "none") : key === "size" ? `${value} px` : `“${value}”`);

export function writeHash(state) {
  const base = defaults();
  const params = new URLSearchParams();
  for (const key of TEXT_KEYS) if (state[key] && state[key] !== base[key]) params.set(key, state[key]);
  if (state.opacity !== base.opacity) params.set("opacity", String(state.opacity));
  // The view first and unescaped, as map sites write it; %20 reads better than + in a hash people paste.
  const view = state.view ? `map=${state.view.zoom.toFixed(2)}/${state.view.lat.toFixed(5)}/${state.view.lng.toFixed(5)}` : "";
  const hash = "#" + [view, params.toString().replace(/\+/g, "%20")].filter(Boolean).join("&");
  // replaceState: panning must not flood the back button with history entries.
  if (hash !== location.hash) history.replaceState(null, "", hash === "#" ? location.pathname + location.search : hash);
}

/** The query string of the heat tiles: filters, colours, mode and scale, never view or basemap. */
export function tileQuery(state, extra = {}) {
  const params = new URLSearchParams();
  for (const key of ["after", "before", "filter"]) if (state[key]) params.set(key, state[key]);
  if (state.gradient) params.set("gradient", state.gradient);
  else if (heatColor(state)) params.set("color", heatColor(state));
  for (const key of ["mode", "scale"]) if (state[key]) params.set(key, state[key]);
  for (const [k, v] of Object.entries(extra)) if (v !== "" && v !== undefined && v !== null) params.set(k, String(v));
  return params.toString().replace(/\+/g, "%20");
}

/** Filters only, for /api/activity-count, /api/bounds and the near query. */
export function filterQuery(state) {
  return tileQuery({ after: state.after, before: state.before, filter: state.filter });
}

/** Suffix for a tile size in device pixels: 256 → @small, 512 → "", 1024 → @2x. */
export const SIZE_SUFFIX = { 256: "@small", 512: "", 1024: "@2x" };

/** The tile URL template for other tools, absolute, with the current settings. */
export function shareUrl(state) {
  const q = tileQuery(state);
  return `${location.origin}/tile/{z}/{x}/{y}${SIZE_SUFFIX[state.size] ?? ""}${q ? "?" + q : ""}`;
}
