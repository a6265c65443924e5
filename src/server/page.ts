/**
 * The map page's files as one AssetSource: public/ and, under vendor/, the
 * map library. Both lists are file imports, so the same code serves from
 * source and from a compiled executable; a name not listed is simply absent,
 * so no request can reach any other file.
 */
import { basename, join } from "node:path";
import { PAGE_FILES } from "./page-files.ts";
import type { AssetSource, Encoding } from "./static.ts";
import { VENDOR_FILES } from "./vendor.ts";

/** Path below /static/ → embedded path, for every file the page may load (also what `hotpot export-site` copies). */
export const FILES: ReadonlyMap<string, string> = new Map<string, string>([...Object.entries(PAGE_FILES), ...Object.entries(VENDOR_FILES).map(([name, path]): [string, string] => [`vendor/${name}`, path])]);

/**
 * Where scripts/build.ts puts the assets it compressed (`<path>.br`, `<path>.gz`). The
 * executable embeds the folder under its own name beside the bundled code, where
 * `precompressed` looks; from source there is nothing there, and assets are compressed on demand.
 */
export const PRECOMPRESSED_DIR = "dist/precompressed";

export function pageAssets(): AssetSource {
  return {
    list: () => [...FILES.keys()],
    async precompressed(path: string, encoding: Encoding) {
      if (!FILES.has(path)) return null;
      const file = Bun.file(join(import.meta.dir, basename(PRECOMPRESSED_DIR), `${path}.${encoding === "br" ? "br" : "gz"}`));
      return (await file.exists()) ? file : null;
    },
    async get(path) {
      const embedded = FILES.get(path);
      if (embedded === undefined) return null;
      const file = Bun.file(embedded);
      return (await file.exists()) ? file : null;
    },
  };
}
