/**
 * Export jobs over HTTP (only with --render): the page's "Download for offline
 * use" can have this server write a bounded archive instead of showing the
 * command.
 *
 *   POST /api/exports?kind=mbtiles|pmtiles|sqlitedb&zooms=MIN-MAX&bounds=W,S,E,N[&size][&format][&color|gradient][&filter&before&after]
 *        → 202 { id, total }; 400 for a bad or too large request; 503 while another job runs
 *   GET  /api/exports/{id}          → { state: running|done|failed, done, total, tiles, bytes, error }
 *   GET  /exports/{id}/heatmap.KIND → the archive, once done
 *
 * A job's status and archive are files in a folder of its own under the temp
 * folder, so every server process (--workers) answers for a job any of them
 * started. The id is random: it is also what lets one download the archive.
 */
import { Elysia } from "elysia";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HotpotError } from "../errors.ts";
import { archiveKind, type ArchiveKind } from "../export/archive.ts";
import { countTiles } from "../export/pyramid.ts";
import { runExport } from "../export/run.ts";
import type { Store } from "../store.ts";
import { jsonResponse, searchParams } from "./http.ts";
import { activityQuery, paletteParam, paletteSpec } from "./params.ts";
import { parseBounds, parseTileSize, parseZooms } from "../args.ts";
import { formatParam } from "./render.ts";

/** Tiles one job may look at: zooms 2-16 of a city take a few thousand, a minute of one core at most. */
export const MAX_EXPORT_TILES = 20_000;
/** A finished job's folder is removed when a later job starts this long after it ended. */
const KEEP_MS = 60 * 60 * 1000;
/** A running job rewrites its status at least this often; older means its process died. */
const HEARTBEAT_MS = 30_000;
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface JobStatus {
  state: "running" | "done" | "failed";
  kind: ArchiveKind;
  done: number;
  total: number;
  tiles: number;
  bytes: number;
  error: string | null;
  updated: number;
}

const CONTENT_TYPE: Record<ArchiveKind, string> = {
  mbtiles: "application/vnd.sqlite3",
  sqlitedb: "application/vnd.sqlite3",
  pmtiles: "application/octet-stream",
};

export interface ExportRouteOptions {
  /** Where jobs live (default: a folder per database under the temp folder, shared by the server's processes). */
  root?: string;
  /** Default MAX_EXPORT_TILES. */
  maxTiles?: number;
}

export function exportRoutes(store: Store, options: ExportRouteOptions = {}) {
  const root = options.root ?? join(tmpdir(), `hotpot-exports-${Bun.hash(store.path).toString(36)}`);
  const maxTiles = options.maxTiles ?? MAX_EXPORT_TILES;
  const statusPath = (id: string) => join(root, id, "status.json");
  const read = (id: string): JobStatus | null => {
    if (!ID.test(id) || !existsSync(statusPath(id))) return null;
    return JSON.parse(readFileSync(statusPath(id), "utf8")) as JobStatus;
  };
  const write = (id: string, status: JobStatus) => writeFileSync(statusPath(id), JSON.stringify({ ...status, updated: Date.now() }));
  const jobs = () => (existsSync(root) ? readdirSync(root).filter((id) => ID.test(id)) : []);

  /** Removes old finished jobs; true when a live job is running. */
  const sweep = (): boolean => {
    let running = false;
    for (const id of jobs()) {
      const status = read(id);
      const age = Date.now() - (status?.updated ?? statSync(join(root, id)).mtimeMs);
      if (status?.state === "running" && age < HEARTBEAT_MS) running = true;
      else if (age > KEEP_MS || status?.state === "running") rmSync(join(root, id), { recursive: true, force: true });
    }
    return running;
  };

  const start = (request: Request): Response => {
    const params = searchParams(request);
    const kind = archiveKind(`heatmap.${params.get("kind") || "mbtiles"}`);
    const zooms = parseZooms(params.get("zooms") || "2-16");
    const bounds = parseBounds(params.get("bounds"));
    const size = parseTileSize(params.get("size") || "256", "size");
    const format = formatParam(params);
    paletteParam(params);
    const { query } = activityQuery(params);
    const total = countTiles(store, zooms, bounds);
    if (total > maxTiles) {
      throw new HotpotError("too_large", `export: these zooms and bounds have ${total} tiles with data, at most ${maxTiles} here: narrow the area or the zooms, or run hotpot export`);
    }
    if (sweep()) throw new HotpotError("busy", "export: another export is running; try again when it is done", { retryAfter: 30 });

    const id = crypto.randomUUID();
    // Made with the first job, so a server whose page never asks leaves nothing in the temp folder.
    mkdirSync(join(root, id), { recursive: true });
    const status: JobStatus = { state: "running", kind, done: 0, total, tiles: 0, bytes: 0, error: null, updated: 0 };
    write(id, status);
    let last = Date.now();
    // One worker: the server's own threads keep answering tiles meanwhile.
    runExport(store, {
      out: join(root, id, `heatmap.${kind}`),
      zooms,
      bounds,
      size,
      format,
      ...paletteSpec(params),
      query,
      jobs: 1,
      onProgress: (done) => {
        status.done = done;
        if (Date.now() - last < 500) return;
        last = Date.now();
        write(id, status);
      },
    }).then(
      (summary) => write(id, { ...status, state: "done", done: total, tiles: summary.tiles, bytes: summary.bytes }),
      (e: unknown) => write(id, { ...status, state: "failed", error: e instanceof Error ? e.message : String(e) }),
    );
    return jsonResponse({ id, total }, 202);
  };

  return new Elysia()
    .post("/api/exports", ({ request }) => start(request), { parse: "none" })
    .get("/api/exports/:id", ({ params }) => {
      const status = read(params.id);
      if (!status) throw new HotpotError("not_found", "export: no such job");
      return jsonResponse(status, 200, { "Cache-Control": "no-store" });
    })
    .get("/exports/:id/:name", ({ params }) => {
      const status = read(params.id);
      if (!status || status.state !== "done" || params.name !== `heatmap.${status.kind}`) throw new HotpotError("not_found", "export: no such archive (yet)");
      const file = Bun.file(join(root, params.id, params.name));
      return new Response(file, {
        headers: {
          "Content-Type": CONTENT_TYPE[status.kind],
          "Content-Disposition": `attachment; filename="${params.name}"`,
          // A one-off download of private settings: no cache keeps it.
          "Cache-Control": "no-store",
        },
      });
    });
}
