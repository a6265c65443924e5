/**
 * `hotpot import` end to end: list the files, join the CSV, fan the CPU work
 * out to workers, and write on this thread in batches.
 *
 *   sources ──> main: CSV join, skip stored keys ──> workers: read/inflate, hash, parse, track, clip
 *                                                        │ record + packed tiles (transferred)
 *   summary <── progress <── main: BatchWriter (one transaction per batch) <─┘
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { CLI_MAX_FILE_BYTES } from "../decompress.ts";
import { HotpotError } from "../errors.ts";
import { isSupportedName } from "../parse/index.ts";
import { WRITE_CACHE_MIB, type Store } from "../store.ts";
import { readJoinTable, normaliseJoinPath, type JoinRow, type JoinTable } from "./join.ts";
import { unpackTiles } from "./pack.ts";
import { importPool } from "./pool.ts";
import { Progress } from "./progress.ts";
import { errorReason } from "./prepare.ts";
import { openSource, ROOT_CSV, type Source, type SourceItem } from "./sources.ts";
import { emptySummary, type ImportSummary } from "./summary.ts";
import type { WorkerInit, WorkerResult, WorkerTask } from "./worker.ts";
import { BatchWriter } from "./writer.ts";
import type { ZipArchive } from "./zip.ts";

export interface ImportOptions {
  /** A file, a folder (walked recursively) or a .zip archive. */
  path: string;
  /** A CSV to join; default: the activities.csv at the root of a folder or archive, if any. */
  join?: string;
  /** Workers; default one per core. */
  jobs?: number;
  /** Remove every stored activity first. */
  reset?: boolean;
  /** Store a new trim_dist (metres) before importing; default: keep the stored one. */
  trim?: number;
  /** Largest file after unpacking (--max-file-mb); default CLI_MAX_FILE_BYTES, 1 GB. */
  maxFileBytes?: number;
  /** Where progress goes; default: nowhere. */
  progress?: { tty: boolean; write: (text: string) => void };
}

/**
 * Tasks queued per worker. A batch commit holds the main thread for a few hundred ms,
 * the time a worker takes for 50 or so files; a deeper queue keeps it busy meanwhile.
 * Only the task messages wait (and zip entries' compressed bytes), not the files' contents.
 */
const DEPTH = 64;

interface Planned {
  item: SourceItem;
  /** What the summary calls the file. */
  display: string;
  row?: JoinRow;
}

interface Joined {
  table: JoinTable;
  /** The folder the CSV's paths are relative to; null inside an archive, where they are entry names. */
  dir: string | null;
}

function openJoin(given: string, source: Source, joinPath: string | undefined): Joined | null {
  if (joinPath !== undefined) {
    let text: string;
    try {
      text = readFileSync(joinPath, "utf8");
    } catch {
      throw new HotpotError("not_found", `--join ${joinPath}: cannot read the CSV file`);
    }
    return { table: readJoinTable(text, joinPath), dir: dirname(resolve(joinPath)) };
  }
  if (source.rootCsv === null) return null;
  // In an archive the CSV's relative paths start at the archive's root, which is what entry names are.
  return { table: readJoinTable(source.rootCsv, displayPath(given, source, ROOT_CSV)), dir: source.kind === "zip" ? null : source.root };
}

/** A file as the user would name it: under the path they gave; `export.zip:activities/1.fit` inside an archive. */
function displayPath(given: string, source: Source, rel: string): string {
  if (source.kind === "zip") return `${given}:${rel}`;
  if (source.kind === "file") return given;
  return join(given, rel);
}

/**
 * The paths the Rust hotpot would have recorded for a file: the folder as
 * given joined with the file's place in it (its directory walk keeps a
 * leading ./), or the file as given. It read no archives.
 */
function rustPaths(given: string, source: Source, rel: string): string[] {
  if (source.kind === "zip") return [];
  if (source.kind === "file") return [given];
  return [join(given, rel), `${given.replace(/\/+$/, "")}/${rel}`];
}

