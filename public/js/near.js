// "Which activities went here": a click on the heat lists the activities passing near that
// point; choosing one opens its card (activity.js) with its track drawn on top.
import { dateFormat, km, typeOf } from "./activity.js";
import * as api from "./api.js";
import { $, h } from "./dom.js";

/** `activity` is the card (activity.js); `onClose` gives keyboard focus back to the map. */
export function setupNear({ heatmap, activity, getQuery, onClose }) {
  const panel = $("near");
  const list = $("near-list");
  const status = $("near-status");
  let controller = null;

  function close() {
    controller?.abort();
    panel.hidden = true;
    heatmap.showProbe(null);
  }
  $("near-close").addEventListener("click", () => {
    close();
    onClose();
  });
  // Escape closes the list from anywhere but the settings panel and dialogs, and returns to the map.
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || e.target.closest?.("#panel, dialog")) return;
    if (!panel.hidden) {
      close();
      onClose();
    } else if (!$("activity").hidden) {
      activity.close();
      onClose();
    }
  });

  async function lookup(lngLat, zoom, { focus = false } = {}) {
    controller?.abort();
    controller = new AbortController();
    heatmap.showProbe(lngLat);
    activity.close();
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
      ? `${found.length}${found.length >= 200 ? "+" : ""} ${found.length === 1 ? "activity passes" : "activities pass"} here. Choose one to see it.`
      : "No activity passes here. Choose a place on the heat.";
    list.replaceChildren(...found.map(item));
    // From the keyboard, the results are where to go next, not 28 Tabs away.
    if (focus) (list.querySelector("button") ?? $("near-close")).focus();
  }

  function item(a) {
    const when = a.start_time ? dateFormat.format(new Date(a.start_time)) : "no date";
    const button = h(
      "button",
      { type: "button", class: "near-item" },
      h("span", { class: "title" }, a.title || "Untitled activity"),
      h("span", { class: "meta" }, [when, km(a.properties), typeOf(a.properties)].filter(Boolean).join(" · ")),
    );
    button.addEventListener("click", () => {
      panel.hidden = true;
      activity.show(a.key, {
        from: () => {
          panel.hidden = false;
          button.focus();
        },
      });
    });
    return h("li", {}, button);
  }

  return { lookup, close };
}
