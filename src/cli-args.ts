/**
 * A strict reading of the command line, driven by each citty command's declared
 * `args` (long names, `alias` for short flags, positionals) so every command gets
 * it without a list kept here. It finds the command path wherever flags sit
 * (`hotpot --db x mask`, `fetch --lookback 7 intervals-icu`), refuses unknown
 * flags and stray arguments with a suggestion, and hands citty one canonical
 * argv: the command path, then `--name=value` flags, then `--` and positionals
 * (so a value or a file name starting with "-" stays what it is).
 */
import type { ArgsDef, CommandDef } from "citty";
import { HotpotError } from "./errors.ts";

type AnyCommand = CommandDef<any>;

interface Flag {
  name: string;
  takesValue: boolean;
}

const resolve = async <T>(v: T | (() => T | Promise<T>) | Promise<T> | undefined): Promise<T | undefined> =>
  typeof v === "function" ? await (v as () => T | Promise<T>)() : await v;

async function argsOf(cmd: AnyCommand): Promise<ArgsDef> {
  return (await resolve(cmd.args)) ?? {};
}

async function subCommandsOf(cmd: AnyCommand): Promise<Record<string, AnyCommand>> {
  const subs = (await resolve(cmd.subCommands)) ?? {};
  return subs as Record<string, AnyCommand>;
}

/** Every spelling of every flag a command declares: name, kebab-case, aliases (one letter: `-b`, longer: `--name`). */
async function flagsOf(cmd: AnyCommand): Promise<Map<string, Flag>> {
  const flags = new Map<string, Flag>();
  for (const [name, def] of Object.entries(await argsOf(cmd))) {
    if (def.type === "positional") continue;
    const flag = { name, takesValue: def.type === "string" || def.type === "enum" };
    const { alias } = def as { alias?: string | string[] };
    const aliases = alias === undefined ? [] : Array.isArray(alias) ? alias : [alias];
    for (const spelling of [name, name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), ...aliases]) {
      flags.set(spelling.length === 1 ? `-${spelling}` : `--${spelling}`, flag);
      if (def.type === "boolean" && spelling.length > 1) flags.set(`--no-${spelling}`, { name, takesValue: false });
    }
  }
  return flags;
}

/** Whether a flag met before the command is known takes a value: the first of the command or its descendants that declares it says. */
async function lookAhead(cmd: AnyCommand, flag: string): Promise<Flag | undefined> {
  const own = (await flagsOf(cmd)).get(flag);
  if (own) return own;
  for (const sub of Object.values(await subCommandsOf(cmd))) {
    const found = await lookAhead(await resolve(sub) as AnyCommand, flag);
    if (found) return found;
  }
  return undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The closest of `known` to a mistyped word, if any is close: a prefix, or a few letters off. */
export function didYouMean(word: string, known: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = candidate.startsWith(word) && word.length >= 3 ? 0.5 : distance(word, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

function usageError(message: string, word: string, known: Iterable<string>): HotpotError {
  const suggestion = didYouMean(word, known);
  return new HotpotError("bad_argument", suggestion ? `${message} (did you mean ${suggestion}?)` : message);
}

export interface ReadArgv {
  /** Command names from the root, e.g. ["mask", "add"]. */
  path: string[];
  /** What citty is given. */
  argv: string[];
}

/**
 * Reads argv against `root`'s command tree. Throws a `bad_argument` HotpotError
 * for an unknown flag, a missing flag value, an unknown command or an argument
 * no positional takes.
 */
export async function readArgv(root: AnyCommand, given: readonly string[]): Promise<ReadArgv> {
  const argv = [...given];
  const path: string[] = [];
  let cmd = root;
  const pending: { token: string; flag: string; value: string | undefined }[] = [];
  const positionals: string[] = [];
  let i = 0;
  let rest = false;
  while (i < argv.length) {
    const token = argv[i++];
    // A negative number is a value (config set trim_dist -5 is refused by the setting, not taken for a flag).
    if (rest || token === "-" || !token.startsWith("-") || /^-[\d.]/.test(token)) {
      const subs = await subCommandsOf(cmd);
      if (!rest && positionals.length === 0 && Object.hasOwn(subs, token)) {
        path.push(token);
        cmd = (await resolve(subs[token])) as AnyCommand;
      } else {
        positionals.push(token);
      }
      continue;
    }
    if (token === "--") {
      rest = true;
      continue;
    }
    const eq = token.startsWith("--") ? token.indexOf("=") : token.length > 2 && token[2] === "=" ? 2 : -1;
    const flag = eq === -1 ? token : token.slice(0, eq);
    let value = eq === -1 ? undefined : token.slice(eq + 1);
    const known = await lookAhead(cmd, flag);
    // Short flags together, as clap reads them: -cv is -c -v (the last may take the next value).
    if (!known && /^-[A-Za-z]{2,}$/.test(token)) {
      argv.splice(i, 0, ...[...token.slice(1)].map((letter) => `-${letter}`));
      continue;
    }
    if (known?.takesValue && value === undefined) {
      if (i >= argv.length) throw new HotpotError("bad_argument", `${flag}: expected a value after it, found the end of the command`);
      value = argv[i++];
    }
    pending.push({ token, flag, value });
  }

  const subs = await subCommandsOf(cmd);
  // Messages name the command as the user wrote it (`activities`, not `activities list`).
  const where = path.length > 0 ? `${path.join(" ")}: ` : "";
  // A bare `hotpot mask` is `hotpot mask list`: its flags are the default's.
  const fallback = await resolve(cmd.default);
  const target = fallback && Object.hasOwn(subs, fallback) ? ((await resolve(subs[fallback])) as AnyCommand) : cmd;
  const flags = await flagsOf(target);
  const hasSubs = Object.keys(subs).length > 0;
  if (hasSubs && positionals.length === 0 && target === cmd && !cmd.run && path.length > 0) {
    throw new HotpotError("bad_argument", `${path.join(" ")}: expected a command after it: ${Object.keys(subs).join(", ")}`);
  }
  // An unknown flag comes before an unknown command: its value (`--befor 2023-07-01`) was taken for a word.
  const unknown = pending.find(({ flag }) => !flags.has(flag));
  if (unknown) throw usageError(`${where}unknown option ${unknown.flag}`, unknown.flag, [...flags.keys()].filter((f) => f.startsWith("--")));
  if (hasSubs && positionals.length > 0) throw usageError(`${where}unknown command '${positionals[0]}'`, positionals[0], Object.keys(subs));
  if (target !== cmd) {
    path.push(fallback!);
    cmd = target;
  }
  const out: string[] = [...path];
  for (const { flag, value } of pending) {
    const known = flags.get(flag)!;
    if (!known.takesValue && value !== undefined) throw new HotpotError("bad_argument", `${where}${flag} takes no value, found '${value}'`);
    out.push(known.takesValue ? `--${known.name}=${value}` : flag.startsWith("--no-") ? `--no-${known.name}` : `--${known.name}`);
  }

  const declaredPositionals = Object.values(await argsOf(cmd)).filter((d) => d.type === "positional");
  const declared = declaredPositionals.length;
  // A last positional whose hint ends in "…" (`KEY…`) takes any number of words.
  const variadic = declaredPositionals.at(-1)?.valueHint?.endsWith("…") ?? false;
  if (!variadic && positionals.length > declared) {
    const stray = positionals[declared];
    throw new HotpotError("bad_argument", `${where}unexpected argument '${stray}'${declared === 0 ? " (it takes none)" : ` (it takes ${declared})`}`);
  }
  if (positionals.length > 0) out.push("--", ...positionals);
  return { path, argv: out };
}
