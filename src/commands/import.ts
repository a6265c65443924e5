/** `hotpot import PATH`: activity files, folders and Strava exports into the database. */
import { defineCommand } from "citty";
import { parseOptionNumber } from "../args.ts";
import { CLI_MAX_FILE_BYTES } from "../decompress.ts";
import { runImport } from "../import/run.ts";
import { formatSummary } from "../import/summary.ts";
import { buildPyramid } from "../count-pyramid.ts";
import { privacyZonesNote } from "../sources/privacy-zones.ts";
import { globalArgs, storeFromArgs } from "./_shared.ts";

const MB = 1024 * 1024;

export default defineCommand({
  meta: {
    name: "import",
    description:
      "Import GPX, TCX and FIT files (optionally .gz) from a file, a folder (recursively) or a .zip archive such as a Strava bulk export. " +
      "An activities.csv at the root of the folder or archive is joined automatically. Importing the same files again adds nothing. " +
      "Afterwards the busiest tiles' counts are drawn once and stored (the count pyramid), so the map shows them without drawing.",
  },
  args: {
    ...globalArgs,
    path: { type: "positional", required: true, description: "activity file, folder or .zip archive", valueHint: "PATH" },
    reset: { type: "boolean", default: false, description: "remove all stored activities before importing" },
    trim: {
      type: "string",
      alias: "t",
      valueHint: "M",
      description: "hide each activity's start and end: drop points until the track is M metres (straight line) from its first point, and from its last; saved as trim_dist for later imports and uploads (default: the stored value, initially 0)",
    },
    join: {
      type: "string",
      valueHint: "CSV",
      description: "CSV of activity metadata to join by its filename column (paths relative to the CSV's folder); default: PATH's activities.csv",
    },
    "privacy-zones": { type: "boolean", default: false, description: "add the privacy zones of a Strava export (privacy_zones.csv) as masks" },
    "max-file-mb": {
      type: "string",
      valueHint: "MB",
      description: `largest file after unpacking .gz layers or a zip entry; larger ones fail with a message (default ${CLI_MAX_FILE_BYTES / MB})`,
    },
    jobs: { type: "string", alias: "j", valueHint: "N", description: `worker threads parsing in parallel, and then drawing the count pyramid (default: one per core, here ${navigator.hardwareConcurrency})` },
  },
  async run({ args }) {
    const trim = parseOptionNumber("trim", args.trim, (n) => Number.isFinite(n) && n >= 0, "a distance in metres >= 0");
    const jobs = parseOptionNumber("jobs", args.jobs, (n) => Number.isInteger(n) && n >= 1 && n <= 256, "a whole number of workers from 1 to 256");
    const maxFileMb = parseOptionNumber("max-file-mb", args["max-file-mb"], (n) => Number.isFinite(n) && n > 0 && n <= 64 * 1024, "a size in MB from 0 to 65536");
    const store = storeFromArgs(args);
    try {
      const summary = await runImport(store, {
        path: args.path,
        join: args.join,
        jobs,
        reset: args.reset,
        trim,
        maxFileBytes: maxFileMb === undefined ? undefined : Math.round(maxFileMb * MB),
        progress: { tty: process.stderr.isTTY === true, write: (text) => process.stderr.write(text) },
      });
      console.log(formatSummary(summary, args.verbose));
      // The busiest tiles' counts, so the map opens without drawing them (src/count-pyramid.ts); a no-op for small collections.
      const started = performance.now();
      const pyramid = await buildPyramid(store, { jobs: jobs ?? navigator.hardwareConcurrency });
      if (pyramid.stored > 0) console.log(`count pyramid: ${pyramid.stored} busy tiles drawn in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const zones = privacyZonesNote(store, args.path, { apply: args["privacy-zones"], db: args["in-memory"] || args.db === globalArgs.db.default ? null : args.db });
      if (zones) console.log(zones);
    } finally {
      store.close();
    }
  },
});
