/**
 * MapLibre GL JS and the pmtiles reader (its self-contained browser build,
 * for a PMTiles archive as the heat layer: public/js/offline.js), served by hotpot itself under /static/vendor/ so the page
 * asks no CDN for anything. `with { type: "file" }` makes Bun embed each file
 * in a compiled executable and hand back its path (on disk when run from
 * source, inside the executable's /$bunfs/ when compiled); Bun.file reads it
 * either way.
 *
 * The library finds its worker next to itself (`./maplibre-gl-worker.mjs`,
 * relative to its own import.meta.url), so both keep their file names here.
 */
// @ts-expect-error: a file import yields its path; TypeScript has no module type for that.
import maplibreCss from "maplibre-gl/dist/maplibre-gl.css" with { type: "file" };
// @ts-expect-error: as above.
import maplibreJs from "maplibre-gl/dist/maplibre-gl.mjs" with { type: "file" };
// @ts-expect-error: as above.
import maplibreWorker from "maplibre-gl/dist/maplibre-gl-worker.mjs" with { type: "file" };
// @ts-expect-error: as above. By path: the package's exports name only its module builds.
import pmtilesJs from "../../node_modules/pmtiles/dist/pmtiles.js" with { type: "file" };

/** URL name under /static/vendor/ → embedded path. */
export const VENDOR_FILES: Readonly<Record<string, string>> = {
  "maplibre-gl.mjs": maplibreJs,
  "maplibre-gl-worker.mjs": maplibreWorker,
  "maplibre-gl.css": maplibreCss,
  "pmtiles.js": pmtilesJs,
};
