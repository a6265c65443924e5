/** The Content-Type of each image format, for tiles and /render alike. */
import type { ImageFormat } from "../encode.ts";

export const CONTENT_TYPE: Record<ImageFormat, string> = { png: "image/png", webp: "image/webp" };
