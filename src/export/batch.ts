/**
 * Drawing a batch of export tiles, exactly as `hotpot tile` draws one, so
 * archive tiles are byte-identical to `hotpot tile`'s. Runs in an export
 * worker (export-worker.ts), or on the main thread for an in-memory store.
 */
import type { Palette } from "../palette.ts";
import { reading, type CompiledQuery } from "../query.ts";
import { renderTileFrom, type TileSize } from "../render.ts";
import { encodeImage } from "../server/image.ts";
import type { ImageFormat } from "../server/params.ts";
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
export async function renderBatch(source: Store, options: TileSettings, colours: Palette, task: ExportTask): Promise<(Uint8Array | null)[]> {
  const drawn = source.readTransaction(() => {
    const r = reading(source, options.query);
    const counts: (Uint8Array | null)[] = [];
    for (let i = 0; i < task.xy.length; i += 2) counts.push(renderTileFrom(r, task.z, task.xy[i], task.xy[i + 1], options.size));
    return counts;
  });
  const tiles: (Uint8Array | null)[] = [];
  for (const counts of drawn) tiles.push(counts && (await encodeImage(counts, options.size, options.size, colours, options.format)));
  return tiles;
}

