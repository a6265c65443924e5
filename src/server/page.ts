/**
 * The map page's files as one AssetSource: public/ and, under vendor/, the
 * map library. Both lists are file imports, so the same code serves from
 * source and from a compiled executable; a name not listed is simply absent,
 * so no request can reach any other file.
 */
import { PAGE_FILES } from "./page-files.ts";
import type { AssetSource } from "./static.ts";
import { VENDOR_FILES } from "./vendor.ts";

/** Path below /static/ → embedded path, for every file the page may load. */
const FILES = new Map<string, string>([...Object.entries(PAGE_FILES), ...Object.entries(VENDOR_FILES).map(([name, path]): [string, string] => [`vendor/${name}`, path])]);

export function pageAssets(): AssetSource {
  return {
    list: () => [...FILES.keys()],
    async get(path) {
      const embedded = FILES.get(path);
      if (embedded === undefined) return null;
      const file = Bun.file(embedded);
      return (await file.exists()) ? file : null;
    },
  };
}
