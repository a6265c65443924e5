// Starts the page: reads the settings from the URL hash, builds the map and the panel, and keeps
// the heat layer, the hash and the tile URL in step with every change.
import * as api from "./api.js";
import { $, h, toast } from "./dom.js";
import { setupExplorer } from "./explorer.js";
import { setupExport } from "./export.js";
import { setupGradients } from "./gradient.js";
import { BASEMAPS, buttonControl, Heatmap } from "./heatmap.js";
import { setupHelp } from "./help.js";
import { setupNear } from "./near.js";
import { setupPanel, setupPanelToggle } from "./panel.js";
import { filterQuery, readHash, shareUrl, tileQuery, writeHash } from "./state.js";
import { setupUpload } from "./upload.js";

const dark = matchMedia("(prefers-color-scheme: dark)");
let state = readHash();
let features = { upload: false, token: false, render: false, version: 0, gradients: {} };
try {
  features = { ...features, ...(await api.features()) };
} catch {
  // An older server without /api/features: the page still shows the heat.
}

// On a phone the open panel covers the map, so the list of a click goes.
setupPanelToggle({ onOpen: () => near.close() });
const panel = setupPanel({ getState: () => state, apply });
panel.show(state);
// A link with a filter the server refuses: the field says why, the map shows everything meanwhile.
if (!(await panel.recount())) state = { ...state, filter: "", after: "", before: "" };

// A first visit opens on the data: asked before the map exists, so no world-wide tiles are fetched first.
const initialBounds = state.view ? null : await api.bounds(filterQuery(state)).catch(() => null);

const heatmap = new Heatmap($("map"), {
  view: state.view,
  bounds: initialBounds,
  onMove: (view) => {
    state.view = view;
    writeHash(state);
  },
  onClick: (lngLat, zoom) => near.lookup(lngLat, zoom),
  onBasemapStatus: (message) => {
    const status = $("basemap-status");
    status.hidden = !message;
    status.replaceChildren(...(message ? [message, " ", h("button", { type: "button", class: "link", onclick: showBasemap }, "Try again")] : []));
  },
});

const near = setupNear({ heatmap, getQuery: () => filterQuery(state) });
const explorer = setupExplorer({ heatmap, getQuery: () => filterQuery(state), getVersion: () => features.version, onChoose: (zoom) => apply({ explorer: zoom }) });

/** The heat tile template: `v` changes with the data, so new uploads are fetched, not cached. */
const heatTemplate = () => `${location.origin}/tile/{z}/{x}/{y}{ratio}?${tileQuery(state, { v: features.version })}`;

function basemapSpec() {
  if (state.basemap === "none") return null;
  if (state.basemap === "custom") return state.custom ? { tiles: [state.custom.replace("{r}", "{ratio}")], maxzoom: 20 } : null;
  return BASEMAPS[state.basemap] ?? BASEMAPS.dark;
}
const emptyBackground = () => (dark.matches ? "#0e0e10" : "#f2f0eb");
const showBasemap = () => heatmap.setBasemap(basemapSpec(), emptyBackground());

/** Applies a change of settings: redraws only what it touches, then records it in the hash. */
function apply(change) {
  const before = state;
  state = { ...state, ...change };
  const heatChanged = ["after", "before", "filter", "color", "gradient", "mode", "scale"].some((k) => state[k] !== before[k]);
  if (heatChanged) heatmap.setHeat(heatTemplate());
  if (heatChanged || state.explorer !== before.explorer) explorer.show(state.explorer);
  if (state.basemap !== before.basemap || state.custom !== before.custom) showBasemap();
  if (state.opacity !== before.opacity) heatmap.setOpacity(state.opacity);
  if (["after", "before", "filter"].some((k) => state[k] !== before[k])) near.close();
  $("tile-url").value = shareUrl(state, Number($("tile-size").value));
  writeHash(state);
}

async function fitToData() {
  try {
    const b = await api.bounds(filterQuery(state));
    if (b) heatmap.fitBounds(b);
    else toast(features.upload ? "No activities match yet. Add some with “Add activities”." : "No activities match.", 4000);
  } catch (err) {
    toast(`Could not find the data: ${err.message}`, 4000);
  }
}

/** After an upload or an import elsewhere: new data version, new tiles and count. */
async function refresh() {
  try {
    const f = await api.features();
    if (f.version === features.version) return;
    features = { ...features, ...f };
  } catch {
    return;
  }
  heatmap.setHeat(heatTemplate());
  explorer.refresh();
  panel.recount();
}

$("tile-size").addEventListener("change", () => apply({}));
const gradients = setupGradients({ presets: features.gradients, state, onChange: apply });
setupHelp();
if (features.upload) setupUpload({ needsToken: features.token, onAdded: refresh });
if (features.render) setupExport({ heatmap, getState: () => state });
heatmap.addControl(buttonControl({ id: "fit", icon: "i-fit", label: "Fit to my data", onClick: () => fitToData() }), "top-right");

await heatmap.ready;
showBasemap();
heatmap.setOpacity(state.opacity);
heatmap.setHeat(heatTemplate());
explorer.show(state.explorer);
$("tile-url").value = shareUrl(state, Number($("tile-size").value));
if (!state.view && !initialBounds) toast(features.upload ? "No activities yet. Add some with “Add activities”." : "No activities yet.", 5000);
state.view = heatmap.view();
writeHash(state);

// Enter on the focused map lists what passes through its centre, for keyboard users.
heatmap.map.getCanvas().addEventListener("keydown", (e) => {
  if (e.key === "Enter") near.lookup(heatmap.map.getCenter(), heatmap.map.getZoom());
});
dark.addEventListener("change", showBasemap);
// A pasted link or the back button: take the settings from the hash again.
addEventListener("hashchange", () => {
  const next = readHash();
  if (next.view) heatmap.map.jumpTo({ center: [next.view.lng, next.view.lat], zoom: next.view.zoom });
  apply({ ...next, view: next.view ?? state.view });
  panel.show(state);
  panel.recount();
  gradients.show(state);
});
// Coming back to the tab is when new imports are most likely to be waiting.
document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && refresh());
document.documentElement.dataset.ready = "true";
