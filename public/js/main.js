// Starts the page: reads the settings from the URL hash, builds the map and the panel, and keeps
// the heat layer, the hash and the tile URL in step with every change.
import { setupActivity } from "./activity.js";
import * as api from "./api.js";
import { setupChips } from "./chips.js";
import { $, toast } from "./dom.js";
import { setupExplorer } from "./explorer.js";
import { setupExport } from "./export.js";
import { setupGradients } from "./gradient.js";
import { BASEMAPS, buttonControl, Heatmap } from "./heatmap.js";
import { setupHelp } from "./help.js";
import { setupList } from "./list.js";
import { setupNear } from "./near.js";
import { notice } from "./notices.js";
import { openArchive, setupOffline } from "./offline.js";
import { setupOutage } from "./outage.js";
import { setupPanel, setupPanelToggle } from "./panel.js";
import { filterQuery, heatColor, readLink, shareUrl, tileQuery, writeHash } from "./state.js";
import { setupUpload } from "./upload.js";

const dark = matchMedia("(prefers-color-scheme: dark)");
let { state } = readLink();
// A link to one activity without a view opens on that activity.
const openOnActivity = !!state.activity && !state.view;
let features = { upload: false, token: false, render: false, version: 0, gradients: {} };
// A static site (offline.js): the heat comes from a PMTiles archive and there is no server to ask.
const archive = await openArchive();

// On a phone the open panel covers the map, so the list of a click goes.
const panelToggle = setupPanelToggle({ onOpen: () => near.close() });
const focusMap = () => heatmap.map.getCanvas().focus();
const panel = setupPanel({ getState: () => state, apply, onLeave: focusMap });
panel.show(state);

const chips = setupChips({ getState: () => state, check: panel.check });
if (!archive) chips.load();

// The three start-up questions go out together; the view waits only for its own answer.
const [featuresAnswer, accepted, initialBounds] = archive
  ? [null, true, archive.bounds]
  : await Promise.all([api.features().catch(() => null), panel.recount(), state.view ? null : openingBounds(filterQuery(state))]);
// An older server without /api/features (or none reachable): the page still shows the heat.
if (featuresAnswer) features = { ...features, ...featuresAnswer };
/** The server's preset names, or null when it did not say (the link's colours are then taken on trust). */
const presetNames = () => (Object.keys(features.gradients).length ? Object.keys(features.gradients) : null);
// Now that the presets are known, the link's colours can be checked too.
const link = readLink(location.hash, presetNames());
state = { ...state, color: link.state.color, gradient: link.state.gradient };
const showLinkNotes = (notes) => notes.length && notice("link", `This link had values the page does not know: ${notes.join("; ")}.`);
showLinkNotes(link.notes);
// A link with a filter the server refuses: the field says why, the map shows everything meanwhile.
if (!accepted) state = { ...state, filter: "", after: "", before: "" };

/** Where the page opens: where most of the activity is, else all of it. */
async function openingBounds(query) {
  return (await api.home(query).catch(() => null)) ?? (await api.bounds(query).catch(() => null));
}

const openingFrame = state.view ? null : accepted ? initialBounds : await openingBounds("");
const heatmap = new Heatmap($("map"), {
  view: state.view,
  bounds: openingFrame,
  onMove: (view) => {
    state.view = view;
    writeHash(state);
  },
  onClick: (lngLat, zoom) => !archive && near.lookup(lngLat, zoom),
  onBasemapStatus: (message) => notice("basemap", message, message && { label: "Try again", onClick: showBasemap }),
  onHeatError: (message) => !archive && outage.tileFailed(message),
});

const activity = setupActivity({
  heatmap,
  onSelect: (key) => {
    state.activity = key ?? "";
    writeHash(state);
  },
  onDeleted: () => refresh(),
});
const near = setupNear({ heatmap, activity, getQuery: () => filterQuery(state), onClose: focusMap });
const explorer = setupExplorer({ heatmap, getQuery: () => filterQuery(state), getVersion: () => features.version, onChoose: (zoom) => apply({ explorer: zoom }) });
const outage = setupOutage({
  onBack: () => {
    // Tiles that failed while the server was away are not retried by the map: load the heat afresh.
    heatmap.setHeat(heatTemplate(), archive?.source);
    panel.recount();
    refresh();
  },
});

/** The heat tile template: `v` changes with the data, so new uploads are fetched, not cached. */
const heatTemplate = () => archive?.template ?? `${location.origin}/tile/{z}/{x}/{y}{ratio}?${tileQuery(state, { v: features.version })}`;

function basemapSpec() {
  if (state.basemap === "none") return null;
  if (state.basemap === "custom") return state.custom ? { tiles: [state.custom.replace("{r}", "{ratio}")], maxzoom: 20 } : null;
  return BASEMAPS[state.basemap] ?? BASEMAPS.dark;
}
const emptyBackground = () => (dark.matches ? "#0e0e10" : "#f2f0eb");
function showBasemap() {
  heatmap.setBasemap(basemapSpec(), emptyBackground());
}

