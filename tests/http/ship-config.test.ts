/**
 * The Dockerfile and fly.toml describe one deployment: the same port, volume
 * and health check, the same command, no secrets in the files, and every
 * environment variable the code reads documented where people deploy.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createApp } from "../../src/server/app.ts";
import { openStore } from "../../src/store.ts";
import { execForm, readDockerfile, REPO, type Stage } from "./ship-dockerfile.ts";

interface FlyConfig {
  app: string;
  processes: { app: string };
  mounts: { source: string; destination: string };
  http_service: { internal_port: number; auto_stop_machines: string; auto_start_machines: boolean; processes: string[]; checks: { path: string; method: string }[] };
  vm: { size: string; memory: string }[];
  swap_size_mb: number;
  env?: Record<string, string>;
}

const flyText = readFileSync(join(REPO, "fly.toml"), "utf8");
const fly = Bun.TOML.parse(flyText) as unknown as FlyConfig;
const stages = readDockerfile();
const runtime: Stage = stages[stages.length - 1];
const only = (keyword: string) => {
  const found = runtime.instructions.filter((i) => i.keyword === keyword);
  if (found.length !== 1) throw new Error(`runtime stage: expected one ${keyword}, found ${found.length}`);
  return found[0];
};
const dockerCmd = execForm(only("CMD"));
const flyCmd = fly.processes.app.split(/\s+/);
const healthUrl = new URL(/curl\s+\S*\s*(http:\/\/\S+)/.exec(only("HEALTHCHECK").args)?.[1] ?? "missing:");

/** The value after `flag` in an argument list. */
function flag(args: string[], name: string): string {
  const i = args.indexOf(name);
  if (i < 0 || i === args.length - 1) throw new Error(`expected ${name} <value> in ${JSON.stringify(args)}`);
  return args[i + 1];
}

describe("Dockerfile and fly.toml agree", () => {
  test("fly runs the image's command with uploads on and a smaller tile cache", () => {
    expect(flyCmd.slice(0, dockerCmd.length)).toEqual(dockerCmd);
    expect(flyCmd.slice(dockerCmd.length)).toEqual(["--upload", "--cache-mb", "32"]);
    expect(execForm(only("ENTRYPOINT"))).toEqual(["hotpot"]);
    expect(flag(dockerCmd, "--host")).toBe("0.0.0.0");
  });

  test.each([
    ["EXPOSE", only("EXPOSE").args],
    ["CMD --port", flag(dockerCmd, "--port")],
    ["HEALTHCHECK url", healthUrl.port],
    ["fly internal_port", String(fly.http_service.internal_port)],
    ["fly command --port", flag(flyCmd, "--port")],
  ])("port: %s is 8080", (_, port) => {
    expect(port).toBe("8080");
  });

  test.each([
    ["VOLUME", only("VOLUME").args],
    ["CMD --db folder", dirname(flag(dockerCmd, "--db"))],
    ["fly mounts destination", fly.mounts.destination],
    ["fly command --db folder", dirname(flag(flyCmd, "--db"))],
  ])("volume: %s is /data", (_, path) => {
    expect(path).toBe("/data");
  });

  test("health check: the same path, and the server answers it", async () => {
    expect(fly.http_service.checks.map((c) => [c.method, c.path])).toEqual([["GET", healthUrl.pathname]]);
    const store = openStore(":memory:");
    try {
      const response = await createApp({ store }).handle(new Request(`http://localhost${healthUrl.pathname}`));
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: "ok", activities: 0 });
    } finally {
      store.close();
    }
  });
});

describe("fly.toml", () => {
  test("the smallest machine, stopped when idle, serving the app process", () => {
    expect(fly.vm).toEqual([{ size: "shared-cpu-1x", memory: "256mb" }]);
    expect(fly.swap_size_mb).toBeGreaterThan(0);
    expect(fly.http_service).toMatchObject({ auto_stop_machines: "stop", auto_start_machines: true, processes: ["app"] });
    expect(fly.mounts.source).toBe("hotpot_data");
  });
});

/** Every `env.NAME` the program reads. */
function environmentVariables(): string[] {
  const names = new Set<string>();
  for (const file of readdirSync(join(REPO, "src"), { recursive: true, encoding: "utf8" })) {
    if (!file.endsWith(".ts")) continue;
    for (const m of readFileSync(join(REPO, "src", file), "utf8").matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)) names.add(m[1]);
  }
  return [...names].sort();
}

describe("environment", () => {
  const names = environmentVariables();

  test("the code reads the variables this test knows about", () => {
    expect(names).toContain("HOTPOT_UPLOAD_TOKEN");
    expect(names).toContain("STRAVA_CLIENT_SECRET");
  });

  test.each(names)("%s is documented in the Dockerfile and not set in fly.toml", (name) => {
    const dockerfile = readFileSync(join(REPO, "Dockerfile"), "utf8");
    expect(dockerfile).toMatch(new RegExp(`^#.*\\b${name}\\b`, "m"));
    expect(flyText.replace(/#.*$/gm, "")).not.toMatch(new RegExp(`\\b${name}\\b`));
    expect(Object.keys(fly.env ?? {})).not.toContain(name);
  });

  test("the image runs as a non-root user", () => {
    expect(only("USER").args).not.toMatch(/^(root|0)(:|$)/);
  });
});
