/**
 * Whether a second core would sit idle without the tile helper: only then is
 * sharing a tile worth its cost. A shared tile takes 7-15% more CPU than one
 * drawn whole (two queries walk the same keys, two threads wake and wait),
 * which under full load (every core busy with a server process) is lost
 * throughput: sharing every tile the helper was free for measured 395-398
 * tiles/s uncached, against 407-430 sharing fewer.
 *
 * Judged over the last WINDOW_MS from the machine's idle time (os.cpus()),
 * counting the helper's own drawing as idle, since without it that core
 * would have been.
 */
import { cpus } from "node:os";

/** Long enough for the kernel's 10 ms CPU-time ticks to add up. */
const WINDOW_MS = 100;

/** Idle milliseconds of all cores together, since boot. */
export const machineIdleMs = (): number => cpus().reduce((sum, cpu) => sum + cpu.times.idle, 0);

export class SpareCore {
  private since: number;
  private idleAtStart: number;
  private helperMs = 0;
  private spare = true;

  /** `idleMs`: the machine's idle time so far; `now`: the current time (both ms, for tests). */
  constructor(
    private readonly idleMs: () => number = machineIdleMs,
    now = performance.now(),
  ) {
    this.since = now;
    this.idleAtStart = idleMs();
  }

  /** Notes `ms` of the helper's drawing. */
  helped(ms: number): void {
    this.helperMs += ms;
  }

  /** Whether, over the last window, half a core or more was idle or drawing for the helper. */
  available(now = performance.now()): boolean {
    const elapsed = now - this.since;
    if (elapsed < WINDOW_MS) return this.spare;
    const idle = this.idleMs();
    this.spare = (idle - this.idleAtStart + this.helperMs) / elapsed >= 0.5;
    this.since = now;
    this.idleAtStart = idle;
    this.helperMs = 0;
    return this.spare;
  }
}
