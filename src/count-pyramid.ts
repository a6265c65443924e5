/**
 * The count pyramid (issue 19): the busiest unfiltered frequency tiles are
 * stored as counts (src/store/counts.ts), so the default map view is a
 * lookup, the masks, a palette and an encode rather than 20-50 ms of
 * drawing. Which tiles: those whose source rows hold at least MIN_BYTES of
 * geometry (MIN_OVERZOOM_BYTES beyond the deepest level) and whose counts
 * add up to MIN_MARKS, at both tile sizes the map asks for; the others are
 * drawn as before (those judged are kept as NOT_STORED rows, so a build does
 * not judge them again). Counts saturate at 255, so they cannot be kept by
 * adding and subtracting: a write removes the tiles it touches (in its
 * transaction) and buildPyramid draws what is missing again, on workers.
 *
 *   worker: plan (levelWeights → per zoom, minus stored) ──> workers draw + deflate ──> main: one write per batch,
 *                                                                                        only if the data version has not moved
 */
import type { TileSize } from "./args.ts";
import { reading, type Reading } from "./query.ts";
import { drawTilePart } from "./render.ts";
import { NOT_STORED, packCounts, type CountTile, type Store, type TileAddress } from "./store.ts";
import { sourceZoom } from "./tile.ts";
import { WorkerPool } from "./workers.ts";

/** The sizes stored: the map page's 512 and the 256 of other clients; 1024 (@2x) is drawn. */
export const PYRAMID_SIZES: readonly TileSize[] = [256, 512];

/** Deepest zoom stored: the map's tiles go to 18 (two past the default deepest level, 16). */
export const PYRAMID_MAX_ZOOM = 18;

/**
 * Nor more than this many zooms past the deepest stored level: each zoom
 * deeper has four times the tiles, and drawing them for the pyramid was
 * most of its cost (README, Performance: the count pyramid). Two zooms
 * past, a tile draws a sixteenth of its source tile, and skips the rest of
 * it (raster.ts culling) fast enough to be drawn when asked for.
 */
export const MAX_OVERZOOM = 1;

/*
 * Which tiles are stored: three limits, chosen on the render benchmark's
 * 100,000 km session (README, Performance: the count pyramid, where the
 * limits tried are measured). Lower limits store the many 1-4 ms tiles the
 * median is made of, at more database; the over-zoomed tiles (zoom 17,
 * lines 8 px wide) are the largest to store and the ones whose bytes say
 * least about their cost, hence their own limit.
 */

/** Geometry bytes under a tile (at its source level) from which it is drawn and judged. */
export const MIN_BYTES = 30_000;

/**
 * The same for a tile deeper than the deepest stored level, by the bytes of
 * the one source tile it reads: it draws only a quarter of them, so only
 * the busiest source tiles' quarters, with lines 8 px wide, are slow.
 */
export const MIN_OVERZOOM_BYTES = 150_000;

/**
 * A judged tile is stored when its counts add up to this many (each
 * activity's pixels once), and kept as NOT_STORED otherwise: what is drawn,
 * not what is read, tells a cheap over-zoomed corner from a busy tile.
 */
export const MIN_MARKS = 150_000;

/** Writes go in batches of this many tiles: one transaction each, short enough not to hold up other writers. */
const BATCH = 32;

/** A write that came in while building starts it over; after this many, the rest waits for the next build. */
const ATTEMPTS = 3;

export interface PyramidTask extends TileAddress {
  size: TileSize;
}

/** Which tiles are judged and which stored; DEFAULT_LIMITS are the three above (tests judge and store every tile). */
export interface PyramidLimits {
  minBytes: number;
  minOverzoomBytes: number;
  minMarks: number;
}

export const DEFAULT_LIMITS: PyramidLimits = { minBytes: MIN_BYTES, minOverzoomBytes: MIN_OVERZOOM_BYTES, minMarks: MIN_MARKS };

/** The tiles the pyramid judges for these stored levels, at each size: those with enough geometry under them. */
export function pyramidTiles(store: Store, levels: readonly number[], limits: PyramidLimits): PyramidTask[] {
  const weights = new Map(levels.map((z) => [z, store.levelWeights(z)]));
  const out: PyramidTask[] = [];
  const add = (z: number, x: number, y: number) => {
    for (const size of PYRAMID_SIZES) out.push({ z, x, y, size });
  };
  const deepest = Math.min(PYRAMID_MAX_ZOOM, Math.max(...levels) + MAX_OVERZOOM);
  for (let z = 0; z <= deepest; z++) {
    const zs = sourceZoom(z, levels);
    const w = weights.get(zs)!;
    if (z > zs) {
      // Over-zoomed: every tile inside a busy source tile reads all of its rows.
      const d = z - zs;
      for (let i = 0; i < w.length; i += 3) {
        if (w[i + 2] < limits.minOverzoomBytes) continue;
        for (let x = w[i] << d; x < (w[i] + 1) << d; x++) for (let y = w[i + 1] << d; y < (w[i + 1] + 1) << d; y++) add(z, x, y);
      }
      continue;
    }
    const d = zs - z;
    const sums = new Map<number, number>();
    for (let i = 0; i < w.length; i += 3) {
      const k = (w[i] >> d) * 2 ** 20 + (w[i + 1] >> d);
      sums.set(k, (sums.get(k) ?? 0) + w[i + 2]);
    }
    for (const [k, bytes] of sums) if (bytes >= limits.minBytes) add(z, Math.floor(k / 2 ** 20), k % 2 ** 20);
  }
  return out;
}

