// Notices over the map, outside the settings panel and sheet so they show even when it is folded:
// the server being unreachable, a link's unknown values, the basemap failing.
import { $, h } from "./dom.js";

/** Shows (or, with no message, removes) the notice `id`; `action` is { label, onClick }. */
export function notice(id, message, action) {
  const existing = document.querySelector(`#notices [data-id="${id}"]`);
  if (!message) return existing?.remove();
  const el = h(
    "div",
    { class: "notice", "data-id": id, role: id === "server" ? "alert" : "status" },
    h("span", {}, message),
    action ? h("button", { type: "button", class: "small", onclick: action.onClick }, action.label) : null,
    h("button", { type: "button", class: "icon-button small", "aria-label": "Dismiss", onclick: () => el.remove() }, "×"),
  );
  if (existing) existing.replaceWith(el);
  else $("notices").append(el);
}
