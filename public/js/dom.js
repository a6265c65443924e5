// Small DOM helpers shared by the page's modules.

export const $ = (id) => document.getElementById(id);

/** Builds an element: h("li", { class: "x", onclick: fn }, "text", child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** Shows or clears a message under a field and marks the field invalid for screen readers. */
export function fieldError(input, box, message) {
  box.textContent = message || "";
  box.hidden = !message;
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
  // In the phone's half-height sheet the field is often at its foot, with the message below the fold.
  if (message) box.scrollIntoView({ block: "nearest" });
}

let toastTimer;
/** A short message at the bottom of the screen. */
export function toast(message, ms = 2500) {
  const el = $("toast");
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), ms);
}

/** Wires a <dialog>: its [data-close] buttons and a click on the backdrop close it (Esc is native). */
export function setupDialog(dialog) {
  for (const b of dialog.querySelectorAll("[data-close]")) b.addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (e) => {
    if (e.target === dialog) dialog.close();
  });
  return dialog;
}

const numberFormat = new Intl.NumberFormat();
export const formatCount = (n) => numberFormat.format(n);
