/**
 * `hotpot serve` as a real process on an ephemeral 127.0.0.1 port: flags,
 * the request log, several processes sharing the port under load with
 * uploads, SIGTERM while requests are under way, raw request paths.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { connect } from "node:net";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ingestFiles } from "../../src/import/ingest.ts";
import { RENDER_THREAD } from "../../src/server/render-pool.ts";
import { openStore } from "../../src/store.ts";
import { latToY, lngToX } from "../../src/tile.ts";
import { threadNames } from "../helpers/serve.ts";
import { requestsRead } from "../helpers/sockets.ts";
import { sqlOf } from "../helpers/sql.ts";
import { waitUntil } from "../helpers/wait.ts";

const REPO = join(import.meta.dir, "../..");
const FIXTURES = join(import.meta.dir, "../fixtures/activities");
const TOKEN = "test-token-0123456789";
const dir = mkdtempSync(join(tmpdir(), "hotpot-serve-"));
const DB = join(dir, "serve.sqlite3");

const SAMPLE_GPX = readFileSync(join(FIXTURES, "sample.gpx"), "utf8");
/** sample.gpx under another title: other bytes, so another activity on the same road. */
const variant = (i: number) => new File([SAMPLE_GPX.replace("gravel return", `gravel return ${i}`)], `ride-${i}.gpx`);

const tilesAround = (z: number) => {
  const x = Math.floor(lngToX(13.377) * 2 ** z);
  const y = Math.floor(latToY(52.489) * 2 ** z);
  return [`/tile/${z}/${x}/${y}`, `/tile/${z}/${x}/${y}@2x`, `/tile/${z}/${x}/${y}.webp`, `/tile/${z}/${x + 1}/${y}`, `/tile/${z}/${x}/${y + 1}@small`];
};
const TILES = [10, 12, 13, 14, 15, 16].flatMap(tilesAround);

beforeAll(() => {
  const store = openStore(DB);
  ingestFiles(store, ["sample.gpx", "sample.tcx", "sample.fit"].map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(FIXTURES, name))) })));
  store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Running {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  base: string;
  /** Everything written to stdout so far. */
  out: () => string;
  err: () => string;
}

