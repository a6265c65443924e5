// Uploads: a button and drag-and-drop anywhere for many files at once, with progress and each
// file's result. Files go in small batches so one request never nears the server's size limit.
import * as api from "./api.js";
import { $, h, setupDialog } from "./dom.js";
import { setToken, token as savedToken } from "./token.js";

/** Per request: well under the server's default 15 MB body limit, and few enough files to report progress often. */
const BATCH_BYTES = 8 * 1024 * 1024;
const BATCH_FILES = 20;

const LABELS = { added: "added", duplicate: "already there", skipped: "skipped", error: "failed" };
/** The importer's skip codes in words. */
const REASONS = {
  no_track_data: "no GPS track in the file",
  virtual: "virtual or indoor activity",
  unsupported: "not a GPX, TCX or FIT file",
};

function batches(files) {
  const out = [];
  let current = [];
  let bytes = 0;
  for (const f of files) {
    if (current.length && (bytes + f.size > BATCH_BYTES || current.length >= BATCH_FILES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(f);
    bytes += f.size;
  }
  if (current.length) out.push(current);
  return out;
}

/**
 * `needsToken`: the server said so up front; `onAdded()` runs once new activities are in;
 * `onShow(key)` opens an added activity on the map.
 */
export function setupUpload({ needsToken, onAdded, onShow }) {
  const dialog = setupDialog($("upload"));
  const input = $("files");
  const token = $("token");
  const progress = $("upload-progress");
  const summary = $("upload-summary");
  const results = $("upload-results");
  let queue = Promise.resolve();

  token.value = savedToken();
  $("token-wrap").hidden = !needsToken;
  token.addEventListener("change", () => setToken(token.value));

  $("upload-open").hidden = false;
  $("upload-open").addEventListener("click", () => dialog.showModal());
  input.addEventListener("change", () => {
    const files = [...input.files];
    input.value = "";
    send(files);
  });

  // Drag and drop anywhere on the page.
  const drop = $("drop");
  let depth = 0;
  const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes("Files");
  addEventListener("dragenter", (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth++;
    drop.hidden = false;
  });
  addEventListener("dragleave", () => {
    if (--depth <= 0) {
      depth = 0;
      drop.hidden = true;
    }
  });
  addEventListener("dragover", (e) => hasFiles(e) && e.preventDefault());
  addEventListener("drop", (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    drop.hidden = true;
    if (!dialog.open) dialog.showModal();
    send([...e.dataTransfer.files]);
  });

  // Touch screens have nothing to drag files from: say "choose" only.
  if (matchMedia("(pointer: coarse)").matches) $("drop-hint").textContent = "";

  function row(name, status, reason, key) {
    const show = key
      ? h("button", { type: "button", class: "small show", onclick: () => {
          dialog.close();
          onShow(key);
        } }, "Show on map")
      : null;
    return h("li", { class: `result ${status}` }, h("span", { class: "file", title: name }, name), h("span", { class: "status" }, LABELS[status] ?? status), reason ? h("span", { class: "reason" }, REASONS[reason] ?? reason) : null, show);
  }

  /** Uploads run one after another: a second drop waits for the first. */
  function send(files) {
    if (!files.length) return;
    queue = queue.then(() => run(files));
  }

  async function run(files) {
    const groups = batches(files);
    if (token.value) setToken(token.value);
    let done = 0;
    let added = 0;
    progress.hidden = false;
    progress.max = files.length;
    progress.value = 0;
    summary.textContent = `Uploading ${files.length} ${files.length === 1 ? "file" : "files"}…`;
    for (const [i, group] of groups.entries()) {
      try {
        const { results: answer } = await api.upload(group);
        for (const r of answer) {
          results.append(row(r.name ?? "?", r.status, r.reason, r.status === "added" || r.status === "duplicate" ? r.key : null));
          if (r.status === "added") added++;
        }
      } catch (err) {
        if (err.status === 401) {
          $("token-wrap").hidden = false;
          token.focus();
          const rest = groups.slice(i).flat();
          summary.textContent = token.value ? "Wrong upload token: nothing was added. Correct it, then choose the files again." : "This server needs an upload token: enter it, then choose the files again.";
          for (const f of rest) results.append(row(f.name, "error", "not sent: upload token needed"));
          break;
        }
        const why = err.status === 413 ? "too large for the server" : err.message;
        for (const f of group) results.append(row(f.name, "error", why));
      }
      done += group.length;
      progress.value = done;
      if (done === files.length) summary.textContent = `${done} ${done === 1 ? "file" : "files"} done, ${added} added.`;
    }
    progress.hidden = true;
    if (added) await onAdded();
  }
}
