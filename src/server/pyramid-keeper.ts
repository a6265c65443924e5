/**
 * Keeps the count pyramid (src/count-pyramid.ts) complete while serving. A write
 * (an upload, the Strava webhook, a delete, another process's import) has
 * removed the tiles it touched, so they are drawn from geometry until this
 * draws them again: on a worker thread, in the background, once the data
 * version has moved. Which tiles are missing is worked out on that worker
 * too (it reads every stored level), so a check costs this thread one read
 * of the data version, and a rebuild only the writes of what was drawn. The first check also builds the pyramid of a database
 * that has none yet (one from before it existed). Only the primary process
 * keeps it: the others would draw the same tiles.
 */
import { buildPyramid, DEFAULT_LIMITS, type PyramidLimits } from "../count-pyramid.ts";
import type { Store } from "../store.ts";

/** How often the data version is looked at: a write's tiles are drawn again within this much of it. */
const CHECK_MS = 5_000;

/** The drawing worker's nice value: on a busy machine the threads answering tiles and /healthz come first (as for uploads). */
const BACKGROUND_NICE = 10;

export class PyramidKeeper {
  private readonly timer: Timer;
  private readonly stop = new AbortController();
  /** The data version the last complete build started from. */
  private built = -1;
  private running: Promise<void> | null = null;

  private readonly limits: PyramidLimits;

  /** `everyMs`: how often to check (default CHECK_MS); `limits`: which tiles (default DEFAULT_LIMITS). */
  constructor(
    private readonly store: Store,
    private readonly log: (message: string) => void,
    { everyMs = CHECK_MS, limits = DEFAULT_LIMITS }: { everyMs?: number; limits?: PyramidLimits } = {},
  ) {
    this.limits = limits;
    this.timer = setInterval(() => this.check(), everyMs);
    this.check();
  }

  private check(): void {
    if (this.running || this.stop.signal.aborted) return;
    const version = this.store.dataVersion();
    if (version === this.built) return;
    const started = performance.now();
    this.running = buildPyramid(this.store, { jobs: 1, limits: this.limits, signal: this.stop.signal, nice: BACKGROUND_NICE })
      .then(
        ({ stored }) => {
          if (stored > 0) this.log(`count pyramid: ${stored} tiles drawn in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        },
        // Said once per data version (a read-only file fails every time); tiles are drawn from geometry meanwhile.
        (e: unknown) => this.log(`count pyramid: not brought up to date: ${e instanceof Error ? e.message : String(e)}`),
      )
      .finally(() => {
        this.built = version;
        this.running = null;
      });
  }

  /** Stops checking; resolves once the tiles under way are drawn. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.stop.abort();
    await this.running;
  }
}
