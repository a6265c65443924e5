// The settings panel: dates, the property filter (checked by the server as you type), the live
// activity count, mode and scale, basemap, opacity and the tile URL for other tools.
import * as api from "./api.js";
import { $, debounce, fieldError, formatCount, toast } from "./dom.js";
import { filterQuery, isDate, shareUrl } from "./state.js";

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
 * Whether the filter text ends on a complete token: a space or a closing bracket or quote after
 * it. Typing `activity_type = ri` must not fetch tiles for "ri" on its way to "ride"; Enter and
 * leaving the field apply whatever is there.
 */
export function endsComplete(text) {
  if (text.trim() === "") return true;
  const quotes = (text.match(/(?<!\\)"/g) ?? []).length;
  return quotes % 2 === 0 && /[\s)\]"]$/.test(text);
}

/** A date field's value is usable once it is a real day from 1900 on (typing 2020 passes 0002, 0020, 0202). */
const completeDate = (v) => v === "" || (isDate(v) && v >= "1900");

/** Property names a filter mentions: before a comparison, after `has?`. */
export function filterKeys(text) {
  const keys = new Set();
  const key = String.raw`("(?:[^"\\]|\\.)*"|[A-Za-z_][\w.]*)`;
  for (const m of text.matchAll(new RegExp(`${key}\\s*(?:==|!=|<=|>=|=|<|>|\\bin\\b|\\blike\\b)`, "g"))) keys.add(unquote(m[1]));
  for (const m of text.matchAll(new RegExp(`has\\?\\s*${key}`, "g"))) keys.add(unquote(m[1]));
  return [...keys];
}
const unquote = (k) => (k.startsWith('"') ? JSON.parse(k) : k);

/**
 * `getState()` reads the current settings; `apply(change)` stores a change and redraws.
 * Filter and dates are applied only once the server accepts them, so a half-typed filter
 * never turns the map into a wall of failed tiles.
 */
export function setupPanel({ getState, apply, onLeave = () => {} }) {
  const filter = $("filter");
  const after = $("after");
  const before = $("before");
  let pending = null;
  let known = null; // property names, fetched once when a filter matches nothing

  /** Asks the server to count with the change; applies it if accepted. Resolves whether it was. */
  async function check(change) {
    pending?.abort();
    const controller = (pending = new AbortController());
    const candidate = { ...getState(), ...change };
    if (candidate.after && candidate.before && candidate.after >= candidate.before) {
      fieldError(before, $("date-error"), `“Until” (${candidate.before}) is not after “From” (${candidate.after}): no day lies between them.`);
      $("count").textContent = "–";
      return false;
    }
    $("count").classList.add("busy");
    try {
      const n = await api.count(filterQuery(candidate), controller.signal);
      fieldError(filter, $("filter-error"), "");
      fieldError(after, $("date-error"), "");
      before.removeAttribute("aria-invalid");
      showCount(n);
      if (Object.keys(change).length) apply(change);
      if (n === 0) explainEmpty(candidate, controller.signal);
      return true;
    } catch (err) {
      if (err.name === "AbortError") return false;
      // The server could not be reached: that is the outage notice's to say, not the field's.
      if (err.unreachable) {
        $("count").textContent = "–";
        return !Object.keys(change).length;
      }
      // The server names the parameter it rejects: dates say "after:"/"before:", the rest is the filter's.
      if (/^(after|before)\b/.test(err.message)) fieldError(/^before/.test(err.message) ? before : after, $("date-error"), err.message);
      else fieldError(filter, $("filter-error"), err.message);
      $("count").textContent = "–";
      return false;
    } finally {
      if (pending === controller) $("count").classList.remove("busy");
    }
  }

  /** Nothing matches: say why at the field that causes it, if it is a misspelt property or the dates. */
  async function explainEmpty(candidate, signal) {
    try {
      if (candidate.filter) {
        known ??= new Set((await api.properties()).properties.map((p) => p.key).concat(["name", "title"]));
        const unknown = filterKeys(candidate.filter).filter((k) => !known.has(k));
        if (signal.aborted) return;
        if (unknown.length) {
          const names = unknown.map((k) => `“${k}”`).join(", ");
          return fieldError(filter, $("filter-error"), `No activity has the propert${unknown.length === 1 ? "y" : "ies"} ${names}: see ? for the list.`);
        }
      }
      if (candidate.after || candidate.before) {
        const withoutDates = await api.count(filterQuery({ ...candidate, after: "", before: "" }), signal);
        if (withoutDates > 0) {
          fieldError(after, $("date-error"), `No activity between these dates; ${formatCount(withoutDates)} match at other times.`);
          after.removeAttribute("aria-invalid");
        }
      }
    } catch {
      // Only an explanation: the count already shows 0.
    }
  }

  function showCount(n) {
    $("count").textContent = `${formatCount(n)} ${n === 1 ? "activity" : "activities"}`;
  }

  const applyFilter = () => {
    if (filter.value.trim() !== getState().filter) check({ filter: filter.value.trim() });
  };
  filter.addEventListener(
    "input",
    debounce(() => endsComplete(filter.value) && applyFilter(), 350),
  );
  filter.addEventListener("change", applyFilter);
  filter.addEventListener("keydown", (e) => {
    // Enter applies at once, complete or not.
    if (e.key === "Enter") check({ filter: filter.value.trim() });
    // Escape drops an edit not yet applied; with none, it leaves the field for the map.
    if (e.key === "Escape") {
      e.preventDefault();
      if (filter.value.trim() !== getState().filter) {
        filter.value = getState().filter;
        fieldError(filter, $("filter-error"), "");
      } else onLeave();
    }
  });
  for (const input of [after, before]) {
    input.addEventListener("change", () => completeDate(input.value) && check({ after: after.value, before: before.value }));
    input.addEventListener("blur", () => {
      if (!completeDate(input.value)) fieldError(input, $("date-error"), `Expected a day from 1900 on, e.g. 2023-04-01.`);
    });
    input.addEventListener("keydown", (e) => {
      if (e.key !== "Escape") return;
      e.preventDefault();
      onLeave();
    });
  }
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
    $("tile-size").value = state.size;
    $("tile-url").value = shareUrl(state);
  }

  /** Re-counts for the current settings, e.g. after an upload. */
  const recount = () => check({});
  return { show, recount, check };
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
  // Escape folds the phone's sheet from its buttons; fields handle their own Escape, and on a
  // wide screen the panel never hides by itself.
  panel.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !e.defaultPrevented && small.matches && !e.target.matches("input, select, textarea")) {
      set(false);
      open.focus();
    }
  });
  set(!small.matches);
  small.addEventListener("change", () => set(!small.matches));
  setupGrip(panel, $("sheet-grip"));
  // On a phone the sheet and an activity's card would cover the whole map between them.
  return { foldOnPhone: () => small.matches && set(false) };
}

/** The phone sheet's grip: drag (or arrow keys) between a quarter and nine tenths of the screen. */
function setupGrip(panel, grip) {
  const clamp = (px) => Math.min(innerHeight * 0.9, Math.max(innerHeight * 0.25, px));
  // On the root, so the notices below the sheet follow it too.
  const setHeight = (px) => document.documentElement.style.setProperty("--sheet", `${Math.round(clamp(px))}px`);
  grip.addEventListener("pointerdown", (e) => {
    grip.setPointerCapture(e.pointerId);
    const move = (m) => setHeight(m.clientY - panel.getBoundingClientRect().top);
    grip.addEventListener("pointermove", move);
    grip.addEventListener("pointerup", () => grip.removeEventListener("pointermove", move), { once: true });
  });
  grip.addEventListener("keydown", (e) => {
    const step = { ArrowUp: -40, ArrowDown: 40 }[e.key];
    if (!step) return;
    e.preventDefault();
    setHeight(panel.getBoundingClientRect().height + step);
  });
}
