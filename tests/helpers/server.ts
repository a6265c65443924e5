/**
 * A real `hotpot serve` process on 127.0.0.1 and a free port, as a user
 * starts it, for the browser tests.
 */
import { join } from "node:path";

const CLI = join(import.meta.dir, "../../src/cli.ts");

export interface ServeFlags {
  upload?: boolean;
  render?: boolean;
  /** HOTPOT_UPLOAD_TOKEN for the process. */
  token?: string;
  /** A fixed port, to start a server again where a page expects it (default: a free one). */
  port?: number;
  /** The CLI to run (default this checkout's src/cli.ts; the page benchmark runs an older one too). */
  cli?: string;
  /** --cache-mb (default the server's own). */
  cacheMb?: number;
}

export interface RunningServer {
  origin: string;
  stop(): Promise<void>;
}

export async function startServer(dbPath: string, flags: ServeFlags = {}): Promise<RunningServer> {
  const args = ["--db", dbPath, "serve", "--host", "127.0.0.1", "--port", String(flags.port ?? 0), "--workers", "1", "--quiet"];
  if (flags.upload) args.push("--upload");
  if (flags.render) args.push("--render");
  if (flags.cacheMb !== undefined) args.push("--cache-mb", String(flags.cacheMb));
  const env: Record<string, string | undefined> = { ...process.env, HOTPOT_UPLOAD_TOKEN: flags.token };
  if (flags.token === undefined) delete env.HOTPOT_UPLOAD_TOKEN;
  const proc = Bun.spawn(["bun", flags.cli ?? CLI, ...args], { env, stdout: "pipe", stderr: "pipe" });

  // The first line says where it listens: "hotpot: serving ... at http://127.0.0.1:PORT/ ...".
  const reader = proc.stdout.getReader();
  let text = "";
  const deadline = Date.now() + 20_000;
  let origin: string | null = null;
  while (!origin) {
    const { value, done } = await Promise.race([reader.read(), Bun.sleep(Math.max(0, deadline - Date.now())).then(() => ({ value: undefined, done: true }))]);
    if (done) {
      proc.kill();
      throw new Error(`hotpot serve did not start: ${text}${await new Response(proc.stderr).text()}`);
    }
    text += new TextDecoder().decode(value);
    origin = /at (http:\/\/127\.0\.0\.1:\d+)\//.exec(text)?.[1] ?? null;
  }
  reader.releaseLock();
  return {
    origin,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}
