/**
 * hotpot serve: the map page, tiles, the JSON API and (when asked) uploads and
 * image export over HTTP, on every core.
 */
import { defineCommand } from "citty";
import { availableParallelism } from "node:os";
import { HotpotError } from "../errors.ts";
import { createApp, DEFAULT_CACHE_BYTES } from "../server/app.ts";
import { TileCache } from "../server/cache.ts";
import { Peers, PEER_ENV, primaryGone } from "../server/cluster.ts";
import { listen } from "../server/listen.ts";
import { BatchedStdout } from "../server/log.ts";
import { exportRoutes } from "../server/export-jobs.ts";
import { InlineRenderer, RenderPool, type Renderer } from "../server/render-pool.ts";
import { TileRenderer } from "../server/tile-helper.ts";
import { PyramidKeeper } from "../server/pyramid-keeper.ts";
import { DEFAULT_UPLOAD, type UploadOptions } from "../server/upload.ts";
import { fetchRoutes } from "../server/fetch-routes.ts";
import { stravaWebhookRoutes } from "../server/strava-routes.ts";
import { intervalsEnv, type IntervalsEnv } from "../sources/intervals.ts";
import { stravaEnv, type StravaEnv } from "../sources/strava.ts";
import type { Store } from "../store.ts";
import type { AnyElysia } from "elysia";
import { enqueueEvent, StravaEventProcessor } from "../sources/strava-events.ts";
import { globalArgs, storeFromArgs, type GlobalArgs } from "./_shared.ts";

const MB = 1024 * 1024;

export interface ServeOptions {
  host: string;
  port: number;
  upload: boolean;
  render: boolean;
  fetch: boolean;
  stravaWebhook: boolean;
  cors: boolean;
  cacheBytes: number;
  uploadLimitBytes: number;
  workers: number;
  quiet: boolean;
}

const args = {
  ...globalArgs,
  host: { type: "string", alias: "H", description: "address to listen on (0.0.0.0 for every interface)", default: "127.0.0.1" },
  port: { type: "string", alias: "p", description: "TCP port (0 picks a free one)", default: "8080" },
  upload: { type: "boolean", description: "accept POST /upload (set HOTPOT_UPLOAD_TOKEN to require a token)", default: false },
  render: { type: "boolean", description: "answer GET /render (image export)", default: false },
  fetch: { type: "boolean", description: "accept POST /fetch/intervals.icu", default: false },
  "strava-webhook": { type: "boolean", description: "receive Strava webhook events at /strava/webhook", default: false },
  cors: { type: "boolean", description: "allow GET from any origin (Access-Control-Allow-Origin: *)", default: false },
  "cache-mb": { type: "string", description: "megabytes of encoded tiles kept in memory, shared out among the processes (0 = none)", default: String(DEFAULT_CACHE_BYTES / MB) },
  "upload-limit-mb": { type: "string", description: `largest upload request in MB (default $HOTPOT_UPLOAD_LIMIT_MB or ${DEFAULT_UPLOAD.maxBodyBytes / MB})` },
  workers: { type: "string", description: "server processes sharing the port (default: one per core)" },
  quiet: { type: "boolean", description: "no request log on stdout", default: false },
} as const;

function number(text: string, flag: string, min: number, max: number, integer: boolean): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new HotpotError("bad_argument", `--${flag}: expected ${integer ? "an integer" : "a number"} from ${min} to ${max}, found '${text}'`);
  }
  return value;
}

