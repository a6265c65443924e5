/**
 * Reading the Dockerfile without Docker: its instructions by stage, and its
 * build stage run as a script in a copy of the repository. No Docker engine
 * runs in CI, so this is how the build stage is tested.
 */
import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export const REPO = resolve(import.meta.dir, "../..");

export interface Instruction {
  keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  args: string;
}

export interface Stage {
  /** The `AS` name, or the image for an unnamed stage. */
  name: string;
  image: string;
  instructions: Instruction[];
}

/** Stages in order; comments dropped, `\` continuations joined. */
export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    if (/^\s*#/.test(raw)) continue;
    const line = raw.trimEnd();
    if (line.endsWith("\\")) {
      pending += line.slice(0, -1) + " ";
      continue;
    }
    const whole = (pending + line).trim();
    pending = "";
    if (whole) logical.push(whole);
  }
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line)!;
    const upper = keyword.toUpperCase();
    if (upper === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!m) throw new Error(`Dockerfile: expected FROM image [AS name], found 'FROM ${args}'`);
      stages.push({ image: m[1], name: m[2] ?? m[1], instructions: [] });
    } else {
      if (stages.length === 0) throw new Error(`Dockerfile: expected FROM first, found '${line}'`);
      stages[stages.length - 1].instructions.push({ keyword: upper, args });
    }
  }
  return stages;
}

export function readDockerfile(): Stage[] {
  return parseDockerfile(readFileSync(join(REPO, "Dockerfile"), "utf8"));
}

/** The arguments of a JSON-form instruction such as `CMD ["a", "b"]`. */
export function execForm(instruction: Instruction | undefined): string[] {
  if (!instruction) throw new Error("Dockerfile: instruction missing");
  const value: unknown = JSON.parse(instruction.args);
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw new Error(`Dockerfile: expected ${instruction.keyword} in JSON form, found '${instruction.args}'`);
  }
  return value;
}

/**
 * Runs a stage the way `docker build` would, with `dir` standing in for its
 * WORKDIR: COPY copies from the repository, ARG sets a default (or the value
 * in `buildArgs`), ENV sets a variable, RUN runs with sh. Anything else fails,
 * so a new kind of step cannot be skipped unnoticed.
 */
export function runStage(stage: Stage, dir: string, buildArgs: Record<string, string> = {}): void {
  const env: Record<string, string> = { ...(process.env as Record<string, string>) };
  mkdirSync(dir, { recursive: true });
  for (const { keyword, args } of stage.instructions) {
    switch (keyword) {
      case "WORKDIR":
        break;
      case "COPY": {
        const parts = args.split(/\s+/);
        if (parts.some((p) => p.startsWith("--"))) throw new Error(`runStage: COPY options are not supported: 'COPY ${args}'`);
        const destArg = parts.pop()!;
        const dest = resolve(dir, destArg);
        const intoFolder = parts.length > 1 || destArg.endsWith("/");
        for (const source of parts) {
          const target = intoFolder ? join(dest, source) : dest;
          mkdirSync(dirname(target), { recursive: true });
          cpSync(join(REPO, source), target, { recursive: true });
        }
        break;
      }
      case "ARG": {
        const [, name, value] = /^(\w+)(?:=(.*))?$/.exec(args) ?? [];
        if (!name) throw new Error(`runStage: expected ARG NAME[=default], found 'ARG ${args}'`);
        env[name] = buildArgs[name] ?? (value ?? "").replace(/^"(.*)"$/, "$1");
        break;
      }
      case "ENV": {
        const [, name, value] = /^(\w+)=(.*)$/.exec(args) ?? [];
        if (!name) throw new Error(`runStage: expected ENV NAME=value, found 'ENV ${args}'`);
        env[name] = value;
        break;
      }
      case "RUN": {
        const r = Bun.spawnSync(["sh", "-c", args], { cwd: dir, env, stdout: "pipe", stderr: "pipe" });
        if (r.exitCode !== 0) throw new Error(`RUN ${args}: exit ${r.exitCode}\n${r.stdout.toString()}${r.stderr.toString()}`);
        break;
      }
      default:
        throw new Error(`runStage: no stand-in for '${keyword} ${args}'`);
    }
  }
}
