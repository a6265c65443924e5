/** `hotpot import` as a user runs it: a real process, real files, a real database. */
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeGpx } from "../../src/synth/formats.ts";
import { walkActivity } from "../fixtures/import/synth.ts";
import { waitUntil } from "../helpers/wait.ts";

const CLI = join(import.meta.dir, "../../src/cli.ts");
const tmp = mkdtempSync(join(tmpdir(), "hotpot-import-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function hotpot(...args: string[]) {
  const p = Bun.spawnSync(["bun", CLI, ...args], { stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

function fixtureFolder(name: string): string {
  const dir = join(tmp, name);
  cpSync(join(import.meta.dir, "../fixtures/activities"), join(dir, "activities"), { recursive: true });
  cpSync(join(import.meta.dir, "../fixtures/metadata.csv"), join(dir, "activities.csv"));
  return dir;
}

describe("hotpot import", () => {
  test("prints the summary; failed files do not fail the command", () => {
    const dir = fixtureFolder("summary");
    const db = join(tmp, "summary.sqlite3");
    const r = hotpot("import", dir, "--db", db);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^Imported 3 activities from 5 files in \d+\.\d s \(\d+ files\/s, \d+\.\d MB\/s\)\.$/);
    expect(lines.slice(1, 4)).toEqual([
      "Skipped 1: 0 already stored, 1 without track data, 0 virtual or indoor, 0 unsupported.",
      `${join(dir, "activities.csv")}: 1 row naming a file that is not there, 0 manual activities (no file).`,
      "Failed: 1 file (the others were imported; the exit status stays 0):",
    ]);
    expect(lines[4]).toStartWith(`  ${join(dir, "activities/corrupted.gpx")}: `);
    // Not a terminal: no progress bar escape codes.
    expect(r.stderr).not.toContain("\x1b[");
    const again = hotpot("import", dir, "--db", db);
    expect(again.stdout).toContain("Skipped 4: 3 already stored, 1 without track data");
  });

  test.each([
    [["import", join(tmp, "no-such-folder")], /^hotpot: .*no-such-folder does not exist \(expected an activity file, a folder or a \.zip archive\)$/],
    [["import", ".", "--jobs", "0"], /^hotpot: --jobs: expected a whole number of workers from 1 to 256, got '0'$/],
    [["import", ".", "--trim", "-5"], /^hotpot: --trim: expected a distance in metres >= 0, got '-5'$/],
    [["import", ".", "--join", join(tmp, "none.csv")], /^hotpot: --join .*none\.csv: cannot read the CSV file$/],
  ])("%j fails with a clear message", (args, message) => {
    const r = hotpot(...args, "--db", join(tmp, "errors.sqlite3"));
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(message);
  });

  test("a CSV without a file column is an error naming the expected column", () => {
    const dir = join(tmp, "badcsv");
    mkdirSync(dir);
    writeFileSync(join(dir, "activities.csv"), "Activity ID,Name\n1,x\n");
    const r = hotpot("import", dir, "--db", join(tmp, "badcsv.sqlite3"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("activities.csv: no file column (expected 'filename' or 'Filename'");
  });

  test("--help describes every flag", () => {
    const r = hotpot("import", "--help");
    expect(r.code).toBe(0);
    for (const flag of ["--reset", "--trim", "--join", "--jobs", "--db", "--in-memory", "--verbose"]) expect(r.stdout).toContain(flag);
  });
});

describe("a killed import", () => {
  test("kill -9 mid-way leaves a valid database; the re-run completes it without duplicates", async () => {
    // Enough work that the import runs for several seconds and commits several batches.
    const FILES = 800;
    const dir = join(tmp, "kill");
    for (let i = 0; i < FILES; i++) {
      mkdirSync(join(dir, String(i % 10)), { recursive: true });
      writeFileSync(join(dir, String(i % 10), `a${i}.gpx`), writeGpx(walkActivity(i, 3000)));
    }
    const db = join(tmp, "kill.sqlite3");
    const count = (): number => {
      if (!existsSync(db)) return 0;
      try {
        const d = new Database(db, { readonly: true });
        try {
          return (d.query("SELECT count(*) AS n FROM activities").get() as { n: number }).n;
        } finally {
          d.close();
        }
      } catch {
        return 0; // the schema is not there yet
      }
    };
    const child = Bun.spawn(["bun", CLI, "import", dir, "--db", db, "--jobs", "1"], { stdout: "ignore", stderr: "ignore" });
    await waitUntil(() => count() > 0 || child.exitCode !== null, { what: `a first batch committed to ${db}`, timeoutMs: 60_000 });
    child.kill(9);
    await child.exited;
    expect(child.signalCode).toBe("SIGKILL");
    const atKill = count();
    // Otherwise the import finished before it was killed and this test proves nothing.
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(FILES);

    const d = new Database(db);
    expect(d.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    d.close();

    const r = hotpot("import", dir, "--db", db);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Imported ${FILES - atKill} activities from ${FILES} files`);
    const after = new Database(db, { readonly: true });
    try {
      const stats = after.query("SELECT count(*) AS n, count(DISTINCT key) AS keys, count(DISTINCT file_hash) AS hashes FROM activities").get();
      expect(stats).toEqual({ n: FILES, keys: FILES, hashes: FILES });
      // Every stored activity kept its geometry: no activity row without tiles from a half-written batch.
      const bare = after.query("SELECT count(*) AS n FROM activities a WHERE NOT EXISTS (SELECT 1 FROM activity_tiles t WHERE t.activity_id = a.id)").get();
      expect(bare).toEqual({ n: 0 });
    } finally {
      after.close();
    }
  }, 120_000);
});
