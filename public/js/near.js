// "Which activities went here": a click on the heat lists the activities passing near that
// point; choosing one draws its track on top.
import * as api from "./api.js";
import { $, h } from "./dom.js";

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const km = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** The activity type as files and CSVs name it, made readable: "gravel_ride" → "gravel ride". */
const typeOf = (p) => String(p.activity_type ?? p.sport ?? p.type ?? "").replace(/_/g, " ");

export function setupNear({ heatmap, getQuery }) {
  const panel = $("near");
  const list = $("near-list");
  const status = $("near-status");
  let controller = null;
  let chosen = null;

  function close() {
    controller?.abort();
    panel.hidden = true;
    chosen = null;
    heatmap.showProbe(null);
    heatmap.showTrack(null);
  }
  $("near-close").addEventListener("click", close);
  // Escape closes the list from anywhere but the settings panel (where it folds the panel) and dialogs.
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !panel.hidden && !e.target.closest?.("#panel, dialog")) close();
  });

  async function lookup(lngLat, zoom) {
    controller?.abort();
    controller = new AbortController();
    heatmap.showProbe(lngLat);
    heatmap.showTrack(null);
    chosen = null;
    panel.hidden = false;
    list.replaceChildren();
    status.textContent = "Looking…";
    let found;
    try {
      found = await api.near(lngLat.lat, lngLat.lng, zoom, getQuery(), controller.signal);
    } catch (err) {
      if (err.name !== "AbortError") status.textContent = `Could not list activities: ${err.message}`;
      return;
    }
    status.textContent = found.length
      ? `${found.length}${found.length >= 200 ? "+" : ""} ${found.length === 1 ? "activity passes" : "activities pass"} here. Choose one to see its track.`
      : "No activity passes here. Click on the heat.";
    list.replaceChildren(...found.map(item));
  }

  function item(a) {
    const when = a.start_time ? dateFormat.format(new Date(a.start_time)) : "no date";
    const distance = typeof a.properties.total_distance === "number" ? `${km.format(a.properties.total_distance)} km` : "";
    const type = typeOf(a.properties);
    const button = h(
      "button",
      { type: "button", class: "near-item", "aria-pressed": "false" },
      h("span", { class: "title" }, a.title || "Untitled activity"),
      h("span", { class: "meta" }, [when, distance, type].filter(Boolean).join(" · ")),
    );
    button.addEventListener("click", () => choose(a, button));
    return h("li", {}, button);
  }

  async function choose(a, button) {
    for (const b of list.querySelectorAll(".near-item")) b.setAttribute("aria-pressed", String(b === button));
    // A second click on the chosen one shows its whole track.
    if (chosen?.key === a.key && chosen.bounds) return heatmap.fitBounds(chosen.bounds);
    chosen = { key: a.key, bounds: null };
    try {
      const geojson = await api.track(a.key);
      if (chosen?.key !== a.key) return;
      heatmap.showTrack(geojson);
      chosen.bounds = geojsonBounds(geojson);
    } catch (err) {
      status.textContent = `Could not load the track: ${err.message}`;
    }
  }

  return { lookup, close };
}

/** [west, south, east, north] of every coordinate in a GeoJSON object. */
function geojsonBounds(geojson) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c) => {
    if (typeof c[0] === "number") {
      b[0] = Math.min(b[0], c[0]);
      b[1] = Math.min(b[1], c[1]);
      b[2] = Math.max(b[2], c[0]);
      b[3] = Math.max(b[3], c[1]);
    } else c.forEach(visit);
  };
  const features = geojson.type === "FeatureCollection" ? geojson.features : [geojson];
  for (const f of features) if (f.geometry) visit(f.geometry.coordinates);
  return b[0] === Infinity ? null : b;
}