export function serveOptions(a: Record<string, unknown>, env: Record<string, string | undefined> = process.env): ServeOptions {
  const limitText = (a["upload-limit-mb"] as string | undefined) ?? env.HOTPOT_UPLOAD_LIMIT_MB ?? String(DEFAULT_UPLOAD.maxBodyBytes / MB);
  return {
    host: a.host as string,
    port: number(a.port as string, "port", 0, 65535, true),
    upload: a.upload as boolean,
    render: a.render as boolean,
    fetch: a.fetch as boolean,
    stravaWebhook: a["strava-webhook"] as boolean,
    cors: a.cors as boolean,
    cacheBytes: Math.round(number(a["cache-mb"] as string, "cache-mb", 0, 65536, false) * MB),
    uploadLimitBytes: Math.round(number(limitText, "upload-limit-mb", 0.001, 1024, false) * MB),
    workers: a.workers === undefined ? availableParallelism() : number(a.workers as string, "workers", 1, 256, true),
    quiet: a.quiet as boolean,
  };
}

/** A token from the environment, refusing one that is set but blank (the server would look protected and not be). */
function envToken(token: string | undefined, name: string): string | null {
  if (token === undefined) return null;
  if (token.trim() === "") throw new HotpotError("config", `${name} is set but empty: set a long random value, or unset it`);
  return token;
}

/**
 * The CLI arguments a peer process is started with: this process's own, read
 * off the command's argument definitions (so a new flag reaches the peers
 * without being listed here), except what differs in a peer: its actual
 * port, its share of the cache, one process, and the upload limit as resolved
 * here (environment included), so every process enforces the same one.
 */
export function peerArgs(a: Record<string, unknown>, o: ServeOptions, port: number): string[] {
  const own: Record<string, unknown> = {
    ...a,
    port: String(port),
    "cache-mb": String(o.cacheBytes / o.workers / MB),
    "upload-limit-mb": String(o.uploadLimitBytes / MB),
    workers: "1",
  };
  const flags: string[] = [];
  for (const [name, def] of Object.entries(args)) {
    const value = own[name];
    if (def.type === "boolean") {
      // Every boolean flag of serve defaults to false, so leaving one out means off.
      if (value === true) flags.push(`--${name}`);
    } else if (typeof value === "string") {
      flags.push(`--${name}`, value);
    }
  }
  return ["serve", ...flags];
}

export default defineCommand({
  meta: { name: "serve", description: "Serve the map, tiles and API over HTTP" },
  args,
  async run({ args: a }) {
    const options = serveOptions(a);
    const global = a as unknown as GlobalArgs;
    const peer = process.env[PEER_ENV] === "1";
    // The owner's token also shows private properties over HTTP, so it is read with or without --upload.
    const { env } = process;
    const ownerToken = envToken(env.HOTPOT_UPLOAD_TOKEN, "HOTPOT_UPLOAD_TOKEN");
    const token = options.upload || options.fetch ? ownerToken : null;
    const access = { ownerToken, readToken: envToken(env.HOTPOT_READ_TOKEN, "HOTPOT_READ_TOKEN") };
    // Missing environment variables stop the start, naming them.
    const strava = options.stravaWebhook ? stravaEnv("webhook") : null;
    const intervals = options.fetch ? intervalsEnv() : null;
    if (global["in-memory"] && options.workers > 1) options.workers = 1; // other processes could not see the data
    if (!peer && options.port !== 0) checkPortFree(options.host, options.port);
    // An empty map is a valid start (the page says how to add activities): the image's default command works on a fresh volume.
    const store = storeFromArgs(global, { readsOnly: !(options.upload || options.fetch || options.stravaWebhook) });

    const upload: UploadOptions | undefined = options.upload ? { ...DEFAULT_UPLOAD, token, maxBodyBytes: options.uploadLimitBytes } : undefined;
    const renderer: Renderer | undefined = options.render ? (global["in-memory"] ? new InlineRenderer(store) : new RenderPool(store.path)) : undefined;
    // The budget is for the whole server (it is what the machine must hold), so each process gets its share.
    const tileCache = options.cacheBytes > 0 ? new TileCache(Math.floor(options.cacheBytes / options.workers)) : null;
    const { plugins, processor } = sources(store, { strava, intervals, token, peer });
    // --render also lets the page have this server write bounded tile archives.
    if (options.render) plugins.push(exportRoutes(store));
    const tiles = new TileRenderer(store);
    const app = createApp({ store, tileCache, cors: options.cors, upload, renderer, tiles, plugins, access });
    const out = new BatchedStdout();
    const server = listen(app, {
      hostname: options.host,
      port: options.port,
      reusePort: options.workers > 1 || peer,
      log: options.quiet ? null : out.sink,
      // No bare 413 from Bun: /upload answers with a message (from Content-Length, else while reading), and the webhook too.
      maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    });

    const peers = new Peers(peerArgs(a, options, server.port!));
    const keeper = peer || global["in-memory"] ? null : new PyramidKeeper(store, (line) => console.error(`hotpot: ${line}`));
    // Events queued before a restart are applied now.
    processor?.kick();
    if (!peer) {
      peers.start(options.workers - 1);
      announce(options, global["in-memory"] ? "an in-memory database" : store.path, server.port!, token !== null);
    }
    await new Promise<string>((resolve) => {
      process.once("SIGTERM", () => resolve("SIGTERM"));
      process.once("SIGINT", () => resolve("SIGINT"));
      if (peer) primaryGone().then(() => resolve("primary gone"));
    });
    // New connections are refused at once; requests under way finish; then the database closes.
    process.once("SIGINT", () => process.exit(130)); // a second Ctrl-C means "now"
    await Promise.all([server.stop(false), peers.stop(), processor?.close(), keeper?.close()]);
    renderer?.close();
    tiles.close();
    await out.flush();
    store.close();
    process.exit(0);
  },
});

