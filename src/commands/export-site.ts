/**
 * `hotpot export-site DIR`: a read-only heatmap website as plain files. The
 * map page and its libraries, exactly as `hotpot serve` sends them, plus the
 * heat as one PMTiles archive that the page reads with range requests; any
 * static host or object store (behind a CDN) serves it from its root.
 *
 *   DIR/index.html         the page, pointed at heatmap.pmtiles by a <meta> tag
 *   DIR/static/...         its scripts, styles, MapLibre and the pmtiles reader
 *   DIR/heatmap.pmtiles    hotpot export with the given options
 */
import { defineCommand } from "citty";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { FILES } from "../server/page.ts";
import { globalArgs } from "./_shared.ts";
import { exportArgs, exportSettings, exportTo, megabytes } from "./export.ts";

export const ARCHIVE_NAME = "heatmap.pmtiles";

/** The page with the <meta> that makes it show the archive (public/js/offline.js). */
export function sitePage(html: string): string {
  return html.replace(/(<meta charset="utf-8">)/i, `$1\n  <meta name="hotpot-pmtiles" content="${ARCHIVE_NAME}">`);
}

export default defineCommand({
  meta: { name: "export-site", description: "Write a static heatmap website (the page plus a PMTiles archive) to a folder, for any web host or CDN" },
  args: {
    ...globalArgs,
    dir: { type: "positional", description: "folder to write the site to (created if missing)", valueHint: "DIR", required: true },
    ...exportArgs,
  },
  async run({ args }) {
    const settings = exportSettings(args);
    mkdirSync(args.dir, { recursive: true });
    const { summary, took } = await exportTo(args, settings, join(args.dir, ARCHIVE_NAME));
    for (const [path, embedded] of FILES) {
      const target = path === "index.html" ? join(args.dir, "index.html") : join(args.dir, "static", path);
      mkdirSync(dirname(target), { recursive: true });
      const file = Bun.file(embedded);
      await Bun.write(target, path === "index.html" ? sitePage(await file.text()) : file);
    }
    console.log(`${args.dir}: the page, ${FILES.size - 1} static files and ${ARCHIVE_NAME} (${summary.tiles} tiles, ${megabytes(summary.bytes)}), written in ${took}`);
  },
});
