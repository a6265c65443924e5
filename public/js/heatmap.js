// The map: a raster basemap (or none), the heat tiles above it, and the highlighted track on top.
// Relative, so it comes from the same content-hashed folder as this file.
import * as maplibregl from "../vendor/maplibre-gl.mjs";

const OSM_ATTRIBUTION = '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';
const CARTO_ATTRIBUTION = `${OSM_ATTRIBUTION} © <a href="https://carto.com/attributions">CARTO</a>`;
const carto = (style) => ["a", "b", "c", "d"].map((s) => `https://${s}.basemaps.cartocdn.com/${style}/{z}/{x}/{y}{ratio}.png`);

/** Public raster basemaps: 256-px XYZ tiles, `{ratio}` becomes @2x on high-density screens. */
export const BASEMAPS = {
  dark: { tiles: carto("dark_all"), attribution: CARTO_ATTRIBUTION, maxzoom: 20, background: "#0e0e10" },
  light: { tiles: carto("light_all"), attribution: CARTO_ATTRIBUTION, maxzoom: 20, background: "#f2f0eb" },
  "dark-nolabels": { tiles: carto("dark_nolabels"), attribution: CARTO_ATTRIBUTION, maxzoom: 20, background: "#0e0e10" },
  "light-nolabels": { tiles: carto("light_nolabels"), attribution: CARTO_ATTRIBUTION, maxzoom: 20, background: "#f2f0eb" },
  osm: { tiles: ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"], attribution: OSM_ATTRIBUTION, maxzoom: 19, background: "#f2efe9" },
};

/** After this many failed basemap tiles the basemap is dropped, so an offline page stays quiet. */
const BASEMAP_FAILURES = 3;

export class Heatmap {
  /** `view` {zoom, lat, lng} or else `bounds` [w, s, e, n] to open on, else the world. */
  constructor(container, { view, bounds, onMove, onClick, onBasemapStatus, onHeatError }) {
    this.onBasemapStatus = onBasemapStatus;
    this.onHeatError = onHeatError;
    this.heatLayers = []; // oldest first; the last is the one being shown or loading
    this.serial = 0;
    this.opacity = 1;
    this.basemapFailures = 0;
    this.basemapSerial = 0;
    this.map = new maplibregl.Map({
      container,
      style: { version: 8, sources: {}, layers: [{ id: "background", type: "background", paint: { "background-color": "#0e0e10" } }] },
      center: view ? [view.lng, view.lat] : [0, 20],
      zoom: view ? view.zoom : 1.5,
      bounds: !view && bounds ? [[bounds[0], bounds[1]], [bounds[2], bounds[3]]] : undefined,
      fitBoundsOptions: { padding: fitPadding(), maxZoom: 15 },
      // A heatmap reads north-up: rotation only gets in the way on touch screens.
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
      maxZoom: 20,
      attributionControl: { compact: true },
      // Keeps the canvas readable for screenshots and the export preview.
      canvasContextAttributes: { preserveDrawingBuffer: true },
    });
    this.map.touchZoomRotate.disableRotation();
    this.map.keyboard.disableRotation();
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    this.map.addControl(new maplibregl.ScaleControl({ maxWidth: 120 }), "bottom-right");
    this.ready = new Promise((resolve) => this.map.once("load", resolve));
    this.map.on("moveend", () => onMove(this.view()));
    this.map.on("click", (e) => onClick(e.lngLat, this.map.getZoom()));
    this.map.on("error", (e) => this.onError(e));
    // Busy while tiles load: screen readers hear it, and tests wait for it.
    this.map.on("dataloading", () => container.setAttribute("aria-busy", "true"));
    this.map.on("idle", () => container.setAttribute("aria-busy", "false"));
    this.ready.then(() => this.addOverlays());
  }

  view() {
    const c = this.map.getCenter();
    return { zoom: this.map.getZoom(), lat: c.lat, lng: c.lng };
  }

  /**
   * Shows a heat tile URL template. The new layer loads above the old, which goes once the new is in: no blank flash.
   * `source` overrides the raster source's settings (a PMTiles archive's tile size and zooms).
   */
  setHeat(template, source = {}) {
    const id = `heat-${++this.serial}`;
    // A layer that never finished loading is of no use any more.
    while (this.heatLayers.length > 1) this.removeHeat(this.heatLayers.pop());
    // 512-px tiles drawn 512 CSS px wide: one tile pixel per screen pixel, @2x tiles on dense screens.
    this.map.addSource(id, { type: "raster", tiles: [template], tileSize: 512, maxzoom: 20, ...source });
    this.map.addLayer({ id, type: "raster", source: id, paint: { "raster-opacity": this.opacity, "raster-fade-duration": 0 } }, "probe");
    this.heatLayers.push(id);
    const swap = () => {
      // Replaced before it finished: nothing to swap any more.
      if (!this.map.getSource(id)) return this.map.off("sourcedata", swap);
      if (!this.map.isSourceLoaded(id)) return;
      this.map.off("sourcedata", swap);
      while (this.heatLayers[0] !== id) this.removeHeat(this.heatLayers.shift());
    };
    this.map.on("sourcedata", swap);
  }

  removeHeat(id) {
    if (this.map.getLayer(id)) this.map.removeLayer(id);
    if (this.map.getSource(id)) this.map.removeSource(id);
  }

  setOpacity(opacity) {
    this.opacity = opacity;
    for (const id of this.heatLayers) this.map.setPaintProperty(id, "raster-opacity", opacity);
  }

  /**
   * `spec` is a BASEMAPS entry, { tiles: [url] } for a custom one, or null for none.
   * One tile is tried first: offline, that is one failed request instead of a screenful,
   * and online the browser keeps it for the map.
   */
  async setBasemap(spec, fallbackBackground) {
    const serial = ++this.basemapSerial;
    this.removeBasemap();
    this.map.setPaintProperty("background", "background-color", spec?.background ?? fallbackBackground);
    this.basemapFailures = 0;
    this.onBasemapStatus(null);
    if (!spec) return;
    const reachable = await probeTile(spec, this.map);
    if (serial !== this.basemapSerial) return;
    if (!reachable) return this.onBasemapStatus("The basemap could not be loaded (offline?). The heat still shows.");
    this.map.addSource("basemap", { type: "raster", tiles: spec.tiles, tileSize: 256, maxzoom: spec.maxzoom ?? 19, attribution: spec.attribution });
    this.map.addLayer({ id: "basemap", type: "raster", source: "basemap", paint: { "raster-fade-duration": 100 } }, this.heatLayers[0] ?? "probe");
  }

  removeBasemap() {
    if (this.map.getLayer("basemap")) this.map.removeLayer("basemap");
    if (this.map.getSource("basemap")) this.map.removeSource("basemap");
  }

  onError(e) {
    // Listening here also keeps MapLibre from logging every failed tile to the console.
    if (e.sourceId?.startsWith("heat-")) return this.onHeatError(e.error?.status ? `HTTP ${e.error.status}` : (e.error?.message ?? "unknown error"));
    if (e.sourceId !== "basemap") return;
    if (++this.basemapFailures < BASEMAP_FAILURES) return;
    this.removeBasemap();
    this.onBasemapStatus("The basemap could not be loaded (offline?). The heat still shows.");
  }

  /** Layers above the heat: the clicked point and the chosen track. */
  addOverlays() {
    const empty = { type: "FeatureCollection", features: [] };
    this.map.addSource("track", { type: "geojson", data: empty });
    this.map.addSource("probe", { type: "geojson", data: empty });
    this.map.addLayer({ id: "probe", type: "circle", source: "probe", paint: { "circle-radius": 9, "circle-color": "rgba(0,0,0,0)", "circle-stroke-width": 2, "circle-stroke-color": "#2ec5ff" } });
    this.map.addLayer({ id: "track-casing", type: "line", source: "track", layout: { "line-join": "round", "line-cap": "round" }, paint: { "line-color": "#ffffff", "line-width": 6, "line-opacity": 0.9 } });
    this.map.addLayer({ id: "track", type: "line", source: "track", layout: { "line-join": "round", "line-cap": "round" }, paint: { "line-color": "#1a7cff", "line-width": 3 } });
  }

  showProbe(lngLat) {
    const features = lngLat ? [{ type: "Feature", properties: {}, geometry: { type: "Point", coordinates: [lngLat.lng, lngLat.lat] } }] : [];
    this.map.getSource("probe")?.setData({ type: "FeatureCollection", features });
  }

  showTrack(geojson) {
    this.map.getSource("track")?.setData(geojson ?? { type: "FeatureCollection", features: [] });
  }

  fitBounds([west, south, east, north], options = {}) {
    this.map.fitBounds([[west, south], [east, north]], { padding: fitPadding(), maxZoom: 15, ...options });
  }

  /** Bounds and size of the current view, for /render. */
  viewBounds() {
    const b = this.map.getBounds();
    const c = this.map.getCanvas();
    return { bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], width: c.clientWidth, height: c.clientHeight };
  }

  addControl(control, position) {
    this.map.addControl(control, position);
  }
}

