import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { didYouMean, readArgv } from "../../src/cli-args.ts";
import { main } from "../../src/cli.ts";
import { HotpotError } from "../../src/errors.ts";

const REPO = join(import.meta.dir, "../..");

async function read(argv: string[]): Promise<string[]> {
  return (await readArgv(main, argv)).argv;
}

async function refusal(argv: string[]): Promise<string> {
  try {
    await readArgv(main, argv);
  } catch (e) {
    if (e instanceof HotpotError) return e.message;
    throw e;
  }
  throw new Error(`accepted ${argv.join(" ")}`);
}

describe("every Rust short flag, and its long form", () => {
  test.each([
    [["activities", "-b", "2023-07-01"], ["activities", "list", "--before=2023-07-01"]],
    [["activities", "-a", "2023-07-01"], ["activities", "list", "--after=2023-07-01"]],
    [["activities", "-f", "distance > 5"], ["activities", "list", "--filter=distance > 5"]],
    [["activities", "-c"], ["activities", "list", "--count"]],
    [["tile", "1/0/0", "-g", "1:000;2:fff"], ["tile", "--gradient=1:000;2:fff", "--", "1/0/0"]],
    [["tile", "-w", "256", "1/0/0"], ["tile", "--width=256", "--", "1/0/0"]],
    [["tile", "1/0/0", "-o", "out.png"], ["tile", "--output=out.png", "--", "1/0/0"]],
    [["tile", "1/0/0", "-b", "2024-01-01", "-a", "2023-01-01", "-f", "x = 1"], ["tile", "--before=2024-01-01", "--after=2023-01-01", "--filter=x = 1", "--", "1/0/0"]],
    [["render", "--bounds", "1,2,3,4", "-w", "800", "-H", "600"], ["render", "--bounds=1,2,3,4", "--width=800", "--height=600"]],
    [["import", "ride.fit", "-t", "2000"], ["import", "--trim=2000", "--", "ride.fit"]],
    [["import", "-j", "2", "ride.fit"], ["import", "--jobs=2", "--", "ride.fit"]],
    [["mask", "add", "home", "-l", "52.5,13.3", "-r", "200"], ["mask", "add", "--latlng=52.5,13.3", "--radius=200", "--", "home"]],
    [["serve", "-H", "0.0.0.0", "-p", "9000"], ["serve", "--host=0.0.0.0", "--port=9000"]],
    [["strava-auth", "-H", "0.0.0.0", "-p", "9000"], ["strava-auth", "--host=0.0.0.0", "--port=9000"]],
    [["fetch", "intervals-icu", "-l", "7"], ["fetch", "intervals-icu", "--lookback=7"]],
    [["activities", "-D", "x.sqlite3"], ["activities", "list", "--db=x.sqlite3"]],
    [["activities", "-v"], ["activities", "list", "--verbose"]],
    [["activities", "--before", "2023-07-01", "--count"], ["activities", "list", "--before=2023-07-01", "--count"]],
    [["activities", "--before=2023-07-01"], ["activities", "list", "--before=2023-07-01"]],
    [["serve", "--no-cors"], ["serve", "--no-cors"]],
    // Short flags together, as clap reads them.
    [["activities", "-cv"], ["activities", "list", "--count", "--verbose"]],
    [["import", "ride.fit", "-vt", "500"], ["import", "--verbose", "--trim=500", "--", "ride.fit"]],
  ])("%p", async (argv, expected) => {
    expect(await read(argv)).toEqual(expected);
  });
});

