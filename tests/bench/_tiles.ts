/**
 * The tile session shared by the render and serve benchmarks: requests
 * sampled like a person looking at their own map. Views of 4 x 3 512 px
 * tiles centred on points of randomly chosen activities (so mostly where
 * they ride), the same share for every zoom from 2 to 16, about 5% of them
 * empty, plus 100 at zooms 17-18. Seeded, so two runs (and the two
 * benchmarks) ask for the same tiles.
 */
import type { Store } from "../../src/store.ts";
import { Random } from "../../src/synth/random.ts";
import { sourceZoom } from "../../src/tile.ts";
import { sqlOf } from "../helpers/sql.ts";

const VIEW_COLUMNS = 4;
const VIEW_ROWS = 3;
const EMPTY_SHARE = 0.05;
const OVERZOOM_REQUESTS = 100;

export interface TileRequest {
  z: number;
  x: number;
  y: number;
}

/** Whether a tile has any stored rows under it (what makes it empty or not). */
function hasData(store: Store, levels: number[], t: TileRequest): boolean {
  const zs = sourceZoom(t.z, levels);
  const [x0, x1, y0, y1] =
    zs >= t.z
      ? [t.x << (zs - t.z), (t.x + 1) << (zs - t.z), t.y << (zs - t.z), (t.y + 1) << (zs - t.z)]
      : [t.x >> (t.z - zs), (t.x >> (t.z - zs)) + 1, t.y >> (t.z - zs), (t.y >> (t.z - zs)) + 1];
  return !!sqlOf(store)
    .query("SELECT 1 FROM activity_tiles WHERE z = ? AND x >= ? AND x < ? AND y >= ? AND y < ? LIMIT 1")
    .get(zs, x0, x1, y0, y1);
}

/** A point on a randomly chosen activity, in world space. */
function activityPoint(store: Store, ids: number[], deepest: number, random: Random): { x: number; y: number } {
  const id = random.pick(ids);
  const tiles = sqlOf(store).query("SELECT x, y FROM activity_tiles WHERE z = ? AND activity_id = ?").all(deepest, id) as { x: number; y: number }[];
  const t = random.pick(tiles);
  const n = 2 ** deepest;
  return { x: (t.x + random.next()) / n, y: (t.y + random.next()) / n };
}

/**
 * Views at each zoom in turn, so every zoom from 2 to 16 gets the same share
 * of requests (at the low zooms that means the few tiles with data, asked
 * again as a map session does while panning), then the over-zoomed ones.
 */
export function sampleSession(store: Store, total: number, seed: number): TileRequest[] {
  const random = new Random(seed);
  const levels = store.config().zoom_levels;
  const deepest = Math.max(...levels);
  const ids = (sqlOf(store).query("SELECT id FROM activities").all() as { id: number }[]).map((r) => r.id);
  const out: TileRequest[] = [];
  let empty = 0;
  const addView = (z: number, wanted: number) => {
    const p = activityPoint(store, ids, deepest, random);
    const n = 2 ** z;
    const cx = Math.floor(p.x * n - VIEW_COLUMNS / 2 + random.next());
    const cy = Math.floor(p.y * n - VIEW_ROWS / 2 + random.next());
    let added = 0;
    for (let dy = 0; dy < VIEW_ROWS; dy++) {
      for (let dx = 0; dx < VIEW_COLUMNS; dx++) {
        const t = { z, x: cx + dx, y: cy + dy };
        if (t.x < 0 || t.y < 0 || t.x >= n || t.y >= n || added >= wanted) continue;
        // Views at deep zooms are mostly empty around a line: keep empties to the session's share.
        if (!hasData(store, levels, t)) {
          if (empty >= EMPTY_SHARE * (out.length + 1)) continue;
          empty++;
        }
        out.push(t);
        added++;
      }
    }
    return added;
  };
  const fill = (zooms: number[], count: number) => {
    zooms.forEach((z, i) => {
      let left = Math.floor((count * (i + 1)) / zooms.length) - Math.floor((count * i) / zooms.length);
      while (left > 0) left -= addView(z, left);
    });
  };
  fill([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], total - OVERZOOM_REQUESTS);
  fill([17, 18], OVERZOOM_REQUESTS);
  return out;
}
