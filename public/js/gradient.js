// Colour presets as bars, and an editor for custom gradients: stops of count (1-255) and colour,
// written as the server's `gradient` string "1:fc4a1a;10:f7b733;50:fdedce".
import { $, h, debounce, fieldError } from "./dom.js";

const HEX = /^([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

/** "1:f00;50:ffffff80" → [{ count, color: "#rrggbb", alpha: 0..1 }]; throws naming the bad stop. */
export function parseStops(text) {
  const stops = text
    .split(";")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((stop) => {
      const [count, color, ...rest] = stop.split(":").map((s) => s.trim());
      const n = Number(count);
      if (rest.length || !Number.isInteger(n) || n < 0 || n > 255 || !HEX.test(color ?? "")) {
        throw new Error(`bad stop "${stop}": expected COUNT:COLOR with COUNT 0-255 and COLOR as RGB, RRGGBB or RRGGBBAA`);
      }
      const hex = color.length === 3 ? [...color].map((c) => c + c).join("") : color;
      return { count: n, color: `#${hex.slice(0, 6).toLowerCase()}`, alpha: hex.length === 8 ? parseInt(hex.slice(6), 16) / 255 : 1 };
    });
  if (!stops.length) throw new Error("a gradient needs at least one stop, e.g. 1:ff0000;255:ffffff");
  for (let i = 1; i < stops.length; i++) {
    if (stops[i].count <= stops[i - 1].count) throw new Error(`bad stop ${stops[i].count}: counts must rise (after ${stops[i - 1].count})`);
  }
  return stops;
}

export function formatStops(stops) {
  return stops
    .map(({ count, color, alpha }) => {
      const a = Math.round(alpha * 255);
      return `${count}:${color.slice(1)}${a < 255 ? a.toString(16).padStart(2, "0") : ""}`;
    })
    .join(";");
}

/** Where a count sits on a bar: counts spread over a log scale, as the eye reads heat. */
export const position = (count) => (Math.log(Math.max(1, count)) / Math.log(255)) * 100;
const countAt = (percent) => Math.round(Math.exp((Math.max(0, Math.min(100, percent)) / 100) * Math.log(255)));

function rgba({ color, alpha }) {
  const v = parseInt(color.slice(1), 16);
  return `rgba(${v >> 16},${(v >> 8) & 255},${v & 255},${alpha.toFixed(3)})`;
}

/** A CSS background showing what counts 1-255 look like; transparent below the first stop. */
export function barBackground(stops) {
  const first = position(stops[0].count);
  const parts = [`transparent 0%`, `transparent ${first}%`];
  for (const s of stops) parts.push(`${rgba(s)} ${position(s.count)}%`);
  parts.push(`${rgba(stops[stops.length - 1])} 100%`);
  return `linear-gradient(to right, ${parts.join(", ")})`;
}

/** Interpolated colour at a count, for a new stop placed between two others. */
function colourAt(stops, count) {
  let i = stops.findIndex((s) => s.count > count);
  if (i <= 0) return { ...stops[i === 0 ? 0 : stops.length - 1] };
  const a = stops[i - 1];
  const b = stops[i];
  const t = (count - a.count) / (b.count - a.count);
  const va = parseInt(a.color.slice(1), 16);
  const vb = parseInt(b.color.slice(1), 16);
  const mix = (shift) => Math.round(((va >> shift) & 255) * (1 - t) + ((vb >> shift) & 255) * t);
  const color = `#${((mix(16) << 16) | (mix(8) << 8) | mix(0)).toString(16).padStart(6, "0")}`;
  return { count, color, alpha: a.alpha * (1 - t) + b.alpha * t };
}

/**
 * The colour section of the panel. `presets` maps names to stop strings (from /api/features);
 * `onChange({ color, gradient })` applies a choice; `defaultName()` is the preset that color ""
 * stands for (it depends on the basemap).
 */
export function setupGradients({ presets, state, onChange, defaultName: basemapDefault }) {
  const names = Object.keys(presets);
  const defaultName = () => (names.includes(basemapDefault?.()) ? basemapDefault() : names[0]);
  const group = $("presets");
  const editor = $("editor");
  const input = $("gradient");
  let stops = [];

  const choices = [...names, "custom"].map((name) => {
    const bar = h("span", { class: "bar" });
    if (name !== "custom") bar.style.background = `${barBackground(parseStops(presets[name]))}, var(--checker)`;
    const button = h("button", { type: "button", role: "radio", class: "preset", "data-name": name, onclick: () => choose(name) }, bar, h("span", { class: "name" }, name === "custom" ? "Custom…" : name));
    return button;
  });
  group.replaceChildren(...choices);
  const customBar = choices[choices.length - 1].querySelector(".bar");

  // Arrow keys move between presets, as in any radio group.
  group.addEventListener("keydown", (e) => {
    const i = choices.indexOf(document.activeElement);
    if (i < 0 || !["ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp"].includes(e.key)) return;
    e.preventDefault();
    const next = choices[(i + (e.key === "ArrowRight" || e.key === "ArrowDown" ? 1 : choices.length - 1)) % choices.length];
    next.focus();
    next.click();
  });

  const emit = debounce(() => onChange({ color: "", gradient: formatStops(stops) }), 150);

  function mark(name) {
    for (const c of choices) {
      const on = c.dataset.name === name;
      c.setAttribute("aria-checked", String(on));
      c.tabIndex = on ? 0 : -1;
    }
    editor.hidden = name !== "custom";
  }

  function choose(name) {
    if (name === "custom") {
      if (!stops.length) stops = parseStops(presets[state.color] ?? presets[defaultName()]);
      mark("custom");
      render();
      onChange({ color: "", gradient: formatStops(stops) });
    } else {
      mark(name);
      onChange({ color: name === defaultName() ? "" : name, gradient: "" });
    }
  }

  /** Redraws the bar, its handles and (unless typed there) the text field from `stops`. */
  function renderBar(typed = false) {
    const background = barBackground(stops);
    $("editor-bar").style.background = `${background}, var(--checker)`;
    customBar.style.background = `${background}, var(--checker)`;
    if (!typed) {
      input.value = formatStops(stops);
      fieldError(input, $("gradient-error"), "");
    }
    const track = $("editor-track");
    // Handles are updated in place while their number stays, so a drag keeps its element and focus.
    if (track.children.length !== stops.length) track.replaceChildren(...stops.map((_, i) => makeHandle(i)));
    stops.forEach((s, i) => {
      const handle = track.children[i];
      handle.style.left = `${position(s.count)}%`;
      handle.style.setProperty("--stop", s.color);
      handle.setAttribute("aria-valuenow", s.count);
      handle.title = `${s.count}`;
    });
  }

  function makeHandle(i) {
    const handle = h("button", { type: "button", class: "handle", role: "slider", "aria-label": `Stop ${i + 1} count`, "aria-valuemin": 1, "aria-valuemax": 255 });
    handle.addEventListener("pointerdown", (e) => drag(e, i));
    handle.addEventListener("keydown", (e) => nudge(e, i));
    return handle;
  }

  /** Rebuilds the list of stops; only after a stop is added, removed or moved, never while a picker is open. */
  function renderRows() {
    $("stops").replaceChildren(
      ...stops.map((s, i) =>
        h(
          "li",
          { class: "stop" },
          h("label", {}, h("span", { class: "sr-only" }, `Stop ${i + 1} count`), numberInput(s.count, 1, 255, (v) => setCount(i, v))),
          h("label", {}, h("span", { class: "sr-only" }, `Stop ${i + 1} colour`), colourInput(s.color, (v) => update(i, { color: v }))),
          h("label", { class: "alpha" }, h("span", { class: "sr-only" }, `Stop ${i + 1} opacity in percent`), numberInput(Math.round(s.alpha * 100), 0, 100, (v) => update(i, { alpha: v / 100 })), "%"),
          h("button", { type: "button", class: "icon-button", "aria-label": `Remove stop ${i + 1}`, disabled: stops.length < 2, onclick: () => remove(i) }, icon("i-trash")),
        ),
      ),
    );
  }

  function render() {
    renderBar();
    renderRows();
  }

  function update(i, change) {
    stops[i] = { ...stops[i], ...change };
    renderBar();
    emit();
  }

  /** Moves a stop, keeping counts strictly rising so the string stays valid. */
  function setCount(i, value) {
    const lo = i > 0 ? stops[i - 1].count + 1 : 1;
    const hi = i < stops.length - 1 ? stops[i + 1].count - 1 : 255;
    const count = Math.max(lo, Math.min(hi, Math.round(value)));
    const field = $("stops").children[i]?.querySelector("input[type=number]");
    if (field) field.value = count;
    if (count === stops[i].count) return;
    stops[i] = { ...stops[i], count };
    renderBar();
    emit();
  }

  function remove(i) {
    stops.splice(i, 1);
    render();
    emit();
  }

  function drag(e, i) {
    const track = $("editor-track");
    const handle = e.currentTarget;
    handle.setPointerCapture(e.pointerId);
    const move = (ev) => {
      const r = track.getBoundingClientRect();
      setCount(i, countAt(((ev.clientX - r.left) / r.width) * 100));
    };
    const up = () => {
      document.removeEventListener("pointermove", move);
      document.removeEventListener("pointerup", up);
    };
    document.addEventListener("pointermove", move);
    document.addEventListener("pointerup", up);
  }

  function nudge(e, i) {
    const step = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 10, PageDown: -10 }[e.key];
    if (!step) return;
    e.preventDefault();
    setCount(i, stops[i].count + step);
  }

  $("stop-add").addEventListener("click", () => {
    // Halfway (on the bar's log scale) across the widest gap, or past the last stop.
    const edges = [1, ...stops.map((s) => s.count), 255];
    let best = 0;
    for (let k = 1; k < edges.length; k++) if (position(edges[k]) - position(edges[k - 1]) > position(edges[best + 1]) - position(edges[best])) best = k - 1;
    const count = countAt((position(edges[best]) + position(edges[best + 1])) / 2);
    if (stops.some((s) => s.count === count)) return;
    stops.push(colourAt(stops, count));
    stops.sort((a, b) => a.count - b.count);
    render();
    emit();
  });

  input.addEventListener(
    "input",
    debounce(() => {
      try {
        stops = parseStops(input.value);
      } catch (err) {
        fieldError(input, $("gradient-error"), err.message);
        return;
      }
      fieldError(input, $("gradient-error"), "");
      renderBar(true);
      renderRows();
      onChange({ color: "", gradient: formatStops(stops) });
    }, 300),
  );

  /** Shows the state's choice (on load and after the hash changes). */
  function show(s) {
    if (s.gradient) {
      try {
        stops = parseStops(s.gradient);
      } catch {
        stops = parseStops(presets[names[0]]);
      }
      mark("custom");
      render();
    } else {
      mark(names.includes(s.color) ? s.color : defaultName());
    }
  }
  show(state);
  return { show };
}

function numberInput(value, min, max, onChange) {
  const el = h("input", { type: "number", min, max, step: 1, value, inputmode: "numeric" });
  el.addEventListener("change", () => {
    const v = Number(el.value);
    if (Number.isFinite(v)) onChange(Math.max(min, Math.min(max, v)));
  });
  return el;
}

function colourInput(value, onChange) {
  const el = h("input", { type: "color", value });
  el.addEventListener("input", () => onChange(el.value));
  return el;
}

function icon(id) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "icon");
  const use = document.createElementNS("http://www.w3.org/2000/svg", "use");
  use.setAttribute("href", `#${id}`);
  svg.append(use);
  return svg;
}
