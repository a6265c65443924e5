/**
 * One /render image, as plain data so it can cross to a worker thread:
 * bounds, size, colours and query in, encoded bytes (or null: nothing drawn) out.
 */
import { encode } from "../encode.ts";
import { resolveGradient } from "../palette.ts";
import type { CompiledQuery } from "../query.ts";
import { isTimeMode, renderBoundsHeat, type Mode } from "../heat-mode.ts";
import { scalePalette, type Scale } from "../scale.ts";
import type { Store } from "../store.ts";
import type { Bounds } from "../tile.ts";
import type { ImageFormat } from "../encode.ts";

export interface RenderJob {
  bounds: Bounds;
  width: number;
  height: number;
  color?: string;
  gradient?: string;
  query: CompiledQuery | null;
  format: ImageFormat;
  scale: Scale;
  mode: Mode;
}

export async function runRenderJob(store: Store, job: RenderJob): Promise<Uint8Array | null> {
  const palette = resolveGradient({ color: job.color, gradient: job.gradient });
  // One thread: this already runs on the render worker.
  const counts = await renderBoundsHeat(store, job.bounds, job.width, job.height, { query: job.query, mode: job.mode, jobs: 1 });
  return counts && encode(job.format, counts, job.width, job.height, scalePalette(palette, counts, job.scale, isTimeMode(job.mode)));
}