/** Applies a change of settings: redraws only what it touches, then records it in the hash. */
function apply(change) {
  const before = state;
  state = { ...state, ...change };
  const heatChanged = ["after", "before", "filter", "gradient", "mode", "scale"].some((k) => state[k] !== before[k]) || heatColor(state) !== heatColor(before);
  if (heatChanged) heatmap.setHeat(heatTemplate(), archive?.source);
  if (heatChanged || state.explorer !== before.explorer) explorer.show(state.explorer);
  if (state.basemap !== before.basemap || state.custom !== before.custom) {
    showBasemap();
    // The default colours follow the basemap's lightness.
    gradients.show(state);
  }
  if (state.opacity !== before.opacity) heatmap.setOpacity(state.opacity);
  if (["after", "before", "filter"].some((k) => state[k] !== before[k])) near.close();
  $("tile-url").value = shareUrl(state);
  chips.show();
  writeHash(state);
}

/** "Home" frames where most of the activity is; "fit" frames all of it. */
async function fitTo(which) {
  try {
    const b = archive ? archive.bounds : await (which === "home" ? api.home : api.bounds)(filterQuery(state));
    if (b) return heatmap.fitBounds(b);
    const total = await api.count("");
    if (total === 0) toast(features.upload ? "No activities yet. Add some with “Add activities”." : "No activities yet. Add some with `hotpot import FOLDER` on the server, or start it with --upload.", 4000);
    else toast("No activity matches the dates and filter: change them in the settings to see your heat.", 5000);
  } catch (err) {
    toast(`Could not find the data: ${err.message}`, 4000);
  }
}

/** After an upload, a delete or an import elsewhere: new data version, new tiles and count. */
async function refresh() {
  if (archive) return;
  try {
    const f = await api.features();
    if (f.version === features.version) return;
    features = { ...features, ...f };
  } catch {
    return;
  }
  heatmap.setHeat(heatTemplate(), archive?.source);
  explorer.refresh();
  panel.recount();
  chips.load();
}

$("tile-size").addEventListener("change", (e) => apply({ size: e.target.value }));
const gradients = setupGradients({ presets: features.gradients, state, onChange: apply, defaultName: () => heatColor({ ...state, color: "" }) });
setupHelp();
/** Opens an activity's card from the list or an upload, with its track framed; the phone's sheet folds away for it. */
function showActivity(key) {
  panelToggle.foldOnPhone();
  activity.show(key, { fit: true });
}
if (!archive) setupList({ getQuery: () => filterQuery(state), getVersion: () => features.version, onChoose: showActivity });
if (features.upload) setupUpload({ needsToken: features.token, onAdded: refresh, onShow: showActivity });
if (features.render) setupExport({ heatmap, getState: () => state });
if (!archive) setupOffline({ heatmap, getState: () => state, canExport: features.render });
heatmap.addControl(buttonControl({ id: "home", icon: "i-home", label: "Home: where most of my activity is", onClick: () => fitTo("home") }), "top-right");
heatmap.addControl(buttonControl({ id: "fit", icon: "i-fit", label: "Fit everything", onClick: () => fitTo("bounds") }), "top-right");

await heatmap.ready;
// The map buttons and toggles were added after the first frame was chosen: frame it again clear of them.
if (openingFrame) heatmap.fitBounds(openingFrame, { animate: false });
showBasemap();
heatmap.setOpacity(state.opacity);
heatmap.setHeat(heatTemplate(), archive?.source);
explorer.show(state.explorer);
$("tile-url").value = shareUrl(state);
if (!state.view && !initialBounds && featuresAnswer) toast(features.upload ? "No activities yet. Add some with “Add activities”." : "No activities yet. Add some with `hotpot import FOLDER` on the server, or start it with --upload.", 5000);
state.view = heatmap.view();
writeHash(state);
if (state.activity) activity.show(state.activity, { fit: openOnActivity });

// Enter on the focused map lists what passes through its centre (marked while the map has
// keyboard focus), and moves focus to the results.
const canvas = heatmap.map.getCanvas();
canvas.addEventListener("keydown", (e) => {
  if (e.key === "Enter") near.lookup(heatmap.map.getCenter(), heatmap.map.getZoom(), { focus: true });
});
canvas.addEventListener("focus", () => $("map").classList.toggle("keyboard", canvas.matches(":focus-visible")));
canvas.addEventListener("blur", () => $("map").classList.remove("keyboard"));
dark.addEventListener("change", showBasemap);
// A pasted link or the back button: take the settings from the hash again.
addEventListener("hashchange", () => {
  const { state: next, notes } = readLink(location.hash, presetNames());
  showLinkNotes(notes);
  if (next.view) heatmap.map.jumpTo({ center: [next.view.lng, next.view.lat], zoom: next.view.zoom });
  const chosen = next.activity;
  apply({ ...next, view: next.view ?? state.view });
  panel.show(state);
  panel.recount();
  gradients.show(state);
  if (chosen && chosen !== activity.key) activity.show(chosen);
});
// Coming back to the tab is when new imports are most likely to be waiting.
document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && refresh());
document.documentElement.dataset.ready = "true";
