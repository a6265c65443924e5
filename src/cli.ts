#!/usr/bin/env bun
/**
 * The command line. Subcommands load lazily so `hotpot tile` never pays for the
 * server or the importer. This is the only place that prints an error and exits.
 */
import { defineCommand, runCommand, showUsage, type CommandDef } from "citty";
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

/**
 * Global options may come before the command (`hotpot --db x.sqlite3 serve`, as
 * the Rust hotpot and our Dockerfile write it): move them after it, where each
 * command declares them.
 */
export function hoistGlobalOptions(argv: string[]): string[] {
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length && argv[i].startsWith("-") && argv[i] !== "--help" && argv[i] !== "-h" && argv[i] !== "--version") {
    const flag = argv[i];
    leading.push(flag);
    i++;
    if ((flag === "--db" || flag === "-D") && i < argv.length) leading.push(argv[i++]);
  }
  if (leading.length === 0 || i === argv.length) return argv;
  let end = i;
  while (end < argv.length && !argv[end].startsWith("-")) end++;
  // Only the command path (fetch intervals-icu) stays in front; positionals after it keep their place.
  const commandWords = argv[i] === "fetch" || argv[i] === "mask" ? 2 : 1;
  const split = Math.min(i + commandWords, end);
  return [...argv.slice(i, split), ...leading, ...argv.slice(split)];
}

async function run(rawArgv: string[]): Promise<number> {
  const argv = hoistGlobalOptions(rawArgv);
  if (argv.length === 1 && argv[0] === "--version") {
    console.log(versionLine());
    return 0;
  }
  if (argv.length === 0 || argv.includes("--help") || argv.includes("-h")) {
    const [cmd, parent] = await resolveTarget(main, argv);
    await showUsage(cmd, parent);
    return argv.length === 0 ? 1 : 0;
  }
  try {
    await runCommand(main, { rawArgs: argv });
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