/**
 * The routes of the remote sources that are switched on. Strava events are
 * applied by the primary alone; peers only queue them in the database, where
 * the primary's poll finds them.
 */
function sources(
  store: Store,
  o: { strava: StravaEnv | null; intervals: IntervalsEnv | null; token: string | null; peer: boolean },
): { plugins: AnyElysia[]; processor: StravaEventProcessor | null } {
  const note = (line: string) => console.error(line);
  const processor = o.strava && !o.peer ? new StravaEventProcessor(o.strava, store, { log: note }) : null;
  const plugins: AnyElysia[] = [];
  if (o.strava) plugins.push(stravaWebhookRoutes(o.strava, processor ? (e) => processor.receive(e) : (e) => enqueueEvent(store, e, { notBefore: Date.now(), log: note })));
  if (o.intervals) plugins.push(fetchRoutes(store, o.intervals, o.token, note));
  return { plugins, processor };
}

/** The start-up line (tests and scripts read the URL from it) and a warning when writes are open to anyone. */
function announce(o: ServeOptions, what: string, port: number, tokenSet: boolean): void {
  const writes = tokenSet ? "token required" : "open";
  const features = [o.upload && `upload (${writes})`, o.render && "render", o.fetch && `fetch (${writes})`, o.stravaWebhook && "strava-webhook", o.cors && "cors"].filter(Boolean);
  const processes = `${o.workers} process${o.workers > 1 ? "es" : ""}`;
  console.log(`hotpot: serving ${what} at http://${urlHost(o.host)}:${port}/ with ${processes}${features.length ? `; ${features.join(", ")}` : ""}`);
  if ((o.upload || o.fetch) && !tokenSet) console.error("hotpot: warning: HOTPOT_UPLOAD_TOKEN is not set, so anyone who can reach this port can upload and fetch");
}

/**
 * With SO_REUSEPORT a second server on a busy port would not fail but quietly
 * take half of the first one's connections. So the primary first binds
 * without it, which fails if anything listens there.
 */
function checkPortFree(host: string, port: number): void {
  try {
    Bun.serve({ hostname: host, port, fetch: () => new Response() }).stop(true);
  } catch (e) {
    if ((e as { code?: string }).code === "EADDRINUSE") throw new HotpotError("config", `--port ${port}: something already listens on ${host}:${port}; stop it or pick another port`);
    throw e;
  }
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
