// Quick filters from the data: a chip per sport (its spellings grouped: Ride, ride, cycling and
// Biking are one chip) and per year, with counts from /api/facets. A chip writes the filter or
// the dates it stands for, so the filter language stays in view for everything else.
import * as api from "./api.js";
import { $, formatCount, h } from "./dom.js";

/** Spellings of one sport, by their letters only ("Road_Biking" → "roadbiking"). */
const SPORTS = {
  Ride: ["ride", "cycling", "biking", "bike", "roadbiking", "roadcycling", "gravelride", "mountainbikeride", "mountainbiking", "ebikeride", "ebiking", "velomobile"],
  Run: ["run", "running", "trailrun", "trailrunning", "treadmillrunning"],
  Walk: ["walk", "walking"],
  Hike: ["hike", "hiking"],
  Swim: ["swim", "swimming", "openwaterswimming"],
  Ski: ["alpineski", "backcountryski", "nordicski", "skiing", "crosscountryskiing", "cross_country_skiing"],
};
const letters = (s) => s.toLowerCase().replace(/[^a-z]/g, "");
const SPORT_OF = new Map(Object.entries(SPORTS).flatMap(([sport, names]) => names.map((n) => [n, sport])));

/** The filter value for a word: bare when the filter language allows it, quoted otherwise. */
const word = (s) => (/^[A-Za-z_][A-Za-z0-9_.]*$/.test(s) ? s : JSON.stringify(s));

/** Facet types → [{ label, values, count }], biggest first; a type no sport claims is its own group. */
export function groupTypes(types) {
  const groups = new Map();
  for (const { value, count } of types) {
    const label = SPORT_OF.get(letters(value)) ?? value;
    const g = groups.get(label) ?? { label, values: [], count: 0 };
    g.values.push(value);
    g.count += count;
    groups.set(label, g);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

/** The filter a set of groups stands for ("" for none). Text comparisons ignore case, so one spelling per case-fold is enough. */
export function typeFilter(groups) {
  const values = [...new Set(groups.flatMap((g) => g.values.map((v) => v.toLowerCase())))].sort();
  if (values.length === 0) return "";
  return values.length === 1 ? `activity_type = ${word(values[0])}` : `activity_type in [${values.map(word).join(", ")}]`;
}

/**
 * `getState()` reads the settings; `check(change)` applies a change the way the panel's fields
 * do (checked by the server first). Chips show pressed when the settings are what they stand for.
 */
export function setupChips({ getState, check }) {
  const typesBox = $("type-chips");
  const yearsBox = $("year-chips");
  let groups = [];

  async function load() {
    let facets;
    try {
      facets = await api.facets();
    } catch {
      return; // an older server, or none: the filter field still works
    }
    groups = groupTypes(facets.types);
    typesBox.replaceChildren(...groups.map((g) => chip(g.label, g.count, `activity_type: ${g.values.join(", ")}`, () => toggleType(g))));
    yearsBox.replaceChildren(...facets.years.map(({ year, count }) => chip(String(year), count, `activities started in ${year}`, () => toggleYear(year))));
    $("quick").hidden = groups.length === 0 && facets.years.length === 0;
    show();
  }

  function chip(label, count, title, onclick) {
    return h("button", { type: "button", "aria-pressed": "false", title, "data-label": label, onclick }, label, h("span", { class: "chip-count" }, formatCount(count)));
  }

  const chosenGroups = () => groups.filter((g) => typeFilter([g]) !== "" && isPressed(typesBox, g.label));
  const isPressed = (box, label) => box.querySelector(`[data-label="${CSS.escape(label)}"]`)?.getAttribute("aria-pressed") === "true";

  /** Applies the change like the fields do, then shows it in them. */
  async function set(change) {
    if (!(await check(change))) return;
    for (const [key, value] of Object.entries(change)) $(key).value = value;
  }

  function toggleType(g) {
    const chosen = isPressed(typesBox, g.label) ? chosenGroups().filter((c) => c !== g) : [...chosenGroups(), g];
    set({ filter: typeFilter(chosen) });
  }

  function toggleYear(year) {
    const { after, before } = getState();
    const same = after === `${year}-01-01` && before === `${year + 1}-01-01`;
    set(same ? { after: "", before: "" } : { after: `${year}-01-01`, before: `${year + 1}-01-01` });
  }

  /** Marks the chips the current settings match: a type chip when the filter is exactly a set of chips. */
  function show() {
    const { filter, after, before } = getState();
    const match = findGroups(filter);
    for (const b of typesBox.children) b.setAttribute("aria-pressed", String(match.has(b.dataset.label)));
    for (const b of yearsBox.children) {
      const y = Number(b.dataset.label);
      b.setAttribute("aria-pressed", String(after === `${y}-01-01` && before === `${y + 1}-01-01`));
    }
  }

  /** The smallest set of groups whose filter is exactly `filter` (greedy over the groups, fine for a handful). */
  function findGroups(filter) {
    const found = new Set();
    if (!filter) return found;
    const values = new Set((/^activity_type (?:= (.+)|in \[(.+)\])$/.exec(filter)?.slice(1).find(Boolean) ?? "").split(", ").map((v) => (v.startsWith('"') ? JSON.parse(v) : v)));
    for (const g of groups) if (g.values.every((v) => values.has(v.toLowerCase()))) found.add(g.label);
    return typeFilter(groups.filter((g) => found.has(g.label))) === filter ? found : new Set();
  }

  return { load, show };
}
