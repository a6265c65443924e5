/**
 * Using every core: Bun runs JavaScript on one thread, so `serve --workers N`
 * runs N processes of the same program, all bound to one port with
 * SO_REUSEPORT so the kernel spreads connections among them. Each has its own
 * SQLite connection and tile cache; WAL lets them read while one writes, and
 * every request reads the data version, so a write by one is seen by all.
 *
 * The first process (the primary) starts the others and stops them on
 * SIGTERM. A peer notices a primary that died without stopping it when its
 * stdin, a pipe from the primary, closes.
 */
import type { Subprocess } from "bun";

/**
 * The command that starts this program again. From source that is
 * `bun <entry script>`; in a `bun build --compile` executable the entry lives
 * in the virtual /$bunfs/ folder and the executable itself is the program,
 * so it is just the executable's path.
 */
export function selfCommand(): string[] {
  const compiled = Bun.main.startsWith("/$bunfs/") || /^[A-Z]:[\\/]~BUN[\\/]/.test(Bun.main);
  return compiled ? [process.execPath] : [process.execPath, Bun.main];
}

/** Set in a peer's environment: it serves but starts no processes and watches its stdin. */
export const PEER_ENV = "HOTPOT_SERVE_PEER";

/** A peer that dies on its own is started again after this long (not in a tight loop). */
const RESTART_DELAY_MS = 1000;

export class Peers {
  private readonly children = new Set<Subprocess>();
  private stopping = false;

  /** `args` are the CLI arguments after the program, e.g. ["serve", "--port", "8080", ...]. */
  constructor(
    private readonly args: string[],
    private readonly onMessage: (line: string) => void = (line) => console.error(line),
  ) {}

  start(count: number): void {
    for (let i = 0; i < count; i++) this.spawn();
  }

  get count(): number {
    return this.children.size;
  }

  private spawn(): void {
    const child = Bun.spawn([...selfCommand(), ...this.args], {
      env: { ...process.env, [PEER_ENV]: "1" },
      stdin: "pipe",
      stdout: "inherit",
      stderr: "inherit",
      onExit: (_, code, signal) => {
        this.children.delete(child);
        if (this.stopping) return;
        this.onMessage(`hotpot: server process ${child.pid} exited (${signal ?? `code ${code}`}); starting another in ${RESTART_DELAY_MS} ms`);
        setTimeout(() => this.stopping || this.spawn(), RESTART_DELAY_MS);
      },
    });
    this.children.add(child);
  }

  /** SIGTERM to each (they drain their requests), resolving when all have exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    const exits = [...this.children].map((child) => {
      child.kill("SIGTERM");
      return child.exited;
    });
    await Promise.all(exits);
  }
}

/** In a peer: resolves when the primary is gone (its end of our stdin closed). */
export async function primaryGone(): Promise<void> {
  const reader = Bun.stdin.stream().getReader();
  while (!(await reader.read()).done) {}
}