/**
 * A tile's counts drawn as the renderer draws them before the masks, packed;
 * NOT_STORED as the packed counts when the tile is cheap to draw after all.
 */
function drawCountTile(r: Reading, t: PyramidTask, minMarks: number): CountTile {
  const raster = drawTilePart(r, t.z, t.x, t.y, t.size);
  const tile: CountTile = { z: t.z, x: t.x, y: t.y, size: t.size, packed: NOT_STORED };
  if (raster && marks(raster.counts) >= minMarks) tile.packed = packCounts(raster.counts, t.size);
  return tile;
}

function marks(counts: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < counts.length; i++) sum += counts[i];
  return sum;
}

export interface PyramidBuild {
  /** Tiles judged (stored or marked NOT_STORED) in all. */
  wanted: number;
  /** Tiles drawn and judged by this build. */
  stored: number;
}

/** What a pyramid worker (count-pyramid-worker.ts) is given once. */
export interface PyramidInit {
  dbPath: string;
  limits: PyramidLimits;
  /** The worker thread's nice value, when it should yield to the others in the process. */
  nice?: number;
}

/** A pyramid worker's job, and its answer: the plan (which tiles the pyramid lacks), or one tile drawn. */
export type PyramidJob = { plan: true } | { tile: PyramidTask };
export type PyramidAnswer = { plan: PyramidPlan } | { tile: CountTile };

export interface PyramidPlan {
  /** The data version planned from: what is drawn is stored only while it holds. */
  version: number;
  /** Tiles judged in all. */
  wanted: number;
  missing: PyramidTask[];
  /** Stored tiles the limits no longer judge (a database from before they changed). */
  unwanted: (TileAddress & { size: number })[];
}

const addressKey = (t: TileAddress & { size: number }) => `${t.z}/${t.x}/${t.y}/${t.size}`;

/**
 * The tiles the pyramid lacks, and those it holds but no longer judges. It
 * reads every stored level's tile weights (tens of milliseconds on a large
 * collection), so it runs on a pyramid worker, never on a thread that
 * answers requests.
 */
export function planPyramid(store: Store, limits: PyramidLimits): PyramidPlan {
  const { version, config } = store.snapshot();
  const wanted = pyramidTiles(store, config.zoom_levels, limits);
  const stored = store.countTileAddresses();
  const held = new Set(stored.map(addressKey));
  const judged = new Set(wanted.map(addressKey));
  return {
    version,
    wanted: wanted.length,
    missing: wanted.filter((t) => !held.has(addressKey(t))),
    unwanted: stored.filter((t) => !judged.has(addressKey(t))),
  };
}

/** What a pyramid worker does with a job. */
export function answerJob(store: Store, limits: PyramidLimits, job: PyramidJob): PyramidAnswer {
  return "plan" in job ? { plan: planPyramid(store, limits) } : { tile: drawCountTile(reading(store, null), job.tile, limits.minMarks) };
}

export interface BuildOptions {
  /** Worker threads. */
  jobs: number;
  /** Default DEFAULT_LIMITS. */
  limits?: PyramidLimits;
  /** Stops the build after the tiles under way (what is stored stays). */
  signal?: AbortSignal;
  /** The workers' nice value (default: the process's): `hotpot serve` builds behind its requests. */
  nice?: number;
}

/**
 * Draws and stores the tiles the pyramid lacks, on `jobs` workers (each
 * with its own read-only connection), which also plan them. Stored tiles
 * drawn before a write that touched them are gone already; tiles drawn while
 * a write came in are thrown away and drawn again. An in-memory store has no
 * pyramid: no other thread could read it.
 */
export async function buildPyramid(store: Store, { jobs, limits = DEFAULT_LIMITS, signal, nice }: BuildOptions): Promise<PyramidBuild> {
  const result: PyramidBuild = { wanted: 0, stored: 0 };
  if (store.path === ":memory:") return result;
  const pool = new WorkerPool<PyramidJob, PyramidAnswer>(() => new Worker(new URL("./count-pyramid-worker.ts", import.meta.url)), {
    size: jobs,
    depth: 2,
    init: { dbPath: store.path, limits, nice } satisfies PyramidInit,
    name: "pyramid worker",
  });
  try {
    for (let attempt = 0; attempt < ATTEMPTS && !signal?.aborted; attempt++) {
      const answer = await pool.run({ plan: true });
      if (!("plan" in answer)) throw new Error("count pyramid: a worker answered a plan with a tile");
      const { version, wanted, missing, unwanted } = answer.plan;
      result.wanted = wanted;
      if (unwanted.length > 0) store.dropCountTiles(unwanted);
      if (missing.length === 0) return result;
      let batch: CountTile[] = [];
      let current = true;
      const flush = () => {
        if (current && batch.length > 0) current = store.putCountTiles(version, batch);
        if (current) result.stored += batch.length;
        batch = [];
      };
      const drawn: Promise<void>[] = [];
      for (const tile of missing) {
        await pool.available();
        if (!current || signal?.aborted) break;
        drawn.push(
          pool.run({ tile }).then((answer) => {
            if ("tile" in answer && batch.push(answer.tile) >= BATCH) flush();
          }),
        );
      }
      await Promise.all(drawn);
      flush();
      if (current) return result;
    }
    return result;
  } finally {
    pool.terminate();
  }
}
