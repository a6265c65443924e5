/**
 * What every archive writer (mbtiles.ts, pmtiles.ts, sqlitedb.ts) takes and
 * gives. Writers fill `OUT.part` and rename it to OUT only when it is
 * complete, so OUT is never a half-written archive.
 */
import { HotpotError } from "../errors.ts";
import type { ImageFormat } from "../encode.ts";
import { tileBounds, type Bounds } from "../tile.ts";

export type ArchiveKind = "mbtiles" | "pmtiles" | "sqlitedb";

export interface ArchiveInfo {
  name: string;
  format: ImageFormat;
  tileSize: number;
  minZoom: number;
  maxZoom: number;
  attribution: string;
  /**
   * Everything that decides the archive's contents (settings, data version):
   * an interrupted export resumes only into a part file made with the same.
   */
  fingerprint: string;
}

/** What the writer knows at the end. */
export interface ArchiveSummary {
  /** Extent of the tiles written (null: none). */
  bounds: Bounds | null;
  tiles: number;
}

export interface ArchiveWriter {
  /** Tiles already in a part file left by an interrupted export with the same fingerprint. */
  readonly resumed: number;
  has(z: number, x: number, y: number): boolean;
  /** One batch, in tile-id order after every earlier batch; written (committed) before it returns. */
  write(z: number, xy: Uint32Array, tiles: (Uint8Array | null)[]): void;
  /** Completes the archive and moves it into place; returns its size in bytes. */
  finish(summary: ArchiveSummary): number;
  /** Stops, keeping the part file for an export with the same fingerprint to continue. */
  close(): void;
}

export function archiveKind(path: string): ArchiveKind {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  if (ext === "mbtiles" || ext === "pmtiles" || ext === "sqlitedb") return ext;
  throw new HotpotError("bad_argument", `output: expected a file name ending in .mbtiles, .pmtiles or .sqlitedb, found '${path}'`);
}

/**
 * Counts the tiles it is shown and grows to the extent of the deepest zoom's:
 * the tightest box around the data (a zoom 2 tile spans a continent).
 */
export class Extent {
  private bounds: Bounds | null = null;
  private zoom = -1;
  private count = 0;

  add(z: number, x: number, y: number): void {
    this.count++;
    if (z < this.zoom) return;
    const b = tileBounds(z, x, y);
    if (z > this.zoom || !this.bounds) {
      this.zoom = z;
      this.bounds = b;
      return;
    }
    this.bounds.west = Math.min(this.bounds.west, b.west);
    this.bounds.south = Math.min(this.bounds.south, b.south);
    this.bounds.east = Math.max(this.bounds.east, b.east);
    this.bounds.north = Math.max(this.bounds.north, b.north);
  }

  summary(): ArchiveSummary {
    return { bounds: this.bounds, tiles: this.count };
  }
}

/** Same bytes, same key: tiles repeat a lot (a lone line crossing, a full-heat square), archives keep each once. */
export function contentKey(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha1").update(bytes).digest("hex");
}

/** The centre of `bounds` (MBTiles' and PMTiles' `center`). */
export function centre(bounds: Bounds): [number, number] {
  return [(bounds.west + bounds.east) / 2, (bounds.south + bounds.north) / 2];
}
