/**
 * PMTiles v3 writer (the `pmtiles` npm package only reads archives, so this
 * is ours; tests read its output back with that package). Tiles arrive in
 * tile-id order and are appended as they come; a tile whose bytes were seen
 * before points at the earlier copy, and a run of equal tiles with
 * consecutive ids is one directory entry (clustered and deduplicated).
 *
 *   0      header (127 bytes)
 *   127    root directory          } within the first 16 KiB, which a reader fetches first
 *   16384  tile data, in tile-id order
 *          metadata (JSON, gzip)
 *          leaf directories (gzip), only when the root alone would not fit
 *
 * Written as OUT.part and renamed when complete, so a killed export leaves no
 * archive. Beside the part file, OUT.part.log lists each tile written (tile
 * id, offset, length, content key; a line per tile, appended after the
 * batch's data), headed by the settings' fingerprint: an export with the same
 * fingerprint rebuilds its directory from the log and carries on after the
 * last tile logged.
 */
import { appendFileSync, closeSync, existsSync, ftruncateSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { centre, contentKey, type ArchiveInfo, type ArchiveSummary, type ArchiveWriter } from "./archive.ts";
import { tileId } from "./pyramid.ts";

const HEADER_BYTES = 127;
/** The header and root directory must fit here (the spec's bound on a reader's first request). */
const ROOT_SPACE = 16384;
/** Entries per leaf directory to start with; doubled until the root fits. */
const FIRST_LEAF_SIZE = 4096;

const COMPRESSION_NONE = 1;
const COMPRESSION_GZIP = 2;
const TILE_TYPE = { png: 2, webp: 4 } as const;

export interface DirEntry {
  tileId: number;
  offset: number;
  length: number;
  runLength: number;
}

class Bytes {
  private buf = new Uint8Array(1024);
  length = 0;

  varint(value: number): void {
    if (this.length + 10 > this.buf.length) {
      const grown = new Uint8Array(this.buf.length * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    // Division, not shifts: values pass 2^32 (tile ids from zoom 16 on, offsets past 4 GB).
    while (value >= 0x80) {
      this.buf[this.length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buf[this.length++] = value;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/** A directory as the spec lays it out: count, then id deltas, run lengths, lengths and offsets column by column; gzip. */
export function serializeDirectory(entries: DirEntry[]): Uint8Array {
  const out = new Bytes();
  out.varint(entries.length);
  let last = 0;
  for (const e of entries) {
    out.varint(e.tileId - last);
    last = e.tileId;
  }
  for (const e of entries) out.varint(e.runLength);
  for (const e of entries) out.varint(e.length);
  entries.forEach((e, i) => {
    const prev = entries[i - 1];
    // 0 means "right after the previous entry's data", which clustered archives mostly are.
    out.varint(prev && e.offset === prev.offset + prev.length ? 0 : e.offset + 1);
  });
  return gzipSync(out.bytes());
}

/** The root directory, and the leaves it points to (empty when the root holds every entry). */
export function buildDirectories(entries: DirEntry[]): { root: Uint8Array; leaves: Uint8Array } {
  const root = serializeDirectory(entries);
  if (root.length <= ROOT_SPACE - HEADER_BYTES) return { root, leaves: new Uint8Array(0) };
  for (let size = FIRST_LEAF_SIZE; ; size *= 2) {
    const parts: Uint8Array[] = [];
    const pointers: DirEntry[] = [];
    let offset = 0;
    for (let i = 0; i < entries.length; i += size) {
      const leaf = serializeDirectory(entries.slice(i, i + size));
      // Run length 0: this entry points at a leaf directory, not at tile data.
      pointers.push({ tileId: entries[i].tileId, offset, length: leaf.length, runLength: 0 });
      parts.push(leaf);
      offset += leaf.length;
    }
    const top = serializeDirectory(pointers);
    if (top.length <= ROOT_SPACE - HEADER_BYTES) return { root: top, leaves: Buffer.concat(parts) };
  }
}

const e7 = (degrees: number) => Math.round(degrees * 1e7);

/** A log line: tile id, data offset, length, content key. */
const LOG_LINE = /^(\d+) (\d+) (\d+) ([0-9a-f]{40})$/;

export class PmtilesWriter implements ArchiveWriter {
  readonly resumed: number;
  private readonly part: string;
  private readonly log: string;
  private readonly fd: number;
  private readonly entries: DirEntry[] = [];
  private readonly seen = new Map<string, { offset: number; length: number }>();
  /** Tile ids written, when continuing an interrupted export. */
  private readonly logged = new Set<number>();
  private dataLength = 0;
  private addressed = 0;

  constructor(
    private readonly out: string,
    private readonly info: ArchiveInfo,
  ) {
    this.part = `${out}.part`;
    this.log = `${this.part}.log`;
    const lines = existsSync(this.part) && existsSync(this.log) ? readFileSync(this.log, "utf8").split("\n") : [];
    if (lines[0] === info.fingerprint) {
      // The last line may be torn (no newline yet): split leaves it last, and only whole lines count.
      for (const line of lines.slice(1, -1)) {
        const m = LOG_LINE.exec(line);
        if (!m) break;
        const at = { offset: Number(m[2]), length: Number(m[3]) };
        this.place(Number(m[1]), m[4], at);
        this.logged.add(Number(m[1]));
        this.dataLength = Math.max(this.dataLength, at.offset + at.length);
      }
      this.fd = openSync(this.part, "r+");
    } else {
      this.fd = openSync(this.part, "w");
      writeFileSync(this.log, `${info.fingerprint}\n`);
    }
    this.resumed = this.logged.size;
  }

  has(z: number, x: number, y: number): boolean {
    return this.logged.size > 0 && this.logged.has(tileId(z, x, y));
  }

  write(z: number, xy: Uint32Array, tiles: (Uint8Array | null)[]): void {
    let log = "";
    const start = this.dataLength;
    const fresh: Uint8Array[] = [];
    tiles.forEach((bytes, i) => {
      if (bytes) log += this.add(tileId(z, xy[2 * i], xy[2 * i + 1]), bytes, fresh);
    });
    // New tiles lie end to end from `start`: one write for the batch, before the log names them.
    if (fresh.length > 0) {
      const data = Buffer.concat(fresh);
      writeSync(this.fd, data, 0, data.length, ROOT_SPACE + start);
    }
    if (log) appendFileSync(this.log, log);
  }

  /** Places a tile, adding its bytes to `fresh` unless the same bytes are in already; returns its log line. */
  private add(id: number, bytes: Uint8Array, fresh: Uint8Array[]): string {
    const key = contentKey(bytes);
    let at = this.seen.get(key);
    if (!at) {
      at = { offset: this.dataLength, length: bytes.length };
      fresh.push(bytes);
      this.dataLength += bytes.length;
    }
    this.place(id, key, at);
    return `${id} ${at.offset} ${at.length} ${key}\n`;
  }

  /** Enters a tile into the directory, extending the last entry's run when it continues it. */
  private place(id: number, key: string, at: { offset: number; length: number }): void {
    this.seen.set(key, at);
    this.addressed++;
    const last = this.entries.at(-1);
    if (last && last.offset === at.offset && last.tileId + last.runLength === id) last.runLength++;
    else this.entries.push({ tileId: id, offset: at.offset, length: at.length, runLength: 1 });
  }

  finish(summary: ArchiveSummary): number {
    const { info } = this;
    const { root, leaves } = buildDirectories(this.entries);
    const metadata = gzipSync(
      JSON.stringify({
        name: info.name,
        description: `hotpot heatmap, ${info.tileSize} px tiles`,
        attribution: info.attribution,
        type: "overlay",
        format: info.format,
        tile_size: info.tileSize,
        hotpot_fingerprint: info.fingerprint,
      }),
    );
    const metadataOffset = ROOT_SPACE + this.dataLength;
    const leavesOffset = metadataOffset + metadata.length;
    writeSync(this.fd, metadata, 0, metadata.length, metadataOffset);
    writeSync(this.fd, leaves, 0, leaves.length, leavesOffset);

    const header = new Uint8Array(HEADER_BYTES);
    const view = new DataView(header.buffer);
    header.set(new TextEncoder().encode("PMTiles"), 0);
    header[7] = 3;
    const u64 = (at: number, v: number) => view.setBigUint64(at, BigInt(v), true);
    u64(8, HEADER_BYTES);
    u64(16, root.length);
    u64(24, metadataOffset);
    u64(32, metadata.length);
    u64(40, leavesOffset);
    u64(48, leaves.length);
    u64(56, ROOT_SPACE);
    u64(64, this.dataLength);
    u64(72, this.addressed);
    u64(80, this.entries.length);
    u64(88, this.seen.size);
    header[96] = 1; // clustered: tile data in tile-id order
    header[97] = COMPRESSION_GZIP; // directories and metadata
    header[98] = COMPRESSION_NONE; // PNG and WebP are compressed already
    header[99] = TILE_TYPE[info.format];
    header[100] = info.minZoom;
    header[101] = info.maxZoom;
    const b = summary.bounds ?? { west: -180, south: -85.0511287798066, east: 180, north: 85.0511287798066 };
    const [lng, lat] = centre(b);
    view.setInt32(102, e7(b.west), true);
    view.setInt32(106, e7(b.south), true);
    view.setInt32(110, e7(b.east), true);
    view.setInt32(114, e7(b.north), true);
    header[118] = info.minZoom;
    view.setInt32(119, e7(lng), true);
    view.setInt32(123, e7(lat), true);
    writeSync(this.fd, header, 0, HEADER_BYTES, 0);
    writeSync(this.fd, root, 0, root.length, HEADER_BYTES);
    // A continued part file may hold bytes past the end from the interrupted run.
    ftruncateSync(this.fd, leavesOffset + leaves.length);
    closeSync(this.fd);
    rmSync(this.out, { force: true });
    renameSync(this.part, this.out);
    rmSync(this.log, { force: true });
    return statSync(this.out).size;
  }

  close(): void {
    closeSync(this.fd);
  }
}
