/**
 * One /render image, as plain data so it can cross to a worker thread:
 * bounds, size, colours and query in, encoded bytes (or null: nothing drawn) out.
 */
import { resolveGradient } from "../palette.ts";
import type { ActivityQuery } from "../query.ts";
import { renderBounds } from "../render.ts";
import { scalePalette, type Scale } from "../scale.ts";
import type { Store } from "../store.ts";
import type { Bounds } from "../tile.ts";
import { encodeImage } from "./image.ts";
import type { ImageFormat } from "./params.ts";

export interface RenderJob {
  bounds: Bounds;
  width: number;
  height: number;
  color?: string;
  gradient?: string;
  query: ActivityQuery;
  format: ImageFormat;
  scale: Scale;
}

export async function runRenderJob(store: Store, job: RenderJob): Promise<Uint8Array | null> {
  const palette = resolveGradient({ color: job.color, gradient: job.gradient });
  const counts = renderBounds(store, job.bounds, job.width, job.height, { query: job.query });
  return counts && (await encodeImage(counts, job.width, job.height, scalePalette(palette, counts, job.scale), job.format));
}
