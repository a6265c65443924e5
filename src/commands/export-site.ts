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
import { runExport } from "../export/run.ts";
import { formatDuration } from "../import/progress.ts";
import { FILES } from "../server/page.ts";
import { globalArgs, storeFromArgs } from "./_shared.ts";
import { exportArgs, exportSettings } from "./export.ts";

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
    const store = storeFromArgs(args, { mustExist: true });
    const started = performance.now();
    try {
      mkdirSync(args.dir, { recursive: true });
      for (const [path, embedded] of FILES) {
        const target = path === "index.html" ? join(args.dir, "index.html") : join(args.dir, "static", path);
        mkdirSync(dirname(target), { recursive: true });
        const file = Bun.file(embedded);
        await Bun.write(target, path === "index.html" ? sitePage(await file.text()) : file);
      }
      const out = join(args.dir, ARCHIVE_NAME);
      const summary = await runExport(store, { ...settings, out, progress: { tty: process.stderr.isTTY === true, write: (t) => process.stderr.write(t) } });
      const seconds = (performance.now() - started) / 1000;
      console.log(`${args.dir}: the page, ${FILES.size - 1} static files and ${ARCHIVE_NAME} (${summary.tiles} tiles, ${(summary.bytes / 1048576).toFixed(1)} MB) in ${formatDuration(seconds)}`);
    } finally {
      store.close();
    }
  },
});
