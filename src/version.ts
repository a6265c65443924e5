/** The version line: package version plus the git commit when known. */
import pkg from "../package.json" with { type: "json" };

/** Set by `bun build --define` in the compiled executable, where there is no .git to ask. */
declare const HOTPOT_GIT_SHA: string | undefined;

function gitSha(): string | null {
  if (typeof HOTPOT_GIT_SHA === "string") return HOTPOT_GIT_SHA || null;
  try {
    const r = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: import.meta.dir, stderr: "ignore" });
    return r.exitCode === 0 ? r.stdout.toString().trim() : null;
  } catch {
    return null;
  }
}

export const VERSION: string = pkg.version;

export function versionLine(): string {
  const sha = gitSha();
  return sha ? `hotpot ${VERSION} (${sha})` : `hotpot ${VERSION}`;
}
