// The page's settings and the URL hash that carries them, so a link reproduces the view.
//
//   #map=12.00/47.37120/8.54210&after=2023-01-01&filter=activity_type%20%3D%20ride&color=magma&basemap=dark
//
// Only values that differ from the defaults are written.

/** Defaults; `basemap` follows the system's colour scheme on a first visit. */
export function defaults() {
  const dark = matchMedia("(prefers-color-scheme: dark)").matches;
  return {
    view: null, // { zoom, lat, lng }; null = fit to the data
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
  };
}

const TEXT_KEYS = ["after", "before", "filter", "color", "gradient", "mode", "scale", "basemap", "custom", "explorer"];

export function readHash(hash = location.hash) {
  const state = defaults();
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const view = (params.get("map") || "").split("/").map(Number);
  if (view.length === 3 && view.every(Number.isFinite)) state.view = { zoom: view[0], lat: view[1], lng: view[2] };
  for (const key of TEXT_KEYS) if (params.has(key)) state[key] = params.get(key);
  const opacity = Number(params.get("opacity"));
  if (params.has("opacity") && opacity >= 0 && opacity <= 1) state.opacity = opacity;
  if (state.gradient) state.color = "";
  return state;
}

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
  else if (state.color) params.set("color", state.color);
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
export function shareUrl(state, size = 512) {
  const q = tileQuery(state);
  return `${location.origin}/tile/{z}/{x}/{y}${SIZE_SUFFIX[size]}${q ? "?" + q : ""}`;
}
