/**
 * Explorer cells → a map tile of class codes, coloured by EXPLORER_PALETTE and
 * encoded like heat tiles (indexed PNG or WebP): a cell is a rectangle of
 * pixels, so plain typed-array fills beat any canvas call.
 *
 *   +----------+----------+      fill: explored (blue) or max cluster (violet)
 *   |▒▒▒▒▒▒▒▒▒▒|▓▓▓▓▓▓▓▓▓▓|      edge: a darker line inside each cell, once
 *   |▒ fill  ▒▒|▓▓▓▓▓▓▓▓▓▓|            cells are big enough to tell apart
 *   +----------+==========+      square: an opaque magenta outline around
 *                                        the max square
 */
import { cellsIn, type Explorer } from "./explorer-query.ts";
import type { Palette } from "./palette.ts";

const EXPLORED = 1;
const CLUSTER = 2;
const EXPLORED_EDGE = 3;
const CLUSTER_EDGE = 4;
const SQUARE = 5;

/**
 * Mid-lightness, saturated colours, partly transparent: they tint a light
 * basemap and stand out on a dark one, and the heat below still shows.
 */
const COLOURS: [code: number, rgba: number][] = [
  [EXPLORED, 0x3b82f666],
  [CLUSTER, 0x8b5cf680],
  [EXPLORED_EDGE, 0x1d4ed8cc],
  [CLUSTER_EDGE, 0x5b21b6e6],
  [SQUARE, 0xdb2777ff],
];

export const EXPLORER_PALETTE: Palette = (() => {
  const rgba = new Uint8Array(256 * 4);
  for (const [code, colour] of COLOURS) {
    rgba.set([colour >>> 24, (colour >>> 16) & 0xff, (colour >>> 8) & 0xff, colour & 0xff], code * 4);
  }
  // Codes, not counts: never scaled, so the ramp's ends are only there to complete the type.
  return { rgba, key: "explorer", first: 0, last: 255 };
})();

/** Cells at least this many pixels wide get their edges drawn: from about z12 for zoom-14 cells on 512-px tiles. */
const EDGE_MIN_PX = 24;

/**
 * Tile z/x/y of `size` px as class codes (row-major), or null when no
 * explored cell meets it. A cell narrower than a pixel still takes one, so
 * the explored area shows when zoomed far out.
 */
export function drawExplorerTile(e: Explorer, z: number, x: number, y: number, size: number): Uint8Array | null {
  // Cells per tile side at this map zoom (a fraction when zoomed in past the explorer zoom).
  const perTile = 2 ** (e.zoom - z);
  const cellPx = size / perTile;
  const x0 = x * perTile;
  const y0 = y * perTile;
  const lineWidth = Math.max(1, size / 512);
  const edge = cellPx >= EDGE_MIN_PX * lineWidth ? lineWidth : 0;
  const out = new Uint8Array(size * size);
  let drawn = false;
  const { cells, cluster, square } = e;
  for (const i of cellsIn(e, Math.floor(x0), Math.floor(y0), Math.ceil(x0 + perTile), Math.ceil(y0 + perTile))) {
    const inCluster = cluster.member[i] === 1;
    const [left, top, right, bottom] = pixelRect(cells.x[i], cells.y[i], 1, x0, y0, cellPx, size);
    if (right <= left || bottom <= top) continue;
    fill(out, size, left, top, right, bottom, inCluster ? CLUSTER : EXPLORED);
    if (edge > 0) outline(out, size, pixelRect(cells.x[i], cells.y[i], 1, x0, y0, cellPx, Infinity), edge, inCluster ? CLUSTER_EDGE : EXPLORED_EDGE);
    drawn = true;
  }
  if (drawn && square.size > 0) outline(out, size, pixelRect(square.x, square.y, square.size, x0, y0, cellPx, Infinity), 2 * lineWidth, SQUARE);
  return drawn ? out : null;
}

/** Pixel rectangle [left, right) × [top, bottom) of `span` cells from cell (cx, cy), at least a pixel, clamped to [0, limit]. */
function pixelRect(cx: number, cy: number, span: number, x0: number, y0: number, cellPx: number, limit: number): [number, number, number, number] {
  let left = Math.round((cx - x0) * cellPx);
  let top = Math.round((cy - y0) * cellPx);
  let right = Math.max(left + 1, Math.round((cx + span - x0) * cellPx));
  let bottom = Math.max(top + 1, Math.round((cy + span - y0) * cellPx));
  if (limit !== Infinity) {
    left = Math.max(0, left);
    top = Math.max(0, top);
    right = Math.min(limit, right);
    bottom = Math.min(limit, bottom);
  }
  return [left, top, right, bottom];
}

function fill(out: Uint8Array, size: number, left: number, top: number, right: number, bottom: number, code: number): void {
  const l = Math.max(0, left);
  const r = Math.min(size, right);
  // TypedArray.fill reads a negative end as counted from the array's end.
  if (r <= l) return;
  for (let row = Math.max(0, top); row < Math.min(size, bottom); row++) out.fill(code, row * size + l, row * size + r);
}

/** A band `width` px wide just inside the rectangle (which may reach beyond the tile). */
function outline(out: Uint8Array, size: number, [left, top, right, bottom]: [number, number, number, number], width: number, code: number): void {
  fill(out, size, left, top, right, top + width, code);
  fill(out, size, left, bottom - width, right, bottom, code);
  fill(out, size, left, top, left + width, bottom, code);
  fill(out, size, right - width, top, right, bottom, code);
}
