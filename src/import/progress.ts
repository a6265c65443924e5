/**
 * Progress on stderr (import, export). On a terminal, one bar redrawn in place at most
 * ten times a second; in a log (not a TTY) a plain line every few seconds, so
 * CI output and `2> file` stay readable.
 */

export interface ProgressOptions {
  /** Files to go through. */
  total: number;
  /** Draw a live bar (stderr is a terminal) instead of periodic lines. */
  tty: boolean;
  write: (text: string) => void;
  /** Clock in ms; tests pass their own. */
  now?: () => number;
  /** What is counted; default the import's. */
  units?: ProgressUnits;
}

export interface ProgressUnits {
  /** Prefix of a log line. */
  label: string;
  /** What `done` counts. */
  items: string;
  /** What the rate counts. */
  rate: string;
}

const IMPORT_UNITS: ProgressUnits = { label: "import", items: "files", rate: "activities" };

/** Redraws of the bar: more than ten a second only costs CPU. */
const BAR_INTERVAL_MS = 100;
/** Lines in a log: often enough to show life, rarely enough to read. */
const LINE_INTERVAL_MS = 5000;
const BAR_WIDTH = 24;

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export class Progress {
  private readonly options: ProgressOptions;
  private readonly now: () => number;
  private readonly started: number;
  private last = -Infinity;
  private drawn = false;

  constructor(options: ProgressOptions) {
    this.options = options;
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
    // A log gets its first line after an interval: short imports print only the summary.
    if (!options.tty) this.last = this.started;
  }

  /** The status line for `done` items (files) with `counted` (activities stored) among them. */
  line(done: number, counted: number): string {
    const { total } = this.options;
    const units = this.options.units ?? IMPORT_UNITS;
    const seconds = Math.max((this.now() - this.started) / 1000, 1e-3);
    const rate = counted / seconds;
    const eta = done > 0 && done < total ? ` ETA ${formatDuration(((total - done) * seconds) / done)}` : "";
    const counts = `${done}/${total} ${units.items}, ${rate.toFixed(rate < 10 ? 1 : 0)} ${units.rate}/s${eta}`;
    if (!this.options.tty) return `${units.label}: ${counts}`;
    const filled = total > 0 ? Math.round((BAR_WIDTH * done) / total) : BAR_WIDTH;
    return `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${counts}`;
  }

  update(done: number, counted: number): void {
    const t = this.now();
    if (t - this.last < (this.options.tty ? BAR_INTERVAL_MS : LINE_INTERVAL_MS)) return;
    this.last = t;
    this.drawn = true;
    this.options.write(this.options.tty ? `\r\x1b[2K${this.line(done, counted)}` : `${this.line(done, counted)}\n`);
  }

  /** Clears the bar so the summary starts on a clean line. */
  finish(): void {
    if (this.options.tty && this.drawn) this.options.write("\r\x1b[2K");
  }
}
