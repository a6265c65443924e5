/**
 * Distribution figures of a synthetic data set, to check it looks like a real
 * athlete's history: distance and speed per type, sampling intervals, pauses,
 * regions, and how much of the distance runs on roads shared with other
 * activities (what makes a heatmap a heatmap).
 */
import type { Segment } from "../types.ts";

export interface TypeFigures {
  count: number;
  km: number;
  points: number;
  minKm: number;
  maxKm: number;
  /** Mean of moving speeds (km/h). */
  meanSpeed: number;
  /** Share of elapsed time spent stopped. */
  pausedShare: number;
}

export interface Realism {
  byType: Record<string, TypeFigures>;
  kmByRegion: Record<string, number>;
  /** Number of consecutive-point intervals of 1..10 s; key "11+" for longer (pauses). */
  intervals: Record<string, number>;
  /** Share of the distance (in 100 m cells, once per activity) on cells that at least N activities visit. */
  shared: { atLeast2: number; atLeast10: number; atLeast100: number };
}

export interface StatsInput {
  type: string;
  region: string;
  segments: Segment[];
  /** Metres along the planned route. */
  distance: number;
  elapsed: number;
  moving: number;
}

/** About 100 m in latitude; longitude cells are scaled by the latitude. */
const CELL_DEG = 0.0009;

export class RealismCollector {
  private byType = new Map<string, TypeFigures & { speedSum: number; elapsedSum: number; movingSum: number }>();
  private kmByRegion: Record<string, number> = {};
  private intervals = new Float64Array(12);
  private cellCounts = new Map<number, number>();
  /** Every (activity, cell) visit, by cell key, to weigh shared cells by distance. */
  private visits: number[] = [];

  add(a: StatsInput): void {
    const km = a.distance / 1000;
    let t = this.byType.get(a.type);
    if (!t) {
      t = { count: 0, km: 0, points: 0, minKm: Infinity, maxKm: 0, meanSpeed: 0, pausedShare: 0, speedSum: 0, elapsedSum: 0, movingSum: 0 };
      this.byType.set(a.type, t);
    }
    t.count++;
    t.km += km;
    t.minKm = Math.min(t.minKm, km);
    t.maxKm = Math.max(t.maxKm, km);
    t.speedSum += a.moving > 0 ? km / (a.moving / 3600) : 0;
    t.elapsedSum += a.elapsed;
    t.movingSum += a.moving;
    this.kmByRegion[a.region] = (this.kmByRegion[a.region] ?? 0) + km;

    const seen = new Set<number>();
    for (const s of a.segments) {
      t.points += s.lat.length;
      for (let i = 0; i < s.lat.length; i++) {
        if (i > 0) {
          const dt = Math.round((s.time[i] - s.time[i - 1]) / 1000);
          this.intervals[Math.min(11, Math.max(0, dt))]++;
        }
        const lat = s.lat[i];
        const cellX = Math.floor((s.lon[i] * Math.cos((lat * Math.PI) / 180)) / CELL_DEG);
        const key = (Math.floor(lat / CELL_DEG) + 100_000) * 1_000_000 + cellX + 500_000;
        if (!seen.has(key)) {
          seen.add(key);
          this.cellCounts.set(key, (this.cellCounts.get(key) ?? 0) + 1);
          this.visits.push(key);
        }
      }
    }
  }

  result(): Realism {
    const byType: Record<string, TypeFigures> = {};
    for (const [type, t] of this.byType) {
      byType[type] = {
        count: t.count,
        km: round(t.km),
        points: t.points,
        minKm: round(t.minKm),
        maxKm: round(t.maxKm),
        meanSpeed: round(t.speedSum / t.count),
        pausedShare: round(1 - t.movingSum / t.elapsedSum, 3),
      };
    }
    const intervals: Record<string, number> = {};
    for (let s = 1; s <= 11; s++) intervals[s === 11 ? "11+" : String(s)] = this.intervals[s];
    const share = (n: number) => {
      let hits = 0;
      for (const key of this.visits) if (this.cellCounts.get(key)! >= n) hits++;
      return round(hits / Math.max(1, this.visits.length), 3);
    };
    const kmByRegion: Record<string, number> = {};
    for (const [region, km] of Object.entries(this.kmByRegion)) kmByRegion[region] = round(km);
    return { byType, kmByRegion, intervals, shared: { atLeast2: share(2), atLeast10: share(10), atLeast100: share(100) } };
  }
}

function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