/** Decides each file's fate on this thread, cheapest checks first: a re-imported Strava export reads no file. */
function plan(store: Store, given: string, source: Source, joined: Joined | null, summary: ImportSummary): Planned[] {
  const seenRows = new Set<string>();
  const byRust = store.rustImportedPaths();
  const knownToRust = (rel: string) => byRust.size > 0 && rustPaths(given, source, rel).some((p) => byRust.has(p));
  const planned: Planned[] = [];
  for (const item of source.items) {
    summary.files++;
    const joinKey = joined ? normaliseJoinPath(item.path && joined.dir ? relative(joined.dir, item.path) : item.rel) : "";
    const row = joined?.table.rows.get(joinKey);
    if (row) seenRows.add(joinKey);
    if (!isSupportedName(item.rel)) summary.skipped.unsupported++;
    else if ((row?.key && store.findExisting(row.key, null)) || knownToRust(item.rel)) summary.skipped.already_stored++;
    else planned.push({ item, display: displayPath(given, source, item.rel), row });
  }
  if (joined) summary.csv = { source: joined.table.source, withoutFile: joined.table.rows.size - seenRows.size, manual: joined.table.manual };
  return planned;
}

/** The worker's task for a file, with the buffers to transfer. Throws when a zip entry cannot be read. */
function taskFor({ item, row }: Planned, zip: ZipArchive | null): { task: WorkerTask; transfer: Transferable[] } {
  const task: WorkerTask = { name: item.rel, path: item.path, key: row?.key, title: row?.title, startTime: row?.startTime, properties: row?.properties };
  if (!item.entry) return { task, transfer: [] };
  task.raw = zip!.readRaw(item.entry);
  task.method = item.entry.method;
  task.size = item.entry.size;
  return { task, transfer: [task.raw.buffer] };
}

export async function runImport(store: Store, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const source = openSource(options.path);
  const summary = emptySummary();
  try {
    // Everything that can refuse the import (a bad CSV) comes before anything is changed.
    const joined = openJoin(options.path, source, options.join);
    if (options.reset) store.reset();
    if (options.trim !== undefined) store.setConfig("trim_dist", options.trim);
    const planned = plan(store, options.path, source, joined, summary);
    if (planned.length > 0) await prepareAndWrite(store, planned, source.zip, summary, options);
  } finally {
    source.zip?.close();
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

/** Fans the planned files out to workers and writes what comes back, in batches. */
async function prepareAndWrite(store: Store, planned: Planned[], zip: ZipArchive | null, summary: ImportSummary, options: ImportOptions): Promise<void> {
  const config = store.config();
  const progress = options.progress ? new Progress({ total: summary.files, ...options.progress }) : null;
  let done = summary.files - planned.length;
  const writer = new BatchWriter(store, (outcome) => {
    if (outcome === "added") summary.imported++;
    else summary.skipped.already_stored++;
  });
  const onResult = (p: Planned, r: WorkerResult) => {
    done++;
    summary.bytes += r.bytes;
    if (r.ok) {
      summary.points += r.points;
      writer.add({ ...r.record, tiles: unpackTiles(r.tiles) });
    } else if (r.status === "skipped") {
      summary.skipped[r.reason]++;
    } else {
      summary.failed.push({ path: p.display, reason: r.reason });
    }
    progress?.update(done, summary.imported);
  };
  const failed = (p: Planned, e: unknown) => onResult(p, { ok: false, status: "error", reason: errorReason(e), bytes: 0 });

  const init: WorkerInit = {
    options: { zoomLevels: config.zoom_levels, tileExtent: config.tile_extent, trimDist: config.trim_dist, maxFileBytes: options.maxFileBytes ?? CLI_MAX_FILE_BYTES },
    knownHashes: store.fileHashes(),
  };
  const jobs = options.jobs ?? navigator.hardwareConcurrency;
  const pool = importPool(init, jobs, DEPTH);
  const readCache = store.pageCache(WRITE_CACHE_MIB);
  try {
    const all: Promise<void>[] = [];
    for (const p of planned) {
      await pool.available();
      let work;
      try {
        work = taskFor(p, zip);
      } catch (e) {
        failed(p, e);
        continue;
      }
      all.push(pool.run(work.task, work.transfer).then((r) => onResult(p, r), (e: unknown) => failed(p, e)));
    }
    await Promise.all(all);
  } finally {
    pool.terminate();
    writer.flush();
    store.pageCache(readCache);
    progress?.finish();
  }
}
