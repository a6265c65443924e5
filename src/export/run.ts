/**
 * `hotpot export` end to end: plan the pyramid, draw batches of tiles on
 * workers, write them on this thread in tile-id order.
 *
 *   pyramid.ts: tiles with stored data ──> workers: draw + encode (batch.ts) ──> main: archive writer, in order
 *                                                                                    └─> progress
 */
import { existsSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { HotpotError } from "../errors.ts";
import { Progress } from "../import/progress.ts";
import { resolveGradient } from "../palette.ts";
import { checkBounds, TILE_SIZES } from "../render.ts";
import type { Store } from "../store.ts";
import type { Bounds } from "../tile.ts";
import { archiveKind, Extent, type ArchiveInfo, type ArchiveWriter } from "./archive.ts";
import { renderBatch, type ExportTask, type TileSettings } from "./batch.ts";
import { MbtilesWriter } from "./mbtiles.ts";
import { PmtilesWriter } from "./pmtiles.ts";
import { pyramidTiles, type ZoomRange, type ZoomTiles } from "./pyramid.ts";
import { SqlitedbWriter } from "./sqlitedb.ts";
import type { ExportWorkerInit } from "./export-worker.ts";
import { WorkerPool } from "../workers.ts";

export interface ExportOptions extends TileSettings {
  out: string;
  zooms: ZoomRange;
  /** Only tiles meeting these; default: everywhere there is data. */
  bounds?: Bounds;
  /** Workers; default one per core. */
  jobs?: number;
  /** Where progress goes; default: nowhere. */
  progress?: { tty: boolean; write: (text: string) => void };
  /** Called after each batch with the tiles gone through and the tiles to go through. */
  onProgress?: (done: number, total: number) => void;
}

export interface ExportSummary {
  /** Tiles in the archive. */
  tiles: number;
  /** Of those, tiles an interrupted export had written already. */
  resumed: number;
  /** Tiles looked at that drew nothing (masked, filtered out, or lines just outside). */
  empty: number;
  bytes: number;
}

/** Tiles per worker task: enough to make a message's cost negligible, few enough to keep every worker busy. */
const BATCH = 32;
/** Tasks in flight per worker, so none waits while the main thread writes. */
const DEPTH = 3;

const ATTRIBUTION = "Heatmap: hotpot";

function openWriter(out: string, info: ArchiveInfo): ArchiveWriter {
  const kind = archiveKind(out);
  if (kind === "mbtiles") return new MbtilesWriter(out, info);
  if (kind === "sqlitedb") return new SqlitedbWriter(out, info);
  return new PmtilesWriter(out, info);
}

/** Batches of one zoom's tiles, skipping those the archive has; `skipped` sees each of those. */
function* batches(plan: ZoomTiles[], writer: ArchiveWriter, skipped: (z: number, x: number, y: number) => void): Generator<ExportTask> {
  for (const { z, xy } of plan) {
    let pending: number[] = [];
    for (let i = 0; i < xy.length; i += 2) {
      if (writer.has(z, xy[i], xy[i + 1])) skipped(z, xy[i], xy[i + 1]);
      else pending.push(xy[i], xy[i + 1]);
      if (pending.length === 2 * BATCH || (i + 2 >= xy.length && pending.length > 0)) {
        yield { z, xy: Uint32Array.from(pending) };
        pending = [];
      }
    }
  }
}

export async function runExport(store: Store, options: ExportOptions): Promise<ExportSummary> {
  archiveKind(options.out);
  if (!TILE_SIZES.includes(options.size)) {
    throw new HotpotError("bad_argument", `tile-size: expected one of ${TILE_SIZES.join(", ")}, found ${options.size}`);
  }
  if (options.bounds) checkBounds(options.bounds);
  const folder = dirname(resolve(options.out));
  if (!existsSync(folder)) throw new HotpotError("not_found", `output: folder ${folder} does not exist`);
  const settings: TileSettings = { size: options.size, format: options.format, color: options.color, gradient: options.gradient, query: options.query };
  const palette = resolveGradient({ color: settings.color, gradient: settings.gradient });

  const plan = pyramidTiles(store, options.zooms, options.bounds);
  const total = plan.reduce((n, p) => n + p.xy.length / 2, 0);
  const fingerprint = new Bun.CryptoHasher("sha1")
    .update(JSON.stringify({ settings, zooms: options.zooms, bounds: options.bounds ?? null, db: store.path, data: store.dataVersion() }))
    .digest("hex");
  const info: ArchiveInfo = {
    name: basename(options.out).replace(/\.[^.]+$/, ""),
    format: options.format,
    tileSize: options.size,
    minZoom: options.zooms.min,
    maxZoom: options.zooms.max,
    attribution: ATTRIBUTION,
    fingerprint,
  };

  const writer = openWriter(options.out, info);
  const extent = new Extent();
  const progress = options.progress ? new Progress({ total, ...options.progress, units: { label: "export", items: "tiles", rate: "tiles" } }) : null;
  let done = 0;
  let empty = 0;
  const skip = (z: number, x: number, y: number) => {
    extent.add(z, x, y);
    done++;
  };
  const take = (task: ExportTask, tiles: (Uint8Array | null)[]) => {
    writer.write(task.z, task.xy, tiles);
    tiles.forEach((bytes, i) => (bytes ? extent.add(task.z, task.xy[2 * i], task.xy[2 * i + 1]) : empty++));
    done += tiles.length;
    progress?.update(done, done);
    options.onProgress?.(done, total);
  };

  // An in-memory database cannot be opened by another thread: draw here.
  const inline = store.path === ":memory:";
  const jobs = Math.max(1, options.jobs ?? navigator.hardwareConcurrency);
  const init: ExportWorkerInit = { ...settings, dbPath: store.path };
  const pool = inline
    ? null
    : new WorkerPool<ExportTask, (Uint8Array | null)[]>(() => new Worker(new URL("./export-worker.ts", import.meta.url)), { size: jobs, depth: DEPTH, init, name: "export worker" });
  let finished = false;
  try {
    const inFlight: { task: ExportTask; tiles: Promise<(Uint8Array | null)[]> }[] = [];
    const settle = async () => {
      const head = inFlight.shift()!;
      const tiles = await head.tiles.catch((e: unknown) => {
        throw new Error(`export: drawing zoom ${head.task.z} failed: ${e instanceof Error ? e.message : String(e)}`);
      });
      take(head.task, tiles);
    };
    for (const task of batches(plan, writer, skip)) {
      if (!pool) {
        take(task, renderBatch(store, settings, palette, task));
        continue;
      }
      // Written in the order asked, so the archive's data stays in tile-id order.
      if (inFlight.length >= jobs * DEPTH) await settle();
      const tiles = pool.run(task);
      // Awaited in turn by settle; until then (or when a failure abandons it) its rejection is not unhandled.
      tiles.catch(() => undefined);
      inFlight.push({ task, tiles });
    }
    while (inFlight.length > 0) await settle();
    progress?.finish();
    const bytes = writer.finish(extent.summary());
    finished = true;
    return { tiles: extent.summary().tiles, resumed: writer.resumed, empty, bytes };
  } finally {
    pool?.terminate();
    if (!finished) writer.close();
  }
}
