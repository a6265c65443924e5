// The settings panel: dates, the property filter (checked by the server as you type), the live
// activity count, mode and scale, basemap, opacity and the tile URL for other tools.
import * as api from "./api.js";
import { $, debounce, fieldError, formatCount, toast } from "./dom.js";
import { filterQuery, shareUrl } from "./state.js";

const iso = (d) => d.toISOString().slice(0, 10);

/** Date presets: [after, before] for the chips under the date fields. */
function range(name) {
  const now = new Date();
  const today = new Date(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()));
  const daysAgo = (n) => iso(new Date(today.getTime() - n * 86400000));
  switch (name) {
    case "year":
      return [`${now.getFullYear()}-01-01`, ""];
    case "12m":
      return [daysAgo(365), ""];
    case "30d":
      return [daysAgo(30), ""];
    default:
      return ["", ""];
  }
}

/**
 * `getState()` reads the current settings; `apply(change)` stores a change and redraws.
 * Filter and dates are applied only once the server accepts them, so a half-typed filter
 * never turns the map into a wall of failed tiles.
 */
export function setupPanel({ getState, apply }) {
  const filter = $("filter");
  const after = $("after");
  const before = $("before");
  let pending = null;

  /** Asks the server to count with the change; applies it if accepted. Resolves whether it was. */
  async function check(change) {
    pending?.abort();
    const controller = (pending = new AbortController());
    const candidate = { ...getState(), ...change };
    $("count").classList.add("busy");
    try {
      const n = await api.count(filterQuery(candidate), controller.signal);
      fieldError(filter, $("filter-error"), "");
      fieldError(after, $("date-error"), "");
      before.removeAttribute("aria-invalid");
      showCount(n);
      if (Object.keys(change).length) apply(change);
      return true;
    } catch (err) {
      if (err.name === "AbortError") return false;
      // The server names the parameter it rejects: dates say "after:"/"before:", the rest is the filter's.
      if (/^(after|before)\b/.test(err.message)) fieldError(/^before/.test(err.message) ? before : after, $("date-error"), err.message);
      else fieldError(filter, $("filter-error"), err.message);
      $("count").textContent = "–";
      return false;
    } finally {
      if (pending === controller) $("count").classList.remove("busy");
    }
  }

  function showCount(n) {
    $("count").textContent = `${formatCount(n)} ${n === 1 ? "activity" : "activities"}`;
  }

  filter.addEventListener("input", debounce(() => check({ filter: filter.value.trim() }), 350));
  // Enter applies at once instead of waiting for the debounce.
  filter.addEventListener("keydown", (e) => e.key === "Enter" && check({ filter: filter.value.trim() }));
  for (const input of [after, before]) input.addEventListener("change", () => check({ after: after.value, before: before.value }));
  for (const chip of document.querySelectorAll("[data-range]")) {
    chip.addEventListener("click", () => {
      [after.value, before.value] = range(chip.dataset.range);
      check({ after: after.value, before: before.value });
    });
  }

  const basemap = $("basemap");
  const custom = $("custom-url");
  basemap.addEventListener("change", () => {
    $("custom-wrap").hidden = basemap.value !== "custom";
    if (basemap.value !== "custom") apply({ basemap: basemap.value });
    else if (custom.value) applyCustom();
    else custom.focus();
  });
  function applyCustom() {
    const url = custom.value.trim();
    const ok = /^https?:\/\/.+/.test(url) && ["{z}", "{x}", "{y}"].every((t) => url.includes(t));
    fieldError(custom, $("custom-error"), ok || !url ? "" : "Expected an http(s) URL with {z}, {x} and {y}, e.g. https://tile.example.org/{z}/{x}/{y}.png");
    if (ok) apply({ basemap: "custom", custom: url });
  }
  custom.addEventListener("change", applyCustom);

  for (const key of ["mode", "scale"]) $(key).addEventListener("change", (e) => apply({ [key]: e.target.value }));
  $("opacity").addEventListener("input", (e) => apply({ opacity: Number(e.target.value) }));

  $("tile-copy").addEventListener("click", async () => {
    const field = $("tile-url");
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      // No clipboard API (plain http on another host): selecting lets the user copy by hand.
      field.select();
      document.execCommand("copy");
    }
    toast("Tile URL copied");
  });

  /** Shows the state's values in the fields (on load and when the hash changes). */
  function show(state) {
    filter.value = state.filter;
    after.value = state.after;
    before.value = state.before;
    basemap.value = state.basemap;
    custom.value = state.custom;
    $("custom-wrap").hidden = state.basemap !== "custom";
    $("mode").value = state.mode;
    $("scale").value = state.scale;
    $("opacity").value = String(state.opacity);
    $("tile-url").value = shareUrl(state);
  }

  /** Re-counts for the current settings, e.g. after an upload. */
  const recount = () => check({});
  return { show, recount };
}

/** Open and close on small screens, where the panel covers the map. */
export function setupPanelToggle({ onOpen }) {
  const panel = $("panel");
  const open = $("panel-open");
  const small = matchMedia("(max-width: 700px)");
  function set(expanded) {
    panel.classList.toggle("collapsed", !expanded);
    open.setAttribute("aria-expanded", String(expanded));
    open.hidden = expanded;
  }
  open.addEventListener("click", () => {
    set(true);
    onOpen();
    $("panel-close").focus();
  });
  $("panel-close").addEventListener("click", () => {
    set(false);
    open.focus();
  });
  panel.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !e.defaultPrevented) {
      set(false);
      open.focus();
    }
  });
  set(!small.matches);
  small.addEventListener("change", () => set(!small.matches));
}
