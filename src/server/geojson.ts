/**
 * An activity's track as GeoJSON, rebuilt from its stored tiles at the
 * deepest stored zoom (the original file is not kept). Each stored tile piece
 * becomes one line of a MultiLineString; pieces overlap by the clip buffer at
 * tile seams, which no map shows.
 *
 * Points inside a privacy mask are left out, cutting the line there: the
 * track must not reveal what the heatmap hides.
 */
import { decodeLines } from "../codec.ts";
import type { Store } from "../store.ts";
import { maskTest } from "../mask.ts";
import { xToLng, yToLat } from "../tile.ts";
import type { Properties } from "../types.ts";

export interface ActivityFeature {
  type: "Feature";
  geometry: { type: "MultiLineString"; coordinates: [number, number][][] };
  properties: { key: string; title: string | null; start_time: string | null; file_name: string | null } & Properties;
}

/** 1e-6 degrees is about 11 cm: finer than any stored tile unit. */
const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

export function activityFeature(store: Store, key: string): ActivityFeature | null {
  const activity = store.rowByKey(key);
  if (!activity) return null;
  const config = store.config();
  const z = Math.max(...config.zoom_levels);
  const rows = store.rowsOfActivity(activity.id, z);
  const masked = maskTest(config.activity_masks);
  const scale = 2 ** z * config.tile_extent;
  const lines: [number, number][][] = [];
  for (const row of rows) {
    const { coords, ends } = decodeLines(row.geometry);
    let start = 0;
    for (const end of ends) {
      let line: [number, number][] = [];
      for (let i = start; i < end; i++) {
        const wx = (row.x * config.tile_extent + coords[2 * i]) / scale;
        const wy = (row.y * config.tile_extent + coords[2 * i + 1]) / scale;
        if (!masked(wx, wy)) {
          line.push([round6(xToLng(wx)), round6(yToLat(wy))]);
        } else {
          if (line.length >= 2) lines.push(line);
          line = [];
        }
      }
      if (line.length >= 2) lines.push(line);
      start = end;
    }
  }
  const stored = JSON.parse(activity.properties) as Properties;
  return {
    type: "Feature",
    geometry: { type: "MultiLineString", coordinates: lines },
    properties: {
      ...stored,
      key,
      title: activity.title,
      start_time: activity.start_time === null ? null : new Date(activity.start_time).toISOString(),
      file_name: activity.file_name,
    },
  };
}
