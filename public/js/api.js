// Calls to the hotpot server. Errors carry the server's one-line reason so fields can show it.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The server refuses with one line of plain text naming what is wrong. */
export async function reason(res) {
  return (await res.text()).trim() || res.statusText;
}

export async function getJson(path, { signal } = {}) {
  const res = await fetch(path, { signal, headers: { Accept: "application/json" } });
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

export const properties = () => getJson("/api/properties");

/** Activities passing near a point, newest first. */
export async function near(lat, lng, zoom, query, signal) {
  const q = `near=${lat.toFixed(6)},${lng.toFixed(6)}&zoom=${zoom.toFixed(2)}${query ? "&" + query : ""}`;
  return (await getJson(`/api/activities?${q}`, { signal })).activities;
}

export const track = (key) => getJson(`/api/activities/${encodeURIComponent(key)}.geojson`);

/** Posts files to /upload; resolves to { status, results } (one per file) or throws ApiError for a refused request. */
export async function upload(files, token) {
  const form = new FormData();
  for (const f of files) form.append("file", f, f.name);
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  const res = await fetch("/upload", { method: "POST", body: form, headers });
  const text = await res.text();
  const body = res.headers.get("content-type")?.startsWith("application/json") ? JSON.parse(text) : null;
  // 415 and 422 still carry per-file results: the only file was unsupported or unreadable.
  if (Array.isArray(body?.files)) return { status: res.status, results: body.files };
  throw new ApiError(res.status, text.trim() || res.statusText);
}
