import { describe, expect, test } from "bun:test";
import { parseArgs } from "citty";
import serve, { peerArgs, serveOptions } from "../../src/commands/serve.ts";

const MB = 1024 * 1024;
const defs = serve.args!;

/** What `hotpot serve <argv>` parses to, as citty hands it to run(). */
const parsed = (argv: string[]) => parseArgs(argv, defs as Parameters<typeof parseArgs>[1]) as Record<string, unknown>;

describe("peerArgs", () => {
  test("a peer gets every flag of the primary, the actual port, its cache share and one process", () => {
    const a = parsed(["--db", "/tmp/x.sqlite3", "--host", "0.0.0.0", "--port", "0", "--upload", "--render", "--cors", "--quiet", "--verbose", "--cache-mb", "64", "--workers", "4"]);
    const o = serveOptions(a, {});
    const args = peerArgs(a, o, 41234);
    expect(args[0]).toBe("serve");
    const again = parsed(args.slice(1));
    expect(again.db).toBe("/tmp/x.sqlite3");
    expect(again.host).toBe("0.0.0.0");
    expect(again.port).toBe("41234");
    expect(again.workers).toBe("1");
    expect(Number(again["cache-mb"])).toBe(16);
    expect([again.upload, again.render, again.cors, again.quiet, again.verbose]).toEqual([true, true, true, true, true]);
    expect([again.fetch, again["strava-webhook"]]).toEqual([false, false]);
  });

  test("every boolean flag the command defines reaches the peer, without a list kept by hand", () => {
    const booleans = Object.entries(defs).filter(([, d]) => (d as { type: string }).type === "boolean").map(([name]) => name);
    expect(booleans.length).toBeGreaterThan(5);
    const a = parsed(booleans.map((name) => `--${name}`));
    const args = peerArgs(a, serveOptions(a, {}), 8080);
    for (const name of booleans) expect(args).toContain(`--${name}`);
  });

  test("the upload limit is passed as resolved, environment included", () => {
    const a = parsed([]);
    const o = serveOptions(a, { HOTPOT_UPLOAD_LIMIT_MB: "3" });
    const args = peerArgs(a, o, 8080);
    expect(args[args.indexOf("--upload-limit-mb") + 1]).toBe("3");
    expect(o.uploadLimitBytes).toBe(3 * MB);
  });
});
