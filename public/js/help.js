// The filter help: the language by example, and every property with its types and how many
// activities have it. Clicking an example or a property puts it into the filter field.
import * as api from "./api.js";
import { $, h, formatCount, setupDialog } from "./dom.js";

/** A property name as the filter language wants it: bare when it can be, quoted otherwise. */
const keyText = (key) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : JSON.stringify(key));

/** Most common first: those are the ones worth filtering on. */
const rows = (body) => body.properties.toSorted((a, b) => b.count - a.count || a.key.localeCompare(b.key));

export function setupHelp() {
  const dialog = setupDialog($("help"));
  const filter = $("filter");

  const use = (text) => {
    filter.value = text;
    dialog.close();
    filter.focus();
    // "change", as leaving the field does: an example is complete, so it applies at once.
    filter.dispatchEvent(new Event("change"));
  };
  for (const b of dialog.querySelectorAll(".example")) b.addEventListener("click", () => use(b.textContent));

  $("filter-help").addEventListener("click", async () => {
    dialog.showModal();
    const body = $("properties").tBodies[0];
    body.replaceChildren(h("tr", {}, h("td", { colspan: 3, class: "hint" }, "Loading…")));
    try {
      const props = rows(await api.properties());
      body.replaceChildren(
        ...(props.length
          ? props.map((p) =>
              h(
                "tr",
                {},
                h("th", { scope: "row" }, h("button", { type: "button", class: "link", title: "Use in the filter", onclick: () => use(`${filter.value.trim() ? filter.value.trim() + " && " : ""}has? ${keyText(p.key)}`) }, p.key)),
                h("td", {}, p.types.join(", ")),
                h("td", { class: "num" }, formatCount(p.count)),
              ),
            )
          : [h("tr", {}, h("td", { colspan: 3, class: "hint" }, "No properties yet: import some activities."))]),
      );
    } catch (err) {
      body.replaceChildren(h("tr", {}, h("td", { colspan: 3, class: "field-error" }, `Could not load the properties: ${err.message}`)));
    }
  });
}
