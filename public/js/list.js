// Every matching activity in a searchable, sortable list; choosing one opens its card on the map.
import { dateFormat, km, typeOf } from "./activity.js";
import * as api from "./api.js";
import { $, formatCount, h, setupDialog } from "./dom.js";

/** Rows shown at once; "Show more" adds as many again, so thousands never build at once. */
const PAGE = 200;
/** The server's largest page of /api/activities. */
const FETCH = 1000;

const number = (p, key) => (typeof p[key] === "number" ? p[key] : null);
/** Sort keys: a value per activity and the direction people expect first. */
const SORTS = {
  date: { value: (a) => a.start_time ?? "", descending: true },
  title: { value: (a) => (a.title ?? "").toLowerCase(), descending: false },
  type: { value: (a) => typeOf(a.properties).toLowerCase(), descending: false },
  distance: { value: (a) => number(a.properties, "total_distance") ?? -1, descending: true },
  elevation: { value: (a) => number(a.properties, "elevation_gain") ?? -1, descending: true },
};

/** `getQuery()` is the current filters, `getVersion()` the data version; `onChoose(key)` opens an activity. */
export function setupList({ getQuery, getVersion, onChoose }) {
  const dialog = setupDialog($("list"));
  const search = $("list-search");
  const sort = $("list-sort");
  const rows = $("list-rows");
  let all = null; // { stamp: filters and data version it was read at, activities }
  let shown = PAGE;

  $("list-open").addEventListener("click", async () => {
    dialog.showModal();
    search.focus();
    const query = getQuery();
    const stamp = `${query}|${getVersion()}`;
    if (all?.stamp !== stamp) {
      all = null;
      $("list-status").textContent = "Loading…";
      rows.replaceChildren();
      try {
        all = { stamp, activities: await fetchAll(query) };
      } catch (err) {
        $("list-status").textContent = `Could not list activities: ${err.message}`;
        return;
      }
    }
    shown = PAGE;
    render();
  });
  search.addEventListener("input", () => {
    shown = PAGE;
    render();
  });
  sort.addEventListener("change", render);
  $("list-more").addEventListener("click", () => {
    shown += PAGE;
    render();
  });

  /** Every matching activity, in pages of the server's largest size. */
  async function fetchAll(query) {
    const out = [];
    for (let offset = 0; ; offset += FETCH) {
      const page = await api.getJson(`/api/activities?limit=${FETCH}&offset=${offset}${query ? "&" + query : ""}`);
      out.push(...page.activities);
      if (out.length >= page.total || page.activities.length === 0) return out;
    }
  }

  function render() {
    if (!all) return;
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    const text = (a) => `${a.title ?? ""} ${typeOf(a.properties)} ${a.start_time?.slice(0, 10) ?? ""}`.toLowerCase();
    const found = all.activities.filter((a) => words.every((w) => text(a).includes(w)));
    const { value, descending } = SORTS[sort.value];
    found.sort((a, b) => {
      const [x, y] = [value(a), value(b)];
      return (x < y ? -1 : x > y ? 1 : 0) * (descending ? -1 : 1);
    });
    $("list-status").textContent = `${formatCount(found.length)} of ${formatCount(all.activities.length)} ${all.activities.length === 1 ? "activity" : "activities"}`;
    rows.replaceChildren(...found.slice(0, shown).map(row));
    $("list-more").hidden = found.length <= shown;
  }

  function row(a) {
    const p = a.properties;
    const gain = number(p, "elevation_gain");
    const button = h(
      "button",
      { type: "button", class: "near-item" },
      h("span", { class: "title" }, a.title || "Untitled activity"),
      h("span", { class: "meta" }, [a.start_time ? dateFormat.format(new Date(a.start_time)) : "no date", typeOf(p), km(p), gain === null ? "" : `${Math.round(gain)} m up`].filter(Boolean).join(" · ")),
    );
    button.addEventListener("click", () => {
      dialog.close();
      onChoose(a.key);
    });
    return h("li", {}, button);
  }
}
