/**
 * Drawing a batch of export tiles, exactly as `hotpot tile` draws one, so
 * archive tiles are byte-identical to `hotpot tile`'s. Runs in an export
 * worker (export-worker.ts), or on the main thread for an in-memory store.
 */
import { encode } from "../encode.ts";
import type { Palette } from "../palette.ts";
import { reading, type CompiledQuery } from "../query.ts";
import { renderTileFrom, type TileSize } from "../render.ts";
import type { ImageFormat } from "../encode.ts";
import type { Store } from "../store.ts";

export interface TileSettings {
  size: TileSize;
  format: ImageFormat;
  color?: string;
  gradient?: string;
  query: CompiledQuery | null;
}

/** Tiles of one zoom as x, y pairs. */
export interface ExportTask {
  z: number;
  xy: Uint32Array;
}

/** Per tile of a task, its image, or null when nothing was drawn. */
export function renderBatch(source: Store, options: TileSettings, colours: Palette, task: ExportTask): (Uint8Array | null)[] {
  return source.readTransaction(() => {
    const r = reading(source, options.query);
    const tiles: (Uint8Array | null)[] = [];
    for (let i = 0; i < task.xy.length; i += 2) {
      const counts = renderTileFrom(r, task.z, task.xy[i], task.xy[i + 1], options.size);
      tiles.push(counts && encode(options.format, counts, options.size, options.size, colours));
    }
    return tiles;
  });
}