/** Loads the basemap tile under the map's centre; resolves whether it came. */
function probeTile(spec, map) {
  const z = Math.max(0, Math.min(spec.maxzoom ?? 19, Math.round(map.getZoom() + 1)));
  const n = 2 ** z;
  const c = map.getCenter();
  const x = Math.min(n - 1, Math.floor(((c.lng + 180) / 360) * n));
  const s = Math.sin((c.lat * Math.PI) / 180);
  const y = Math.min(n - 1, Math.max(0, Math.floor((0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * n)));
  const url = spec.tiles[0].replace("{z}", z).replace("{x}", x).replace("{y}", y).replace("{ratio}", devicePixelRatio > 1 ? "@2x" : "");
  return new Promise((resolve) => {
    const img = new Image();
    img.onload = () => resolve(true);
    img.onerror = () => resolve(false);
    img.src = url;
  });
}

/**
 * Room around fitted data: clear of everything drawn over the map that is showing now (the
 * settings panel, the results card or phone sheet, the map buttons, notices), plus a margin.
 */
export function fitPadding() {
  const margin = 24;
  const w = window.innerWidth;
  const h = window.innerHeight;
  const pad = { top: margin, bottom: margin, left: margin, right: margin };
  // Each map control on its own: the column's box is as wide as its widest control (the explorer
  // toggle), which on a phone would push the data into a strip at the left.
  const covers = ["#panel:not(.collapsed)", "#near:not([hidden])", "#activity:not([hidden])", ".maplibregl-ctrl-top-right > .maplibregl-ctrl", "#notices", "#panel-open:not([hidden])"];
  for (const el of document.querySelectorAll(covers.join(", "))) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    // Push the side the box is closest to, by as much as it reaches into the map.
    const room = { left: r.right, right: w - r.left, top: r.bottom, bottom: h - r.top };
    const side = Object.keys(room).reduce((a, b) => (room[a] <= room[b] ? a : b));
    pad[side] = Math.max(pad[side], room[side] + margin);
  }
  // A box so big the data would have no room is better overlapped than the data squeezed to a dot.
  if (pad.left + pad.right > w * 0.7) pad.left = pad.right = margin;
  if (pad.top + pad.bottom > h * 0.7) pad.top = pad.bottom = margin;
  return pad;
}

/** A one-button map control. */
export function buttonControl({ icon, label, onClick, id }) {
  return {
    onAdd() {
      const div = document.createElement("div");
      div.className = "maplibregl-ctrl maplibregl-ctrl-group";
      div.innerHTML = `<button type="button" id="${id}" aria-label="${label}" title="${label}"><svg class="icon ctrl-icon"><use href="#${icon}"/></svg></button>`;
      div.firstElementChild.addEventListener("click", onClick);
      return div;
    },
    onRemove() {},
  };
}
