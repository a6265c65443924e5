/** Counts → image bytes in the negotiated format, for tiles and /render alike. */
import { encodePng, encodeWebp } from "../encode.ts";
import type { Palette } from "../palette.ts";
import type { ImageFormat } from "./params.ts";

export const CONTENT_TYPE: Record<ImageFormat, string> = { png: "image/png", webp: "image/webp" };

export function encodeImage(counts: Uint8Array, width: number, height: number, palette: Palette, format: ImageFormat): Uint8Array | Promise<Uint8Array> {
  return format === "webp" ? encodeWebp(counts, width, height, palette) : encodePng(counts, width, height, palette);
}
