/** The counts an import ends with, and the text the command prints. */
import type { PrepareSkip } from "./prepare.ts";

export interface ImportSummary {
  /** Files found under PATH (hidden files and the joined CSV excluded). */
  files: number;
  imported: number;
  skipped: Record<PrepareSkip, number>;
  /** Present when a CSV was joined. */
  csv: {
    source: string;
    /** Rows naming a file that PATH does not hold. */
    withoutFile: number;
    /** Rows with an empty file cell: activities entered by hand. */
    manual: number;
  } | null;
  failed: { path: string; reason: string }[];
  /** Bytes of the files read (after zip extraction, before gunzip). */
  bytes: number;
  /** Track points read from stored and skipped-after-parse files. */
  points: number;
  seconds: number;
}

export function emptySummary(): ImportSummary {
  return {
    files: 0,
    imported: 0,
    skipped: { already_stored: 0, no_track_data: 0, virtual: 0, unsupported: 0 },
    csv: null,
    failed: [],
    bytes: 0,
    points: 0,
    seconds: 0,
  };
}

/** Failures listed without -v; the rest are counted. */
export const FAILURES_SHOWN = 20;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function formatSummary(s: ImportSummary, verbose: boolean): string {
  const lines: string[] = [];
  const rate = s.seconds > 0 ? ` (${Math.round(s.files / s.seconds)} files/s, ${(s.bytes / 1e6 / s.seconds).toFixed(1)} MB/s)` : "";
  lines.push(`Imported ${plural(s.imported, "activity", "activities")} from ${plural(s.files, "file")} in ${s.seconds.toFixed(1)} s${rate}.`);
  const k = s.skipped;
  const skippedTotal = k.already_stored + k.no_track_data + k.virtual + k.unsupported;
  lines.push(
    `Skipped ${skippedTotal}: ${k.already_stored} already stored, ${k.no_track_data} without track data, ${k.virtual} virtual or indoor, ${k.unsupported} unsupported.`,
  );
  if (s.csv) {
    lines.push(
      `${s.csv.source}: ${plural(s.csv.withoutFile, "row")} naming a file that is not there, ${plural(s.csv.manual, "manual activity", "manual activities")} (no file).`,
    );
  }
  if (s.failed.length === 0) {
    lines.push("Failed: 0.");
  } else {
    lines.push(`Failed: ${plural(s.failed.length, "file")} (the others were imported; the exit status stays 0):`);
    const shown = verbose ? s.failed : s.failed.slice(0, FAILURES_SHOWN);
    for (const f of shown) lines.push(`  ${f.path}: ${f.reason}`);
    if (shown.length < s.failed.length) lines.push(`  ... and ${s.failed.length - shown.length} more (-v lists all)`);
  }
  return lines.join("\n");
}
