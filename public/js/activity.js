// One activity: its card (stats, Strava link, source file), its track drawn on the map, and
// delete. The chosen activity's key is kept in the URL hash, so a link opens on it.
import * as api from "./api.js";
import { $, h, toast } from "./dom.js";
import { askToken } from "./token.js";

export const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const one = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** The activity type as files and CSVs name it, made readable: "gravel_ride" → "gravel ride". */
export const typeOf = (p) => String(p.activity_type ?? p.sport ?? p.type ?? "").replace(/_/g, " ");
export const km = (p) => (typeof p.total_distance === "number" ? `${one.format(p.total_distance)} km` : "");

const duration = (s) => `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} h`;

/** [label, value] rows of what the activity has, in the order people read them. */
function stats(p) {
  const rows = [
    ["Type", typeOf(p)],
    ["Distance", km(p)],
    ["Moving time", typeof p.moving_time === "number" ? duration(p.moving_time) : ""],
    ["Elevation gain", typeof p.elevation_gain === "number" ? `${whole.format(p.elevation_gain)} m` : ""],
    ["Average speed", typeof p.average_speed === "number" ? `${one.format(p.average_speed)} km/h` : ""],
    // The file it was imported or uploaded from; a Strava export's CSV names the original too.
    ["Source file", p.file_name ?? p.filename ?? ""],
  ];
  return rows.filter(([, v]) => v);
}

/**
 * `onSelect(key | null)` records the choice (the hash); `onDeleted()` refreshes the heat;
 * `onBack` returns to the list it was chosen from, if any.
 */
export function setupActivity({ heatmap, onSelect, onDeleted }) {
  const card = $("activity");
  let current = null; // { key, bounds }
  let back = null;

  function close() {
    card.hidden = true;
    current = null;
    heatmap.showTrack(null);
    onSelect(null);
  }
  $("activity-close").addEventListener("click", close);
  $("activity-back").addEventListener("click", () => {
    const to = back;
    close();
    to?.();
  });
  $("activity-zoom").addEventListener("click", () => current?.bounds && heatmap.fitBounds(current.bounds));
  $("activity-delete").addEventListener("click", () => current && remove(current.key));

  /** Shows the activity with this key; `fit` zooms to it; `from` is the list to go back to. */
  async function show(key, { fit = false, from = null } = {}) {
    back = from;
    $("activity-back").hidden = !from;
    current = { key, bounds: null };
    onSelect(key);
    card.hidden = false;
    $("activity-title").textContent = "Loading…";
    $("activity-body").replaceChildren();
    let feature;
    try {
      feature = await api.track(key);
    } catch (err) {
      if (current?.key !== key) return;
      $("activity-title").textContent = err.status === 404 ? "Activity not found" : "Could not load the activity";
      $("activity-body").replaceChildren(h("p", { class: "hint" }, err.status === 404 ? `No activity has the key ${key}; it may have been deleted.` : err.message));
      return;
    }
    if (current?.key !== key) return;
    const p = feature.properties;
    heatmap.showTrack(feature);
    current.bounds = geojsonBounds(feature);
    $("activity-title").textContent = p.title || "Untitled activity";
    const strava = /^strava:(\d+)$/.exec(key);
    const parts = [
      h("p", { class: "hint" }, p.start_time ? timeFormat.format(new Date(p.start_time)) : "No date"),
      h("dl", { class: "stats" }, ...stats(p).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
      strava && h("p", {}, h("a", { href: `https://www.strava.com/activities/${strava[1]}`, target: "_blank", rel: "noopener" }, "Open on Strava")),
      h("p", { class: "hint key" }, `Key: ${key}`),
    ];
    $("activity-body").replaceChildren(...parts.filter(Boolean));
    if (fit && current.bounds) heatmap.fitBounds(current.bounds);
  }

  async function remove(key) {
    const title = $("activity-title").textContent;
    if (!confirm(`Delete “${title}”? Its heat goes at once; importing its file again brings it back.`)) return;
    for (;;) {
      try {
        await api.deleteActivity(key);
        break;
      } catch (err) {
        if (err.status === 401 && (await askToken("Deleting needs this server's token (HOTPOT_UPLOAD_TOKEN)."))) continue;
        if (err.status !== 401) toast(`Could not delete: ${err.message}`, 5000);
        return;
      }
    }
    toast(`Deleted “${title}”`, 4000);
    const to = back;
    close();
    await onDeleted(key);
    to?.();
  }

  return { show, close, get key() { return current?.key ?? null; } };
}

/** [west, south, east, north] of every coordinate in a GeoJSON object. */
export function geojsonBounds(geojson) {
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
