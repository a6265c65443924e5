// Explorer tiles: a map control to show them (off, zoom 14 or zoom 17), their layer above the heat,
// and a card with the numbers (explored, max square, max cluster) and the tiles gained per year.
// All of it follows the page's dates and filter.
import { getJson } from "./api.js";
import { formatCount, h } from "./dom.js";

const LAYER = "explorer";
const CHOICES = [
  ["", "Off"],
  ["14", "14"],
  ["17", "17"],
];

/**
 * `heatmap` is the page's Heatmap; `getQuery()` the filter query string; `getVersion()` the data
 * version (new data, new tile URLs); `onChoose(zoom)` records a choice ("" = off) in the page's state.
 */
export function setupExplorer({ heatmap, getQuery, getVersion, onChoose }) {
  const buttons = CHOICES.map(([zoom, label]) =>
    h("button", { type: "button", "data-explorer": zoom, "aria-pressed": "false", title: zoom ? `Explorer tiles at zoom ${zoom}` : "Hide explorer tiles", onclick: () => onChoose(zoom) }, label),
  );
  const card = h("section", { id: "explorer-card", class: "explorer-card", "aria-label": "Explorer tiles", "aria-live": "polite", hidden: true });
  heatmap.addControl(
    {
      onAdd: () => h("div", { class: "maplibregl-ctrl maplibregl-ctrl-group explorer-toggle", role: "group", "aria-label": "Explorer tiles" }, h("span", { class: "explorer-label" }, "Explorer"), buttons),
      onRemove() {},
    },
    "top-right",
  );
  document.body.append(card);

  let shown = "";
  let serial = 0;
  let controller = null;

  /** Shows explorer tiles at `zoom` ("" = none) for the current query. */
  async function show(zoom) {
    const mine = ++serial;
    // The layer goes below the overlays the map adds once loaded.
    await heatmap.ready;
    if (mine !== serial) return;
    for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.explorer === zoom));
    const map = heatmap.map;
    const query = [getQuery(), `zoom=${zoom}`].filter(Boolean).join("&");
    const template = `${location.origin}/explorer/{z}/{x}/{y}{ratio}?${query}&v=${getVersion()}`;
    if (map.getLayer(LAYER) && (zoom === "" || map.getSource(LAYER).tiles?.[0] !== template)) {
      map.removeLayer(LAYER);
      map.removeSource(LAYER);
    }
    if (zoom && !map.getLayer(LAYER)) {
      map.addSource(LAYER, { type: "raster", tiles: [template], tileSize: 512, maxzoom: 20 });
      map.addLayer({ id: LAYER, type: "raster", source: LAYER, paint: { "raster-fade-duration": 0 } }, "probe");
    } else if (zoom) {
      // A new heat layer goes in just below the overlays: keep the cells above it.
      map.moveLayer(LAYER, "probe");
    }
    shown = zoom;
    controller?.abort();
    if (!zoom) {
      card.hidden = true;
      return;
    }
    controller = new AbortController();
    try {
      const numbers = await getJson(`/api/explorer?${query}`, { signal: controller.signal });
      if (mine === serial) render(numbers);
    } catch (err) {
      if (err.name === "AbortError" || mine !== serial) return;
      card.replaceChildren(h("p", { class: "field-error" }, `Explorer tiles: ${err.message}`));
      card.hidden = false;
    }
  }

  function render(n) {
    const side = n.max_square.size;
    const squareText = side > 0 ? `${side} × ${side}` : "–";
    card.replaceChildren(
      h("h2", {}, `Explorer tiles · zoom ${n.zoom}`),
      h(
        "dl",
        { class: "explorer-numbers" },
        h("div", {}, h("dt", {}, "Explored"), h("dd", { id: "explorer-explored" }, formatCount(n.explored))),
        h("div", {}, h("dt", {}, "Max square"), h("dd", { id: "explorer-square" }, squareText)),
        h("div", {}, h("dt", {}, "Max cluster"), h("dd", { id: "explorer-cluster" }, formatCount(n.max_cluster.size))),
      ),
      side > 0 ? h("button", { type: "button", class: "small", id: "explorer-show-square", onclick: () => heatmap.fitBounds(squareBounds(n)) }, "Show max square") : null,
      yearChart(n.by_year),
    );
    card.hidden = false;
  }

  return {
    show,
    /** The filters or the data changed: the same zoom, new tiles and numbers. */
    refresh: () => shown && show(shown),
  };
}

/** [west, south, east, north] of the max square, from its tile numbers. */
function squareBounds({ zoom, max_square: { x, y, size } }) {
  const n = 2 ** zoom;
  const lng = (tx) => (tx / n) * 360 - 180;
  const lat = (ty) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * ty) / n))) * 180) / Math.PI;
  return [lng(x), lat(y + size), lng(x + size), lat(y)];
}

/** "Tiles gained per year": one bar a year, its count in a tooltip and for screen readers. */
function yearChart(byYear) {
  const years = Object.entries(byYear);
  if (years.length === 0) return h("p", { class: "hint" }, "No dated activities here.");
  const top = Math.max(...years.map(([, count]) => count));
  const svgNs = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNs, "svg");
  svg.setAttribute("viewBox", `0 0 ${years.length * 10} 40`);
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("class", "explorer-chart");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `Tiles gained per year: ${years.map(([y, c]) => `${y} ${c}`).join(", ")}`);
  years.forEach(([year, count], i) => {
    const height = Math.max(1, (count / top) * 40);
    const bar = document.createElementNS(svgNs, "rect");
    for (const [k, v] of Object.entries({ x: i * 10 + 1, y: 40 - height, width: 8, height, "data-year": year })) bar.setAttribute(k, String(v));
    const title = document.createElementNS(svgNs, "title");
    title.textContent = `${year}: ${formatCount(count)} tiles`;
    bar.append(title);
    svg.append(bar);
  });
  return h(
    "figure",
    { class: "explorer-years" },
    h("figcaption", {}, "Tiles gained per year"),
    svg,
    h("div", { class: "explorer-axis", "aria-hidden": "true" }, h("span", {}, years[0][0]), h("span", {}, years[years.length - 1][0])),
  );
}
