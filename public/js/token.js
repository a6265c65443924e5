// The owner's token (HOTPOT_UPLOAD_TOKEN): asked for once, kept in this browser, and sent as
// `Authorization: Bearer` on every API call, so private data shows and writes are allowed.
import { $, setupDialog } from "./dom.js";

const KEY = "hotpot.uploadToken";

export const token = () => localStorage.getItem(KEY) ?? "";

export function setToken(value) {
  if (value) localStorage.setItem(KEY, value);
  else localStorage.removeItem(KEY);
}

/** Headers that carry the token, if there is one. */
export function authHeaders() {
  const t = token();
  return t ? { Authorization: `Bearer ${t}` } : {};
}

/** Asks for the token in a dialog saying why; resolves to it, or null when the user cancels. */
export function askToken(why) {
  const dialog = setupOnce();
  $("token-why").textContent = why;
  $("token-ask").value = token();
  dialog.returnValue = "";
  dialog.showModal();
  $("token-ask").select();
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        const value = $("token-ask").value.trim();
        if (dialog.returnValue !== "ok" || !value) return resolve(null);
        setToken(value);
        resolve(value);
      },
      { once: true },
    );
  });
}

let wired = null;
function setupOnce() {
  wired ??= setupDialog($("token-dialog"));
  return wired;
}