function collect(stream: ReadableStream<Uint8Array>): { text: () => string; waitFor: (re: RegExp) => Promise<RegExpExecArray> } {
  let text = "";
  const waiters: (() => void)[] = [];
  (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      for (const w of waiters.splice(0)) w();
    }
  })();
  return {
    text: () => text,
    async waitFor(re) {
      for (;;) {
        const m = re.exec(text);
        if (m) return m;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

async function serve(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const proc = Bun.spawn(["bun", join(REPO, "src/cli.ts"), "serve", "--db", DB, "--port", "0", ...args], {
    cwd: dir,
    env: { ...process.env, HOTPOT_UPLOAD_TOKEN: TOKEN, ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const out = collect(proc.stdout);
  const err = collect(proc.stderr);
  const started = await Promise.race([out.waitFor(/http:\/\/127\.0\.0\.1:(\d+)\//), proc.exited.then(() => null)]);
  if (!started) throw new Error(`serve exited early: ${err.text()}`);
  return { proc, base: `http://127.0.0.1:${started[1]}`, out: out.text, err: err.text };
}

async function stop(server: Running): Promise<number> {
  server.proc.kill("SIGTERM");
  return server.proc.exited;
}

function uploadForm(files: File[]): FormData {
  const form = new FormData();
  for (const f of files) form.append("file", f);
  return form;
}

describe("flags", () => {
  test.each([
    [["--port", "http"], "--port: expected an integer from 0 to 65535, found 'http'"],
    [["--cache-mb", "-1"], "--cache-mb"],
    [["--workers", "0"], "--workers"],
    [["--upload-limit-mb", "lots"], "--upload-limit-mb"],
  ])("%p stops with a message naming the flag", async (args, message) => {
    const proc = Bun.spawn(["bun", join(REPO, "src/cli.ts"), "serve", "--db", DB, ...args], { stdout: "pipe", stderr: "pipe" });
    expect(await proc.exited).toBe(1);
    expect(await new Response(proc.stderr).text()).toContain(message);
  });

  test("a port another program listens on stops at start-up, even with several processes", async () => {
    const other = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("other") });
    try {
      const proc = Bun.spawn(["bun", join(REPO, "src/cli.ts"), "serve", "--db", DB, "--port", String(other.port), "--workers", "2"], { stdout: "pipe", stderr: "pipe" });
      expect(await proc.exited).toBe(1);
      expect(await new Response(proc.stderr).text()).toContain(`something already listens on 127.0.0.1:${other.port}`);
    } finally {
      other.stop(true);
    }
  });

  test.each([
    ["an empty upload token", ["--upload"], { HOTPOT_UPLOAD_TOKEN: "" }, "HOTPOT_UPLOAD_TOKEN is set but empty"],
    ["--strava-webhook without Strava settings", ["--strava-webhook"], { STRAVA_CLIENT_ID: "", STRAVA_CLIENT_SECRET: "", STRAVA_WEBHOOK_SECRET: "" }, "STRAVA_CLIENT_ID"],
    ["--fetch without an intervals.icu key", ["--fetch"], { INTERVALS_ICU_API_KEY: "" }, "INTERVALS_ICU_API_KEY"],
    ["a file that is not a database", ["--db", join(REPO, "README.md")], {}, "is not a SQLite database"],
    ["--in-memory without a way to add activities", ["--in-memory"], {}, "--in-memory: this command reads stored data"],
  ])("%s stops at start-up", async (_, args, env, message) => {
    const proc = Bun.spawn(["bun", join(REPO, "src/cli.ts"), "serve", "--db", DB, "--port", "0", ...args], {
      env: { ...process.env, ...env },
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(await proc.exited).toBe(1);
    expect(await new Response(proc.stderr).text()).toContain(message);
  });
});

test("a database that does not exist yet is created: an empty map is a valid start (the Docker image's default command)", async () => {
  const fresh = join(dir, "fresh", "hotpot.sqlite3");
  mkdirSync(join(dir, "fresh"));
  const server = await serve(["--db", fresh, "--workers", "1"]);
  try {
    expect(existsSync(fresh)).toBe(true);
    expect(await (await fetch(`${server.base}/api/activity-count`)).text()).toBe("0");
    expect((await fetch(`${server.base}${TILES[0]}`)).status).toBe(204);
  } finally {
    expect(await stop(server)).toBe(0);
  }
});

describe("one process", () => {
  let server: Running;
  beforeAll(async () => {
    server = await serve(["--workers", "1", "--upload", "--render", "--cache-mb", "1"]);
  });
  afterAll(() => stop(server));

  test("logs one line per request with method, path, status, ms and bytes, and no token", async () => {
    const tile = await fetch(`${server.base}${TILES[0]}`);
    const length = (await tile.arrayBuffer()).byteLength;
    await fetch(`${server.base}/upload?token=${TOKEN}`, { method: "POST", body: uploadForm([variant(1000)]) });
    await fetch(`${server.base}/upload`, { method: "POST", body: uploadForm([variant(1001)]), headers: { Authorization: `Bearer ${TOKEN}` } });
    const out = server.out();
    // Request lines reach stdout in batches, so one may come after the client has its answer.
    await waitUntil(() => /POST \/upload 200/.test(server.out()), { what: "the request line of POST /upload" });
    const lines = server.out().split("\n");
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\S+Z GET ${TILES[0]} 200 \\d+\\.\\dms ${length}B$`)));
    expect(lines).toContainEqual(expect.stringMatching(/^\S+Z POST \/upload\?token=\*\*\* 200 \d+\.\dms \d+B$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\S+Z POST \/upload 200 /));
    expect(server.out() + server.err() + out).not.toContain(TOKEN);
  });

  test("3000 x 3000 /render requests do not hold up tile requests", async () => {
    // Four big exports queue up on the render thread; on the request thread they would run back to back before anything else.
    // The tile asked for meanwhile is cached, so it is answered in about a millisecond unless something blocks the thread.
    await (await fetch(`${server.base}${TILES[0]}?color=ice`)).arrayBuffer();
    let rendersDone = 0;
    const renders = Array.from({ length: 4 }, (_, i) =>
      fetch(`${server.base}/render?bounds=13.0,52.3,13.8,52.7&width=3000&height=${3000 - i}`).then(async (r) => {
        await r.arrayBuffer();
        rendersDone++;
        return r.status;
      }),
    );
    // The render thread starts with the first job; a tile asked for before that would prove nothing.
    await waitUntil(() => threadNames(server.proc.pid).includes(RENDER_THREAD), { what: `a thread named "${RENDER_THREAD}" in the server` });
    const tile = await fetch(`${server.base}${TILES[0]}?color=ice`);
    await tile.arrayBuffer();
    const doneWhenTileAnswered = rendersDone;
    expect(tile.status).toBe(200);
    expect(await Promise.all(renders)).toEqual([200, 200, 200, 200]);
    expect(doneWhenTileAnswered).toBeLessThan(4);
  });

  test("raw request paths cannot leave the asset folder", async () => {
    for (const path of ["/static/../package.json", "/static/%2e%2e/package.json", "/static/..%2fpackage.json", "/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/static//etc/passwd", "/../package.json"]) {
      const answer = await rawGet(server.base, path);
      expect(answer).not.toMatch(/^HTTP\/1\.1 200/);
      expect(answer).not.toContain('"name": "hotpot"');
      expect(answer).not.toContain("root:");
    }
  });

  test.each(["hp", "a", "nas", "nas:8080", "localhost"])("behind a host named %p (a LAN name or a proxy's): the page, the API and tiles answer", async (host) => {
    for (const path of ["/", "/healthz", "/api/activity-count", TILES[0]]) {
      expect(`${path} ${(await rawGet(server.base, path, host)).split("\r\n")[0]}`).toBe(`${path} HTTP/1.1 200 OK`);
    }
  });

  test("an upload over the size limit: 413", async () => {
    const big = new File([new Uint8Array(16 * 1024 * 1024)], "big.gpx");
    const response = await fetch(`${server.base}/upload`, { method: "POST", body: uploadForm([big]), headers: { Authorization: `Bearer ${TOKEN}` } }).catch((e) => e);
    // The server may close the connection before the client has sent everything; when it does not, the answer is 413.
    if (response instanceof Response) expect(response.status).toBe(413);
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
  });
});

describe("a crash", () => {
  test("SIGKILL in the middle of a 100-file upload leaves a valid database with only whole activities", async () => {
    const db = join(dir, "crash.sqlite3");
    openStore(db).close();
    const proc = Bun.spawn(["bun", join(REPO, "src/cli.ts"), "serve", "--db", db, "--port", "0", "--workers", "1", "--upload", "--quiet"], {
      env: { ...process.env, HOTPOT_UPLOAD_TOKEN: TOKEN },
      stdout: "pipe",
      stderr: "pipe",
    });
    const started = await collect(proc.stdout).waitFor(/http:\/\/127\.0\.0\.1:(\d+)\//);
    const upload = fetch(`http://127.0.0.1:${started[1]}/upload`, {
      method: "POST",
      body: uploadForm(Array.from({ length: 100 }, (_, i) => variant(5000 + i))),
      headers: { Authorization: `Bearer ${TOKEN}` },
    }).catch(() => "connection lost");
    // Kill once some, but not all, files are in.
    const watcher = openStore(db);
    await waitUntil(() => watcher.activityCount() > 0, { what: `a first activity in ${db}`, everyMs: 5 });
    proc.kill("SIGKILL");
    await proc.exited;
    expect(await upload).toBe("connection lost");
    watcher.close();

    const store = openStore(db);
    try {
      expect(sqlOf(store).query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
      const count = store.activityCount();
      expect(count).toBeGreaterThan(0);
      expect(count).toBeLessThan(100);
      // Every stored activity has its tiles, and no tile row is without its activity.
      expect(sqlOf(store).query("SELECT count(*) AS n FROM activities a WHERE NOT EXISTS (SELECT 1 FROM activity_tiles t WHERE t.activity_id = a.id)").get()).toEqual({ n: 0 });
      expect(sqlOf(store).query("SELECT count(*) AS n FROM activity_tiles t WHERE NOT EXISTS (SELECT 1 FROM activities a WHERE a.id = t.activity_id)").get()).toEqual({ n: 0 });
    } finally {
      store.close();
    }
  }, 60_000);
});

/** Sends a request line exactly as written (fetch would normalise the path first), with the server's host or `host`. */
function rawGet(base: string, path: string, host?: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host ?? hostname}\r\nConnection: close\r\n\r\n`));
    let answer = "";
    socket.on("data", (d) => (answer += d.toString()));
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
  });
}

describe("two processes sharing the port", () => {
  test("32 clients fetching tiles while uploads land: no errors, and uploads show at once", async () => {
    const server = await serve(["--workers", "2", "--upload", "--quiet"]);
    try {
      const before = Number(await (await fetch(`${server.base}/api/activity-count`)).text());
      let stopLoad = false;
      const failures: string[] = [];
      let requests = 0;
      const client = async (c: number) => {
        let i = c;
        while (!stopLoad) {
          const path = TILES[i++ % TILES.length];
          try {
            const r = await fetch(`${server.base}${path}`);
            await r.arrayBuffer();
            if (r.status !== 200 && r.status !== 204) failures.push(`${path}: ${r.status}`);
          } catch (e) {
            failures.push(`${path}: ${e}`);
          }
          requests++;
        }
      };
      const clients = Array.from({ length: 32 }, (_, c) => client(c));
      // Three uploaders at once, so both processes write at the same time as well as read.
      const statuses: string[] = [];
      const uploader = async (u: number) => {
        for (let batch = 0; batch < 4; batch++) {
          const files = Array.from({ length: 4 }, (_, k) => variant(u * 100 + batch * 4 + k));
          // A new connection each time, so the kernel spreads uploads over both processes.
          const r = await fetch(`${server.base}/upload`, { method: "POST", body: uploadForm(files), headers: { Authorization: `Bearer ${TOKEN}`, Connection: "close" } });
          const body = (await r.json()) as { files: { status: string; reason?: string }[] };
          statuses.push(`${r.status}`, ...body.files.map((f) => f.reason ?? f.status));
        }
      };
      await Promise.all([0, 1, 2].map(uploader));
      // Whichever process answers has seen every write.
      for (let i = 0; i < 4; i++) expect(Number(await (await fetch(`${server.base}/api/activity-count`)).text())).toBe(before + 48);
      stopLoad = true;
      await Promise.all(clients);
      expect(failures).toEqual([]);
      expect(requests).toBeGreaterThan(100);
      expect(statuses.filter((s) => s !== "200" && s !== "added")).toEqual([]);
    } finally {
      expect(await stop(server)).toBe(0);
    }
  }, 60_000);

  test("two processes writing at once wait for each other instead of failing with SQLITE_BUSY", async () => {
    const db = join(dir, "writers.sqlite3");
    openStore(db).close();
    const writer = (tag: string) =>
      Bun.spawn(
        [
          "bun",
          "-e",
          `import { openStore } from ${JSON.stringify(join(REPO, "src/store.ts"))};
           import { ingestFiles } from ${JSON.stringify(join(REPO, "src/import/ingest.ts"))};
           const store = openStore(${JSON.stringify(db)});
           const gpx = ${JSON.stringify(SAMPLE_GPX)};
           let failed = 0;
           for (let i = 0; i < 150; i++) {
             const bytes = new TextEncoder().encode(gpx.replace("gravel return", "${tag} " + i));
             try { if (ingestFiles(store, [{ name: i + ".gpx", bytes }])[0].status !== "added") failed++; } catch (e) { failed++; console.error(String(e)); }
           }
           console.log(failed);`,
        ],
        { stdout: "pipe", stderr: "pipe" },
      );
    const writers = [writer("a"), writer("b")];
    const outputs = await Promise.all(writers.map(async (w) => ({ out: (await new Response(w.stdout).text()).trim(), err: await new Response(w.stderr).text(), code: await w.exited })));
    for (const { out, err, code } of outputs) {
      expect(err).not.toContain("locked");
      expect({ out, code }).toEqual({ out: "0", code: 0 });
    }
    const store = openStore(db);
    expect(store.activityCount()).toBe(300);
    store.close();
  }, 60_000);

  test("SIGTERM during load: requests under way finish, every process exits, exit code 0", async () => {
    const server = await serve(["--workers", "2", "--render", "--quiet"]);
    const peerPids = (await Bun.$`pgrep -P ${server.proc.pid}`.nothrow().text()).trim().split("\n").filter(Boolean).map(Number);
    expect(peerPids.length).toBe(1);
    // Slow requests (big renders) on both processes, and a stream of tiles.
    // Each process renders one at a time and queues at most 4, so 4 are in the queue or under way for a while.
    let finished = 0;
    let tilesAnswered = 0;
    const slow = Array.from({ length: 4 }, (_, i) =>
      fetch(`${server.base}/render?bounds=13.0,52.3,13.8,52.7&width=3000&height=${3000 - i}`).then(async (r) => {
        const bytes = (await r.arrayBuffer()).byteLength;
        finished++;
        return { status: r.status, bytes };
      }),
    );
    const tiles = Array.from({ length: 32 }, (_, i) =>
      fetch(`${server.base}${TILES[i % TILES.length]}`).then((r) => {
        tilesAnswered++;
        return r.status;
      }),
    );
    // Under way means read by a server: a connection still in the accept queue when SIGTERM closes the port is refused, as it should be.
    const port = Number(new URL(server.base).port);
    await waitUntil(() => requestsRead(port, slow.length - finished + tiles.length - tilesAnswered), { what: `every request read by a server process on port ${port}` });
    server.proc.kill("SIGTERM");
    expect(finished).toBeLessThan(slow.length); // the test means something only if some were under way
    for (const r of await Promise.all(slow)) {
      expect(r.status).toBe(200);
      expect(r.bytes).toBeGreaterThan(0);
    }
    for (const status of await Promise.all(tiles)) expect([200, 204]).toContain(status);
    expect(await server.proc.exited).toBe(0);
    // The peer is gone too, and nothing listens on the port any more.
    for (const pid of peerPids) expect(() => process.kill(pid, 0)).toThrow();
    expect(await fetch(`${server.base}/healthz`).then((r) => r.status).catch(() => "refused")).toBe("refused");
  }, 60_000);
});
