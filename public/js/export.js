// "Export image": the current view rendered by the server's /render at a chosen size.
import { reason } from "./api.js";
import { $, setupDialog } from "./dom.js";
import { tileQuery } from "./state.js";

/** The server's bound on either side of a /render image. */
const MAX_SIDE = 3000;

export function setupExport({ heatmap, getState }) {
  const dialog = setupDialog($("export"));
  const width = $("export-width");
  const height = $("export-height");
  const link = $("export-link");
  const status = $("export-status");
  const preview = $("export-preview");
  let aspect = 1;
  let objectUrl = null;

  /** Fits the long side to `long` px, keeping the view's shape so nothing is stretched. */
  function size(long) {
    long = Math.min(MAX_SIDE, long);
    const [w, h] = aspect >= 1 ? [long, long / aspect] : [long * aspect, long];
    width.value = String(Math.max(1, Math.round(w)));
    height.value = String(Math.max(1, Math.round(h)));
  }
  width.addEventListener("input", () => (height.value = String(Math.max(1, Math.min(MAX_SIDE, Math.round(Number(width.value) / aspect))))));
  height.addEventListener("input", () => (width.value = String(Math.max(1, Math.min(MAX_SIDE, Math.round(Number(height.value) * aspect))))));
  for (const chip of dialog.querySelectorAll("[data-long]")) chip.addEventListener("click", () => size(Number(chip.dataset.long)));

  $("export-open").hidden = false;
  $("export-open").addEventListener("click", () => {
    const view = heatmap.viewBounds();
    aspect = view.width / view.height;
    size(Math.max(view.width, view.height) * Math.min(2, devicePixelRatio || 1));
    status.textContent = "";
    dialog.showModal();
  });

  $("export-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const { bounds } = heatmap.viewBounds();
    const q = tileQuery(getState(), { bounds: bounds.map((v) => v.toFixed(6)).join(","), width: width.value, height: height.value });
    status.textContent = "Rendering…";
    link.hidden = true;
    preview.hidden = true;
    $("export-go").disabled = true;
    try {
      const res = await fetch(`/render?${q}`);
      if (!res.ok) throw new Error(await reason(res));
      if (objectUrl) URL.revokeObjectURL(objectUrl);
      objectUrl = URL.createObjectURL(await res.blob());
      link.href = objectUrl;
      link.download = `hotpot-${width.value}x${height.value}.png`;
      link.hidden = false;
      preview.src = objectUrl;
      preview.hidden = false;
      status.textContent = `${width.value} × ${height.value} px, ready.`;
      link.focus();
    } catch (err) {
      status.textContent = `Could not render: ${err.message}`;
    } finally {
      $("export-go").disabled = false;
    }
  });
}
