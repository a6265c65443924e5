// The heat away from the server. A PMTiles archive as the heat layer (`?pmtiles=URL`, or the
// <meta name="hotpot-pmtiles"> that `hotpot export-site` writes), so a static copy of the page
// and one archive on any host that answers range requests is a read-only heatmap site; and
// "Download for offline use", which shows the `hotpot export` command for the current settings.
import * as maplibregl from "/static/vendor/maplibre-gl.mjs";
import { $, h, setupDialog, toast } from "./dom.js";

/** The archive to show instead of the server's tiles, as an absolute URL, or null. */
export function archiveUrl() {
  const given = new URLSearchParams(location.search).get("pmtiles") || document.querySelector('meta[name="hotpot-pmtiles"]')?.content;
  return given ? new URL(given, location.href).href : null;
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    document.head.append(h("script", { src, onload: resolve, onerror: () => reject(new Error(`could not load ${src}`)) }));
  });
}

/**
 * The archive the page names, opened: its tile template, the raster source settings it needs
 * (its own tile size and zooms, so MapLibre over-zooms past the deepest) and its bounds.
 * null when the page names none.
 */
export async function openArchive() {
  const url = archiveUrl();
  if (!url) return null;
  // The library's browser build sets a global; it is loaded only for an archive.
  await loadScript("/static/vendor/pmtiles.js");
  const { PMTiles, Protocol } = globalThis.pmtiles;
  const archive = new PMTiles(url);
  const protocol = new Protocol();
  protocol.add(archive);
  maplibregl.addProtocol("pmtiles", protocol.tile);
  const [header, metadata] = await Promise.all([archive.getHeader(), archive.getMetadata()]);
  document.documentElement.dataset.archive = url;
  return {
    template: `pmtiles://${url}/{z}/{x}/{y}`,
    source: { tileSize: metadata?.tile_size ?? 256, minzoom: header.minZoom, maxzoom: header.maxZoom },
    bounds: [header.minLon, header.minLat, header.maxLon, header.maxLat],
  };
}

/** Single-quoted for a POSIX shell. */
const quote = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** `hotpot export` with the page's filters and colours. */
export function exportCommand(state, { file, zooms, bounds }) {
  const args = ["hotpot", "export", file, "--zooms", zooms];
  if (bounds) args.push("--bounds", bounds.map((v) => v.toFixed(4)).join(","));
  if (state.filter) args.push("-f", state.filter);
  if (state.after) args.push("-a", state.after);
  if (state.before) args.push("-b", state.before);
  if (state.gradient) args.push("-g", state.gradient);
  else if (state.color) args.push("--color", state.color);
  return args.map(quote).join(" ");
}

const FORMATS = [
  { file: "heatmap.mbtiles", label: "MBTiles: OsmAnd, Locus, QGIS, GDAL" },
  { file: "heatmap.pmtiles", label: "PMTiles: a static website, object storage, a CDN" },
  { file: "heatmap.sqlitedb", label: "OsmAnd .sqlitedb" },
];

/** "Download for offline use": a dialog built here, opened from a button in the panel's actions. */
export function setupOffline({ heatmap, getState }) {
  const format = h("select", { id: "offline-format" }, FORMATS.map((f, i) => h("option", { value: String(i) }, f.label)));
  const zooms = h("input", { id: "offline-zooms", type: "text", value: "2-16", spellcheck: "false", size: "6" });
  const viewOnly = h("input", { id: "offline-view", type: "checkbox" });
  const command = h("textarea", { id: "offline-command", readonly: true, rows: "3", spellcheck: "false" });
  const update = () => {
    const bounds = viewOnly.checked ? heatmap.viewBounds().bounds : null;
    command.value = exportCommand(getState(), { file: FORMATS[Number(format.value)].file, zooms: zooms.value.trim() || "2-16", bounds });
  };
  for (const input of [format, zooms, viewOnly]) input.addEventListener("input", update);
  const copy = h("button", { type: "button", class: "small", onclick: () => navigator.clipboard?.writeText(command.value).then(() => toast("Command copied")) }, "Copy");
  const dialog = setupDialog(
    h(
      "dialog",
      { id: "offline", "aria-labelledby": "offline-title" },
      h(
        "header",
        { class: "panel-head" },
        h("h2", { id: "offline-title" }, "Download for offline use"),
        h("button", { class: "icon-button", type: "button", "data-close": true, "aria-label": "Close" }, "×"),
      ),
      h(
        "div",
        { class: "dialog-body" },
        h("p", { class: "hint" }, "Run this where hotpot and its database are: it writes every tile with heat, these filters and colours baked in."),
        h("label", {}, "Archive ", format),
        h("div", { class: "row two" }, h("label", {}, "Zooms ", zooms), h("label", { class: "inline" }, viewOnly, " Only the current view")),
        command,
        h("div", { class: "row" }, copy),
      ),
    ),
  );
  document.body.append(dialog);
  const open = h("button", { id: "offline-open", type: "button", "aria-haspopup": "dialog" }, "Download for offline use");
  open.addEventListener("click", () => {
    update();
    dialog.showModal();
  });
  $("panel").querySelector(".actions")?.append(open);
}
