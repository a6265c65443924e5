#!/usr/bin/env bun
/**
 * The command line. Subcommands load lazily so `hotpot tile` never pays for the
 * server or the importer. This is the only place that prints an error and exits.
 */
import { defineCommand, runCommand, showUsage, type CommandDef } from "citty";
import { readArgv } from "./cli-args.ts";
import { isHotpotError } from "./errors.ts";
import { VERSION, versionLine } from "./version.ts";

const lazy = (load: () => Promise<{ default: CommandDef<any> }>) => () => load().then((m) => m.default);

export const main = defineCommand({
  meta: { name: "hotpot", version: VERSION, description: "Self-hosted activity heatmaps: import GPX/TCX/FIT, render and serve tiles" },
  subCommands: {
    import: lazy(() => import("./commands/import.ts")),
    activities: lazy(() => import("./commands/activities.ts")),
    tile: lazy(() => import("./commands/tile.ts")),
    render: lazy(() => import("./commands/render.ts")),
    export: lazy(() => import("./commands/export.ts")),
    "export-site": lazy(() => import("./commands/export-site.ts")),
    mask: lazy(() => import("./commands/mask.ts")),
    config: lazy(() => import("./commands/config.ts")),
    explorer: lazy(() => import("./commands/explorer.ts")),
    serve: lazy(() => import("./commands/serve.ts")),
    "strava-auth": lazy(() => import("./commands/strava-auth.ts")),
    fetch: lazy(() => import("./commands/fetch.ts")),
    demo: lazy(() => import("./commands/demo.ts")),
  },
});

async function resolveTarget(cmd: CommandDef<any>, argv: string[]): Promise<[CommandDef<any>, CommandDef<any> | undefined]> {
  let current = cmd;
  let parent: CommandDef<any> | undefined;
  for (const arg of argv) {
    if (arg.startsWith("-")) break;
    const subs = await (typeof current.subCommands === "function" ? current.subCommands() : current.subCommands);
    const next = subs?.[arg];
    if (!next) break;
    parent = current;
    current = await (typeof next === "function" ? next() : next);
  }
  return [current, parent];
}

async function run(argv: string[]): Promise<number> {
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
    console.log(versionLine());
    return 0;
  }
  if (argv.length === 0 || argv.includes("--help") || argv.includes("-h")) {
    const [cmd, parent] = await resolveTarget(main, argv);
    await showUsage(cmd, parent);
    return argv.length === 0 ? 1 : 0;
  }
  let rawArgs: string[];
  try {
    rawArgs = (await readArgv(main, argv)).argv;
  } catch (e) {
    if (!isHotpotError(e)) throw e;
    console.error(`hotpot: ${e.message}`);
    return 2;
  }
  try {
    await runCommand(main, { rawArgs });
    return 0;
  } catch (e) {
    if (isHotpotError(e) || (e as { name?: string })?.name === "CLIError") {
      console.error(`hotpot: ${(e as Error).message}`);
      return (e as { name?: string }).name === "CLIError" ? 2 : 1;
    }
    throw e;
  }
}

if (import.meta.main) {
  const code = await run(process.argv.slice(2));
  // Commands that keep running (serve) return only when they are done.
  if (code !== 0) process.exit(code);
}
