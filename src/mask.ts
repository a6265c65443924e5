/**
 * Privacy masks: circles on the ground inside which nothing is drawn. They are
 * applied to the finished count buffer, so they hold at every zoom and size
 * and a change takes effect at once without touching stored geometry.
 *
 * A pixel is cleared when any part of it lies inside a circle; a pixel wholly
 * outside is left alone. Row by row, the circle's chord is found from the
 * ground distance at that row's latitude (Web Mercator stretches the circle
 * more towards the pole), so the edge is right to the pixel at any latitude.
 *
 * One rule decides "inside" everywhere (the map's pixels here, and the points
 * and lines the API lists: near.ts, geojson.ts, bounds): a point is inside when
 * its ground distance from the centre, by geo.ts on geo.ts's sphere, is at
 * most the radius.
 */
import { HotpotError } from "./errors.ts";
import { EARTH_RADIUS_M, groundDistance, metresPerWorldUnit } from "./geo.ts";
import type { PixelView } from "./raster.ts";
import { latToY, lngToX, MAX_LAT } from "./tile.ts";
import type { Mask } from "./types.ts";

/** Default radius of `hotpot mask add` (metres): a home and its street. */
export const DEFAULT_MASK_RADIUS_M = 500;
/** Larger circles are more likely a typo (km for m) than a wish to hide a whole region. */
export const MAX_MASK_RADIUS_M = 50_000;
const MAX_NAME_LENGTH = 64;

/** `LAT,LNG` in decimal degrees. */
export function parseLatLng(text: string, parameter = "latlng"): { lat: number; lng: number } {
  const m = /^\s*([-+]?\d+(?:\.\d*)?|[-+]?\.\d+)\s*,\s*([-+]?\d+(?:\.\d*)?|[-+]?\.\d+)\s*$/.exec(text);
  if (!m) throw new HotpotError("bad_argument", `${parameter}: expected LAT,LNG in decimal degrees (e.g. 52.52,13.405), found '${text}'`);
  return { lat: +m[1], lng: +m[2] };
}

/** A mask with its name, centre and radius checked; the error names the field. */
export function validateMask(mask: Mask): Mask {
  const { name, lat, lng, radius } = mask;
  if (!name || name.length > MAX_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new HotpotError("bad_argument", `mask name: expected 1 to ${MAX_NAME_LENGTH} printable characters, found '${name}'`);
  }
  if (!Number.isFinite(lat) || Math.abs(lat) > MAX_LAT) {
    throw new HotpotError("bad_argument", `latitude: expected -${MAX_LAT.toFixed(2)} to ${MAX_LAT.toFixed(2)} (the Web Mercator map's extent), found ${lat}`);
  }
  if (!Number.isFinite(lng) || Math.abs(lng) > 180) {
    throw new HotpotError("bad_argument", `longitude: expected -180 to 180, found ${lng}`);
  }
  if (!Number.isFinite(radius) || radius <= 0 || radius > MAX_MASK_RADIUS_M) {
    throw new HotpotError("bad_argument", `radius: expected more than 0 and at most ${MAX_MASK_RADIUS_M} metres, found ${radius}`);
  }
  return { name, lat, lng, radius };
}

/** The list with `mask` added, or replacing the mask of the same name. */
export function addMask(masks: readonly Mask[], mask: Mask): { masks: Mask[]; replaced: boolean } {
  const valid = validateMask(mask);
  const replaced = masks.some((m) => m.name === valid.name);
  return { masks: [...masks.filter((m) => m.name !== valid.name), valid], replaced };
}

/** The list without the named mask; an unknown name is an error that lists the known ones. */
export function removeMask(masks: readonly Mask[], name: string): Mask[] {
  if (!masks.some((m) => m.name === name)) {
    const known = masks.length ? `masks are: ${masks.map((m) => m.name).join(", ")}` : "there are no masks";
    throw new HotpotError("not_found", `mask '${name}' does not exist (${known})`);
  }
  return masks.filter((m) => m.name !== name);
}

