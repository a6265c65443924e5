/**
 * `hotpot demo`: a heatmap in one command. Fills a throwaway database with the
 * generated demo data (src/demo.ts) and serves it with uploads and image
 * export on, so every part of the page can be tried. The database lives in a
 * temporary folder that is removed when the server stops.
 */
import { defineCommand, runCommand } from "citty";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDemoStore } from "../demo.ts";
import serve from "./serve.ts";

export default defineCommand({
  meta: { name: "demo", description: "Serve a generated sample of a few hundred activities from a throwaway database, with upload and image export on" },
  args: {
    host: { type: "string", alias: "H", description: "address to listen on (0.0.0.0 for every interface)", default: "127.0.0.1" },
    port: { type: "string", alias: "p", description: "TCP port (0 picks a free one)", default: "8080" },
  },
  async run({ args }) {
    const started = performance.now();
    const dir = mkdtempSync(join(tmpdir(), "hotpot-demo-"));
    // serve ends the process itself (on Ctrl-C or SIGTERM, after closing the database): clean up on the way out.
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    const db = join(dir, "demo.sqlite3");
    const demo = buildDemoStore(db);
    const years = `${new Date(demo.from).getUTCFullYear()}-${new Date(demo.to).getUTCFullYear()}`;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`hotpot demo: ${demo.activities} generated activities (${Math.round(demo.km).toLocaleString("en")} km, ${years}) in a throwaway database, made in ${seconds} s.`);
    console.log("Open the address below in a browser; Ctrl-C stops the server and deletes the database.");
    await runCommand(serve, { rawArgs: ["--db", db, "--host", args.host, "--port", args.port, "--upload", "--render"] });
  },
});
