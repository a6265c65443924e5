/**
 * Hostile input against real processes: `hotpot serve --upload` and
 * `hotpot import`, each in its own process so its memory is its own.
 * Nothing here is timed: a refusal is checked by its message and the
 * process's peak RSS, and "the server keeps answering" by requests that
 * complete while an upload is being parsed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync, gzipSync } from "node:zlib";
import { writeFit } from "../../src/synth/formats.ts";
import { latToY, lngToX } from "../../src/tile.ts";
import { retraceActivity, RETRACE_START } from "../fixtures/import/synth.ts";
import { memoryOf, peakWhileRunning, probe, startServe, uploadFiles, type Served } from "../helpers/serve.ts";

const MB = 1024 * 1024;
const REPO = join(import.meta.dir, "../..");
const dir = mkdtempSync(join(tmpdir(), "hotpot-safety-"));
let server: Served;

beforeAll(async () => {
  server = await startServe(["--db", join(dir, "served.sqlite3"), "--upload", "--workers", "1", "--quiet"]);
}, 30_000);
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("hotpot serve --upload", () => {
  test("a double-gzip bomb is refused by name, with the process's peak RSS under 300 MB and back down after", async () => {
    const bomb = new Uint8Array(gzipSync(gzipSync(new Uint8Array(512 * MB), { level: 9 }), { level: 9 }));
    expect(bomb.byteLength).toBeLessThan(4096);
    const { status, body } = await uploadFiles(server.base, [["x.gpx.gz.gz", bomb]]);
    expect(status).toBe(422);
    expect(JSON.parse(body)).toEqual({ files: [{ name: "x.gpx.gz.gz", status: "error", reason: "unpacks to more than 64 MB" }] });
    const memory = memoryOf(server.pid);
    expect(memory.peak).toBeLessThan(300);
    expect(memory.rss).toBeLessThan(300);
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
  }, 60_000);

  test("a long retracing FIT is stored while /healthz and a cached tile keep answering", async () => {
    const seed = await uploadFiles(server.base, [["seed.fit", writeFit(retraceActivity(600))]]);
    expect(seed.status).toBe(200);
    const z = 14;
    const tile = `/tile/${z}/${Math.floor(lngToX(RETRACE_START.lng) * 2 ** z)}/${Math.floor(latToY(RETRACE_START.lat + 0.009) * 2 ** z)}`;
    expect((await fetch(server.base + tile)).status).toBe(200);

    const fit = writeFit(retraceActivity(150_000));
    const probing = probe(server.base, ["/healthz", tile]);
    // Rounds of both requests answered while the file was sent, parsed in the worker and stored.
    const upload = uploadFiles(server.base, [["retrace.fit", fit]]);
    const { status, body } = await upload;
    const { rounds } = await probing.stop();
    expect(status).toBe(200);
    expect(JSON.parse(body).files[0]).toMatchObject({ name: "retrace.fit", status: "added" });
    expect(rounds).toBeGreaterThan(3);
  }, 120_000);
});

describe("oversized requests", () => {
  /** Sends raw request bytes and returns everything the server answers until it closes or goes quiet. */
  async function raw(head: string): Promise<string> {
    const { promise, resolve } = Promise.withResolvers<string>();
    let answer = "";
    const port = Number(new URL(server.base).port);
    const socket = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data(_, chunk) {
          answer += new TextDecoder().decode(chunk);
          if (/\r\n\r\n[^\n]*\n/.test(answer)) resolve(answer);
        },
        close() {
          resolve(answer);
        },
      },
    });
    socket.write(head);
    return promise.finally(() => socket.end());
  }

  test("a body declared far over the limit gets hotpot's 413 with a message, not a bare one", async () => {
    const answer = await raw(`POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 5000000000\r\n\r\n--b\r\n`);
    expect(answer).toStartWith("HTTP/1.1 413");
    expect(answer).toContain("upload: request body over the limit of 15.0 MB (--upload-limit-mb)");
  });
});

describe("hotpot import", () => {
  test("a zip entry over --max-file-mb and a nested .gz bomb fail by name; the process stays small", async () => {
    const zipBomb = join(dir, "export.zip");
    writeFileSync(zipBomb, deflatedZip([["activities/big.gpx", new Uint8Array(256 * MB)]]));
    const folder = join(dir, "folder");
    const nested = join(folder, "x.gpx.gz.gz");
    mkdirSync(folder);
    writeFileSync(nested, gzipSync(gzipSync(new Uint8Array(256 * MB), { level: 9 }), { level: 9 }));
    for (const [path, shown] of [
      [zipBomb, `${zipBomb}:activities/big.gpx`],
      [nested, nested],
    ]) {
      const proc = Bun.spawn(["bun", join(REPO, "src/cli.ts"), "import", "--db", join(dir, "cli.sqlite3"), "--max-file-mb", "16", path], { stdout: "pipe", stderr: "pipe" });
      const [out, code, peak] = await Promise.all([new Response(proc.stdout).text(), proc.exited, peakWhileRunning(proc)]);
      expect(code).toBe(0);
      expect(out).toContain(shown);
      expect(out).toContain("unpacks to more than 16 MB");
      expect(peak).toBeGreaterThan(0);
      expect(peak).toBeLessThan(300);
    }
  }, 60_000);
});

/** A zip of deflated entries, written with node's zlib: fflate's zipSync deflates a 256 MB entry in JavaScript, far slower. */
function deflatedZip(entries: [string, Uint8Array][]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const raw = deflateRawSync(data, { level: 9 });
    const nameBytes = new TextEncoder().encode(name);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(8, 8, true);
    local.setUint32(18, raw.byteLength, true);
    local.setUint32(22, data.byteLength, true);
    local.setUint16(26, nameBytes.byteLength, true);
    const dirEntry = new DataView(new ArrayBuffer(46));
    dirEntry.setUint32(0, 0x02014b50, true);
    dirEntry.setUint16(10, 8, true);
    dirEntry.setUint32(20, raw.byteLength, true);
    dirEntry.setUint32(24, data.byteLength, true);
    dirEntry.setUint16(28, nameBytes.byteLength, true);
    dirEntry.setUint32(42, offset, true);
    parts.push(new Uint8Array(local.buffer), nameBytes, raw);
    central.push(new Uint8Array(dirEntry.buffer), nameBytes);
    offset += 30 + nameBytes.byteLength + raw.byteLength;
  }
  const dirSize = central.reduce((n, c) => n + c.byteLength, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, dirSize, true);
  end.setUint32(16, offset, true);
  return new Uint8Array(Buffer.concat([...parts, ...central, new Uint8Array(end.buffer)]));
}