describe("global flags and option values in any position", () => {
  test.each([
    [["--db", "x.sqlite3", "mask"], ["mask", "list", "--db=x.sqlite3"]],
    [["-D", "x.sqlite3", "mask", "list"], ["mask", "list", "--db=x.sqlite3"]],
    [["mask", "--db", "x.sqlite3"], ["mask", "list", "--db=x.sqlite3"]],
    [["--db", "x.sqlite3", "mask", "remove", "home"], ["mask", "remove", "--db=x.sqlite3", "--", "home"]],
    [["mask", "-D", "x.sqlite3", "add", "-l", "1,2", "home"], ["mask", "add", "--db=x.sqlite3", "--latlng=1,2", "--", "home"]],
    [["fetch", "--lookback", "7", "intervals-icu"], ["fetch", "intervals-icu", "--lookback=7"]],
    [["--verbose", "fetch", "-l", "7", "intervals-icu", "--db", "y"], ["fetch", "intervals-icu", "--verbose", "--lookback=7", "--db=y"]],
    [["--in-memory", "import", "ride.gpx"], ["import", "--in-memory", "--", "ride.gpx"]],
    [["import", "--db", "x", "ride.gpx", "--trim", "100"], ["import", "--db=x", "--trim=100", "--", "ride.gpx"]],
    // A value that starts with "-" stays a value.
    [["render", "--bounds", "-10,40,5,50"], ["render", "--bounds=-10,40,5,50"]],
    // After --, everything is a positional, even a file named like a flag.
    [["import", "--", "--odd.gpx"], ["import", "--", "--odd.gpx"]],
    [["mask"], ["mask", "list"]],
  ])("%p", async (argv, expected) => {
    expect(await read(argv)).toEqual(expected);
  });
});

describe("unknown flags and stray arguments are errors, with a suggestion", () => {
  test.each([
    [["activities", "--befor", "2023-07-01"], "activities: unknown option --befor (did you mean --before?)"],
    [["activities", "--nonsense"], "activities: unknown option --nonsense"],
    [["tile", "1/0/0", "-x"], "tile: unknown option -x"],
    [["activities", "-cx"], "activities: unknown option -x"],
    [["tile", "1/0/0", "--colour", "ice"], "tile: unknown option --colour (did you mean --color?)"],
    [["serve", "--uplod"], "serve: unknown option --uplod (did you mean --upload?)"],
    [["import", "a.gpx", "b.gpx"], "import: unexpected argument 'b.gpx' (it takes 1)"],
    [["activities", "stray"], "activities: unknown command 'stray'"],
    [["activities", "list", "stray"], "activities list: unexpected argument 'stray' (it takes none)"],
    [["imprt", "x"], "unknown command 'imprt' (did you mean import?)"],
    [["mask", "lst"], "mask: unknown command 'lst' (did you mean list?)"],
    [["fetch", "strava"], "fetch: unknown command 'strava'"],
    [["fetch", "-l", "7"], "fetch: expected a command after it: intervals-icu"],
    [["activities", "--count=yes"], "activities: --count takes no value, found 'yes'"],
    [["tile", "1/0/0", "--width"], "--width: expected a value after it, found the end of the command"],
  ])("%p", async (argv, message) => {
    expect(await refusal(argv)).toBe(message);
  });

  test.each([
    ["--befor", ["--before", "--after"], "--before"],
    ["--filtr", ["--filter", "--before"], "--filter"],
    ["--x", ["--before"], null],
    ["imp", ["import", "tile"], "import"],
  ])("didYouMean(%p)", (word, known, expected) => {
    expect(didYouMean(word, known)).toBe(expected);
  });
});

describe("end to end", () => {
  const run = async (...argv: string[]) => {
    const proc = Bun.spawn(["bun", join(REPO, "src/cli.ts"), ...argv], { stdout: "pipe", stderr: "pipe", cwd: import.meta.dir });
    return { code: await proc.exited, stdout: await new Response(proc.stdout).text(), stderr: await new Response(proc.stderr).text() };
  };

  test("an unknown flag exits 2 with one line and no stack trace", async () => {
    const r = await run("activities", "--befor", "2023-07-01", "--db", "nowhere.sqlite3");
    expect(r).toEqual({ code: 2, stdout: "", stderr: "hotpot: activities: unknown option --befor (did you mean --before?)\n" });
  }, 30_000);

  test("-V prints the version", async () => {
    const r = await run("-V");
    expect(r.code).toBe(0);
    expect(r.stdout).toStartWith("hotpot ");
  }, 30_000);

  test("--in-memory refuses a command that only reads", async () => {
    const r = await run("activities", "--in-memory", "--count");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--in-memory: this command reads stored data");
    expect(r.stdout).toBe("");
  }, 30_000);
});
