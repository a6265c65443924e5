/** `hotpot serve` as a real process for end-to-end tests and benchmarks: its URL, its pid's memory and threads, a clean stop. */
import { join } from "node:path";
import { readdirSync, readFileSync } from "node:fs";

const REPO = join(import.meta.dir, "../..");

export interface Served {
  base: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts `hotpot serve --port 0 ARGS` with `env` added to this process's environment (minus any tokens), and waits for its URL. */
export async function startServe(args: string[], env: Record<string, string> = {}): Promise<Served> {
  const inherited = { ...process.env } as Record<string, string>;
  delete inherited.HOTPOT_UPLOAD_TOKEN;
  delete inherited.HOTPOT_READ_TOKEN;
  const proc = Bun.spawn(["bun", join(REPO, "src/cli.ts"), "serve", "--port", "0", ...args], { env: { ...inherited, ...env }, stdout: "pipe", stderr: "pipe" });
  const reader = proc.stdout.getReader();
  let out = "";
  let url: RegExpExecArray | null = null;
  while (!(url = /(http:\/\/\S+?)\/(\s|$)/.exec(out))) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`hotpot serve exited: ${out}${await new Response(proc.stderr).text()}`);
    out += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return {
    base: url[1],
    pid: proc.pid,
    async stop() {
      proc.kill();
      await proc.exited;
    },
  };
}

/** A process's resident set now and at its peak (VmHWM), in MB, from Linux's /proc. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/** The names of a process's threads, from Linux's /proc (a worker thread is named by its Worker's `name` option). */
export function threadNames(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
    try {
      return [readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim()];
    } catch {
      return []; // ended between the listing and the read
    }
  });
}

/**
 * A child process's peak RSS in MB, read from /proc every 10 ms until it exits
 * (rusage's maxRSS would do, but after a vfork-style spawn it includes the
 * parent's own peak).
 */
export async function peakWhileRunning(proc: { pid: number; exited: Promise<number> }): Promise<number> {
  let peak = 0;
  let running = true;
  proc.exited.then(() => (running = false));
  while (running) {
    try {
      // A process that has exited but is not yet reaped has no VmHWM (NaN).
      const now = memoryOf(proc.pid).peak;
      if (now > peak) peak = now;
    } catch {
      break; // gone between the check and the read
    }
    await Bun.sleep(10);
  }
  return peak;
}

/** Files as a multipart/form-data body, encoded up front so that sending it costs the sender's event loop nothing. */
export async function multipart(files: [string, Uint8Array][]): Promise<{ body: Uint8Array; type: string }> {
  const form = new FormData();
  for (const [name, bytes] of files) form.append("file", new File([bytes as BlobPart], name));
  const encoded = new Response(form);
  // Read before the body: Bun fills in the boundary lazily and forgets it once the body is read.
  const type = encoded.headers.get("content-type")!;
  return { body: new Uint8Array(await encoded.arrayBuffer()), type };
}

/** POSTs an encoded body to /upload; the answer's status, body and how long it took. */
export async function postUpload(base: string, upload: { body: Uint8Array; type: string }, headers: Record<string, string> = {}): Promise<{ ms: number; status: number; body: string }> {
  const t = performance.now();
  const res = await fetch(`${base}/upload`, { method: "POST", body: upload.body as Uint8Array<ArrayBuffer>, headers: { ...headers, "Content-Type": upload.type } });
  const body = await res.text();
  return { ms: performance.now() - t, status: res.status, body };
}

/** Posts files to /upload as multipart/form-data. */
export async function uploadFiles(base: string, files: [string, Uint8Array][], headers: Record<string, string> = {}): Promise<{ ms: number; status: number; body: string }> {
  return postUpload(base, await multipart(files), headers);
}

/** Asks for `paths` in turn every 10 ms until stopped: the worst latency per path, and how many rounds were answered. */
export function probe(base: string, paths: string[]) {
  const worst = new Map(paths.map((p) => [p, 0]));
  let rounds = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      rounds++;
      for (const path of paths) {
        const t = performance.now();
        const res = await fetch(base + path);
        await res.arrayBuffer();
        if (res.status >= 400) throw new Error(`${path}: ${res.status}`);
        worst.set(path, Math.max(worst.get(path)!, performance.now() - t));
      }
      await Bun.sleep(10);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { worst, rounds };
    },
  };
}
