/**
 * `bun run bench <name> [args]` runs tests/bench/<name>.ts in its own process
 * (so each benchmark's peak RSS is its own), and lists the benchmarks when
 * the name is missing or unknown.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = import.meta.dir;

/** Benchmarks are the .ts files here, except this runner and `_`-prefixed helpers. */
function benchmarks(): { name: string; summary: string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !f.startsWith("_") && f !== "run.ts")
    .sort()
    .map((f) => ({ name: f.slice(0, -3), summary: firstSentence(readFileSync(join(dir, f), "utf8")) }));
}

/** The first sentence of a file's leading doc comment, as its one-line description. */
function firstSentence(source: string): string {
  const comment = /^\s*\/\*\*([\s\S]*?)\*\//.exec(source)?.[1] ?? "";
  const paragraph = comment.split(/\n\s*\*?\s*\n/)[0];
  const text = paragraph.replace(/\n\s*\*/g, " ").replace(/\s+/g, " ").trim();
  const sentence = /^.*?\.(?=\s|$)/.exec(text)?.[0] ?? text;
  return sentence.length > 110 ? sentence.slice(0, 109) + "…" : sentence;
}

const [name, ...args] = process.argv.slice(2);
const known = benchmarks();
if (!name || !known.some((b) => b.name === name)) {
  const width = Math.max(...known.map((b) => b.name.length));
  const list = known.map((b) => `  ${b.name.padEnd(width)}  ${b.summary}`).join("\n");
  const intro = name ? `bench: no benchmark named "${name}".` : "usage: bun run bench <name> [args]";
  console.error(`${intro}\nAvailable benchmarks:\n${list}`);
  process.exit(name ? 1 : 0);
}
const child = Bun.spawn(["bun", join(dir, `${name}.ts`), ...args], { stdio: ["inherit", "inherit", "inherit"] });
process.exit(await child.exited);
