// Calls to the hotpot server. Errors carry the server's one-line reason so fields can show it;
// a server that cannot be reached at all is an ApiError with status 0, told apart by `unreachable`.
import { authHeaders } from "./token.js";

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }

  get unreachable() {
    return this.status === 0;
  }
}

/** Listeners told whether the last call reached the server: the page shows an outage from them. */
const reachListeners = new Set();
export const onReach = (fn) => reachListeners.add(fn);
const reached = (ok) => reachListeners.forEach((fn) => fn(ok));

/** fetch with the owner's token; a network failure (server down, offline) becomes ApiError 0. */
export async function call(path, init = {}) {
  let res;
  try {
    res = await fetch(path, { ...init, headers: { ...authHeaders(), ...init.headers } });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    reached(false);
    throw new ApiError(0, "the hotpot server cannot be reached");
  }
  reached(true);
  return res;
}

/** The server refuses with one line of plain text naming what is wrong. */
export async function reason(res) {
  return (await res.text()).trim() || res.statusText;
}

export async function getJson(path, { signal } = {}) {
  // Accept: JSON also keeps /api/activity-count answering {"count"} rather than a bare number.
  const res = await call(path, { signal, headers: { Accept: "application/json" } });
  if (!res.ok) throw new ApiError(res.status, await reason(res));
  return res.json();
}

/** What this server offers: { upload, token, render, version, gradients }. */
export const features = () => getJson("/api/features");

export async function count(query, signal) {
  return (await getJson(`/api/activity-count?${query}`, { signal })).count;
}

/** [west, south, east, north], or null when nothing matches. */
export async function bounds(query, signal) {
  return (await getJson(`/api/bounds?${query}`, { signal })).bounds;
}

/** [west, south, east, north] around where most of the matching activity is, or null. */
export async function home(query, signal) {
  return (await getJson(`/api/home?${query}`, { signal })).bounds;
}

export const properties = () => getJson("/api/properties");

/** Activity types and years with their counts, for the quick filter chips. */
export const facets = () => getJson("/api/facets");

/** Activities passing near a point, newest first. */
export async function near(lat, lng, zoom, query, signal) {
  const q = `near=${lat.toFixed(6)},${lng.toFixed(6)}&zoom=${zoom.toFixed(2)}${query ? "&" + query : ""}`;
  return (await getJson(`/api/activities?${q}`, { signal })).activities;
}

/** The track as a GeoJSON Feature whose properties are the activity's (key, title, start_time, …). */
export const track = (key) => getJson(`/api/activities/${encodeURIComponent(key)}.geojson`);

/** Deletes an activity (needs the owner's token when the server has one). */
export async function deleteActivity(key) {
  const res = await call(`/api/activities/${encodeURIComponent(key)}`, { method: "DELETE" });
  if (!res.ok) throw new ApiError(res.status, await reason(res));
}

/** Posts files to /upload; resolves to { status, results } (one per file) or throws ApiError for a refused request. */
export async function upload(files) {
  const form = new FormData();
  for (const f of files) form.append("file", f, f.name);
  const res = await call("/upload", { method: "POST", body: form });
  const text = await res.text();
  const body = res.headers.get("content-type")?.startsWith("application/json") ? JSON.parse(text) : null;
  // 415 and 422 still carry per-file results: the only file was unsupported or unreadable.
  if (Array.isArray(body?.files)) return { status: res.status, results: body.files };
  throw new ApiError(res.status, text.trim() || res.statusText);
}