/** cos(latitude) at a Web Mercator y, without going through degrees. */
function cosLatAt(y: number): number {
  return 1 / Math.cosh(Math.PI * (1 - 2 * y));
}

/**
 * The farthest a mask reaches in world units (0..1), in any direction:
 * Web Mercator is conformal, so the circle's extent is largest along the
 * meridian towards the pole, where the cosine is smallest. Taken generously.
 */
function worldReach(mask: Mask): number {
  const poleward = Math.min(MAX_LAT, Math.abs(mask.lat) + (mask.radius / EARTH_RADIUS_M) * (180 / Math.PI) * 1.01);
  return mask.radius / metresPerWorldUnit(poleward);
}

/**
 * A test "does world point (x, y) lie inside any mask", with the circles
 * moved to world space once. The same rule
 * as applyMasks: a pixel is cleared exactly when a point of it passes (the
 * circle's inside is open: a point on the edge is outside).
 */
export function maskTest(masks: readonly Mask[]): (x: number, y: number) => boolean {
  const circles = masks.map((m) => {
    const x = lngToX(m.lng);
    const y = latToY(m.lat);
    const reach = worldReach(m);
    return { x, y, cos: cosLatAt(y), radius: m.radius, reach2: reach * reach };
  });
  return (x, y) => {
    for (const c of circles) {
      const dx = x - c.x;
      const dy = y - c.y;
      if (dx * dx + dy * dy <= c.reach2 && groundDistance(c.x, c.y, c.cos, x, y, cosLatAt(y)) < c.radius) return true;
    }
    return false;
  };
}

/**
 * A mask's radius in world units at its centre's latitude, on geo.ts's
 * sphere: for geometry that needs a true circle (the explorer's cells
 * clipped by a line's visible spans). Within a few centimetres of the rule
 * above for masks up to a few kilometres.
 */
export function worldRadius(mask: Mask): number {
  return mask.radius / metresPerWorldUnit(mask.lat);
}

/**
 * Clears every pixel of `counts` (laid out as `view`) that lies partly or
 * wholly inside a mask. Returns whether any mask reached the image.
 */
export function applyMasks(counts: Uint8Array, view: PixelView, masks: readonly Mask[]): boolean {
  let reached = false;
  for (const mask of masks) if (applyMask(counts, view, mask)) reached = true;
  return reached;
}

function applyMask(counts: Uint8Array, view: PixelView, mask: Mask): boolean {
  const { width, height, x0, y0, scaleX, scaleY } = view;
  const cx = lngToX(mask.lng);
  const cy = latToY(mask.lat);
  const cosC = cosLatAt(cy);
  // Rows to visit: the circle's north-south extent, taken generously; rows are exact below.
  const reachY = worldReach(mask);
  let j0 = Math.floor((cy - reachY - y0) * scaleY);
  let j1 = Math.ceil((cy + reachY - y0) * scaleY) - 1;
  if (j0 < 0) j0 = 0;
  if (j1 > height - 1) j1 = height - 1;
  let reached = false;
  for (let j = j0; j <= j1; j++) {
    // The point of the row nearest the centre, in world y.
    const top = y0 + j / scaleY;
    const bottom = y0 + (j + 1) / scaleY;
    const ny = cy < top ? top : cy > bottom ? bottom : cy;
    // geo.groundDistance's rule: world length × π R (cos φ1 + cos φ2).
    const limit = mask.radius / (Math.PI * EARTH_RADIUS_M * (cosC + cosLatAt(ny)));
    const dy = ny - cy;
    const half2 = limit * limit - dy * dy;
    if (half2 <= 0) continue;
    const half = Math.sqrt(half2);
    // Pixels [i, i+1] meeting the open interval (a, b).
    const a = (cx - half - x0) * scaleX;
    const b = (cx + half - x0) * scaleX;
    let i0 = Math.floor(a);
    let i1 = Math.ceil(b) - 1;
    if (i0 < 0) i0 = 0;
    if (i1 > width - 1) i1 = width - 1;
    if (i0 > i1) continue;
    counts.fill(0, j * width + i0, j * width + i1 + 1);
    reached = true;
  }
  return reached;
}
