/**
 * Random access into a .zip archive through its central directory, so a
 * 1 GB Strava export is never held in memory: the entry list (names, sizes)
 * is known before anything is decompressed, which gives the progress bar its
 * total and finds activities.csv wherever the archive stores it; each entry's
 * compressed bytes are then read with one positioned read and inflated in a
 * worker. Inflating uses the runtime's zlib (decompress.ts), many times
 * faster than a JavaScript inflate.
 *
 *   [local header + data]* [central directory] [zip64 EOCD] [zip64 locator] [EOCD]
 *                            ^ read once           ^ only when counts or offsets overflow 32 bits
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { inflateRaw } from "../decompress.ts";
import { HotpotError } from "../errors.ts";

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate; others are reported as unsupported. */
  method: number;
  compressedSize: number;
  size: number;
  /** Offset of the entry's local header. */
  offset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const U32_MAX = 0xffffffff;
const utf8 = new TextDecoder();

export class ZipArchive {
  readonly path: string;
  readonly entries: ZipEntry[];
  private fd: number;

  constructor(path: string) {
    this.path = path;
    this.fd = openSync(path, "r");
    try {
      this.entries = this.readDirectory();
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
  }

  private read(position: number, length: number): Uint8Array<ArrayBuffer> {
    const buf = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, buf, done, length - done, position + done);
      if (n === 0) throw new HotpotError("bad_file", `${this.path}: zip archive is truncated (expected ${length} bytes at offset ${position})`);
      done += n;
    }
    return buf;
  }

  private readDirectory(): ZipEntry[] {
    const fileSize = fstatSync(this.fd).size;
    // The end record is 22 bytes plus a comment of at most 65535 bytes.
    const tailLength = Math.min(fileSize, 22 + 0xffff);
    const tail = this.read(fileSize - tailLength, tailLength);
    const tv = new DataView(tail.buffer);
    let at = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tv.getUint32(i, true) === EOCD) {
        at = i;
        break;
      }
    }
    if (at < 0) throw new HotpotError("bad_file", `${this.path}: not a zip archive (no end of central directory record found)`);
    let count = tv.getUint16(at + 10, true);
    let dirSize = tv.getUint32(at + 12, true);
    let dirOffset = tv.getUint32(at + 16, true);
    if ((count === 0xffff || dirOffset === U32_MAX || dirSize === U32_MAX) && at >= 20 && tv.getUint32(at - 20, true) === ZIP64_LOCATOR) {
      const recordOffset = Number(tv.getBigUint64(at - 20 + 8, true));
      const record = new DataView(this.read(recordOffset, 56).buffer);
      if (record.getUint32(0, true) !== ZIP64_EOCD) throw new HotpotError("bad_file", `${this.path}: broken zip64 end record at offset ${recordOffset}`);
      count = Number(record.getBigUint64(32, true));
      dirSize = Number(record.getBigUint64(40, true));
      dirOffset = Number(record.getBigUint64(48, true));
    }
    const dir = this.read(dirOffset, dirSize);
    const dv = new DataView(dir.buffer);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > dir.length || dv.getUint32(p, true) !== CENTRAL) {
        throw new HotpotError("bad_file", `${this.path}: broken central directory (entry ${i + 1} of ${count} at offset ${dirOffset + p})`);
      }
      const method = dv.getUint16(p + 10, true);
      let compressedSize = dv.getUint32(p + 20, true);
      let size = dv.getUint32(p + 24, true);
      const nameLength = dv.getUint16(p + 28, true);
      const extraLength = dv.getUint16(p + 30, true);
      const commentLength = dv.getUint16(p + 32, true);
      let offset = dv.getUint32(p + 42, true);
      const name = utf8.decode(dir.subarray(p + 46, p + 46 + nameLength));
      // Zip64 extra field (id 1): 64-bit values for exactly the fields that overflowed, in this order.
      let e = p + 46 + nameLength;
      const extraEnd = e + extraLength;
      while (e + 4 <= extraEnd) {
        const id = dv.getUint16(e, true);
        const len = dv.getUint16(e + 2, true);
        if (id === 1) {
          let q = e + 4;
          if (size === U32_MAX) (size = Number(dv.getBigUint64(q, true))), (q += 8);
          if (compressedSize === U32_MAX) (compressedSize = Number(dv.getBigUint64(q, true))), (q += 8);
          if (offset === U32_MAX) offset = Number(dv.getBigUint64(q, true));
        }
        e += 4 + len;
      }
      if (!name.endsWith("/")) entries.push({ name, method, compressedSize, size, offset });
      p = extraEnd + commentLength;
    }
    return entries;
  }

  /**
   * The entry's bytes as stored in the archive (still compressed); pair with inflateEntry.
   * Errors do not repeat the entry's name: callers report it with the path.
   */
  readRaw(entry: ZipEntry): Uint8Array<ArrayBuffer> {
    const header = new DataView(this.read(entry.offset, 30).buffer);
    if (header.getUint32(0, true) !== LOCAL) {
      throw new HotpotError("bad_file", `damaged zip entry (expected a local header at offset ${entry.offset})`);
    }
    const dataStart = entry.offset + 30 + header.getUint16(26, true) + header.getUint16(28, true);
    return this.read(dataStart, entry.compressedSize);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/**
 * Decompresses bytes from readRaw to the entry's `size`, refusing an entry that
 * unpacks to more than `maxBytes` (decompress.ts). Errors do not name the entry, as for readRaw.
 */
export function inflateEntry(method: number, raw: Uint8Array<ArrayBuffer>, size: number, maxBytes: number): Uint8Array {
  if (method === 0) return raw;
  if (method !== 8) throw new HotpotError("unsupported", `zip compression method ${method} is not supported (expected 0 stored or 8 deflate)`);
  return inflateRaw(raw, size, maxBytes);
}
