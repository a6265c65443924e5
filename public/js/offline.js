// The heat away from the server. A PMTiles archive as the heat layer (`?pmtiles=URL`, or the
// <meta name="hotpot-pmtiles"> that `hotpot export-site` writes), so a static copy of the page
// and one archive on any host that answers range requests is a read-only heatmap site; and
// "Download for offline use", which shows the `hotpot export` command for the current settings.
import * as maplibregl from "/static/vendor/maplibre-gl.mjs";
import { reason } from "./api.js";
import { $, h, setupDialog, toast } from "./dom.js";
import { tileQuery } from "./state.js";

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
function exportCommand(state, { file, zooms, bounds }) {
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

/**
 * "Download for offline use": a dialog built here, opened from a button in the panel's actions.
 * With `canExport` (a server started with --render) it can also have the server write the
 * archive of the current view (bounded there in tiles), with progress and a download link.
 */
export function setupOffline({ heatmap, getState, canExport }) {
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
  const progress = h("progress", { id: "offline-progress", max: "1", value: "0", hidden: true });
  const status = h("p", { id: "offline-status", class: "hint", "aria-live": "polite" });
  const link = h("a", { id: "offline-link", class: "button", hidden: true }, "Download");
  const run = h("button", { id: "offline-run", type: "button", class: "primary", hidden: !canExport }, "Export the view here");
  run.addEventListener("click", async () => {
    viewOnly.checked = true;
    update();
    const kind = FORMATS[Number(format.value)].file.split(".").pop();
    const bounds = heatmap.viewBounds().bounds.map((v) => v.toFixed(5)).join(",");
    const query = tileQuery(getState(), { kind, zooms: zooms.value.trim() || "2-16", bounds });
    run.disabled = true;
    link.hidden = true;
    status.textContent = "Starting…";
    try {
      const res = await fetch(`/api/exports?${query}`, { method: "POST" });
      if (!res.ok) throw new Error(await reason(res));
      const { id, total } = await res.json();
      progress.hidden = false;
      for (;;) {
        const job = await (await fetch(`/api/exports/${id}`)).json();
        progress.value = total ? job.done / total : 1;
        status.textContent = `${job.done} of ${total} tiles`;
        if (job.state === "failed") throw new Error(job.error);
        if (job.state === "done") {
          status.textContent = `${job.tiles} tiles, ${(job.bytes / 1048576).toFixed(1)} MB`;
          link.href = `/exports/${id}/heatmap.${kind}`;
          link.setAttribute("download", `heatmap.${kind}`);
          link.hidden = false;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } catch (err) {
      status.textContent = err.message;
    } finally {
      run.disabled = false;
      progress.hidden = true;
    }
  });
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
        h("div", { class: "row" }, copy, run, link),
        progress,
        status,
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
