/**
 * Strava privacy zones → masks: reading privacy_zones.csv in its variants,
 * the import's note without --privacy-zones, masks added with it, the command
 * template for address-only zones, and the flag through the real CLI on a
 * folder and a zip export.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { strToU8, zipSync } from "fflate";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parsePrivacyZones, parseRadius, privacyZonesReport, readPrivacyZones } from "../../src/sources/privacy-zones.ts";
import { openStore } from "../../src/store.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hotpot-zones-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("parseRadius", () => {
  const cases: [string, number | null][] = [
    ["200 m", 200],
    ["0.2 km", 200],
    ["0,2 km", 200],
    ["200", 200],
    ["0.125 mi", 201.2],
    ["656 ft", 199.9],
    ["201.168 m", 201.2],
    ["", null],
    ["wide", null],
    ["0 m", null],
    ["200 parsecs", null],
  ];
  for (const [text, metres] of cases) test(`'${text}' → ${metres}`, () => expect(parseRadius(text)).toBe(metres));
});

describe("parsePrivacyZones", () => {
  test("address and radius, as most exports have it", () => {
    const zones = parsePrivacyZones('Address,Radius\n"Hauptstraße 5, 10827 Berlin, Germany",200 m\n"1 Main St, Springfield",0.2 km\n');
    expect(zones).toEqual([
      { name: "strava_zone_1", address: "Hauptstraße 5, 10827 Berlin, Germany", lat: null, lng: null, radius: 200 },
      { name: "strava_zone_2", address: "1 Main St, Springfield", lat: null, lng: null, radius: 200 },
    ]);
  });

  const located: [string, string][] = [
    ["latitude and longitude columns", "Address,Radius,Latitude,Longitude\nHome,500 m,52.5201,13.4049\n"],
    ["lat and lng columns, other order", "lng;lat;radius\n13.4049;52.5201;500\n"],
    ["comma decimals", 'Latitude;Longitude;Radius\n"52,5201";"13,4049";"0,5 km"\n'],
    ["coordinates in the address cell", 'Address,Radius\n"52.5201, 13.4049",500 m\n'],
    ["localised headers", "Adresse,Radius,Breitengrad,Längengrad\nZuhause,500 m,52.5201,13.4049\n"],
  ];
  for (const [name, csv] of located) {
    test(`coordinates from ${name}`, () => {
      expect(parsePrivacyZones(csv)).toMatchObject([{ name: "strava_zone_1", lat: 52.5201, lng: 13.4049, radius: 500 }]);
    });
  }

  test("out-of-range coordinates count as none", () => {
    expect(parsePrivacyZones("Address,Radius,lat,lng\nX,200 m,95,13\n")[0]).toMatchObject({ lat: null, lng: null });
  });

  test("a header only: no zones", () => expect(parsePrivacyZones("Address,Radius\n")).toEqual([]));
});

describe("privacyZonesReport", () => {
  const zones = parsePrivacyZones('Address,Radius,Latitude,Longitude\nHome,200 m,52.52,13.405\n"Office, Berlin",0.3 km,,\nCabin,wide,61.1,10.4\n');

  test("without --privacy-zones: counts and the flag to use, nothing changed", () => {
    const store = openStore(":memory:");
    const version = store.dataVersion();
    expect(privacyZonesReport(store, zones, { apply: false, dbArg: "" })).toBe(
      "privacy_zones.csv: found 3 Strava privacy zones (2 with coordinates, 1 address only). Import again with --privacy-zones to turn them into masks (no activity is imported twice).",
    );
    expect(store.masks()).toEqual([]);
    expect(store.dataVersion()).toBe(version);
  });

  test("with it: masks for zones with coordinates, the exact command for the others; a second run changes nothing", () => {
    const store = openStore(":memory:");
    const text = privacyZonesReport(store, zones, { apply: true, dbArg: " --db my.sqlite3" });
    expect(store.masks()).toEqual([
      { name: "strava_zone_1", lat: 52.52, lng: 13.405, radius: 200 },
      { name: "strava_zone_3", lat: 61.1, lng: 10.4, radius: 500 },
    ]);
    expect(text).toContain("strava_zone_1: added mask (52.52, 13.405, radius 200 m).");
    expect(text).toContain("strava_zone_3: added mask (61.1, 10.4, radius 500 m, the default: the file's radius was unreadable).");
    expect(text).toContain('strava_zone_2: "Office, Berlin" has no coordinates, and hotpot cannot look addresses up offline.');
    expect(text).toContain("\n    hotpot mask add strava_zone_2 --latlng LAT,LNG --radius 300 --db my.sqlite3");

    const version = store.dataVersion();
    const again = privacyZonesReport(store, zones, { apply: true, dbArg: "" });
    expect(again).toContain("strava_zone_1: mask already present");
    expect(store.dataVersion()).toBe(version);
  });

  test("a zone the mask rules refuse is reported, the others added", () => {
    const store = openStore(":memory:");
    const odd = parsePrivacyZones("Address,Radius,lat,lng\nPole,200 m,89.9,10\nHuge,80 km,52,13\nHome,200 m,52.52,13.405\n");
    const text = privacyZonesReport(store, odd, { apply: true, dbArg: "" });
    expect(text).toContain("strava_zone_1: not added: latitude: expected");
    expect(text).toContain("strava_zone_2: not added: radius: expected more than 0 and at most 50000 metres, found 80000");
    expect(store.masks().map((m) => m.name)).toEqual(["strava_zone_3"]);
  });

  test("keeps the user's own masks and replaces a zone mask that moved", () => {
    const store = openStore(":memory:");
    store.setConfig("activity_masks", [
      { name: "home", lat: 1, lng: 2, radius: 100 },
      { name: "strava_zone_1", lat: 52, lng: 13, radius: 100 },
    ]);
    const text = privacyZonesReport(store, zones.slice(0, 1), { apply: true, dbArg: "" });
    expect(text).toContain("strava_zone_1: replaced the mask of that name");
    expect(store.masks()).toEqual([
      { name: "home", lat: 1, lng: 2, radius: 100 },
      { name: "strava_zone_1", lat: 52.52, lng: 13.405, radius: 200 },
    ]);
  });
});

describe("hotpot import --privacy-zones (CLI)", () => {
  const CSV = "Address,Radius,Latitude,Longitude\nHome,200 m,52.52,13.405\nOffice,0.3 km,,\n";
  const gpx = () => readFileSync(join(import.meta.dir, "../fixtures/activities/sample.gpx"));

  function exportFolder(): string {
    const root = join(dir, "export");
    mkdirSync(join(root, "activities"), { recursive: true });
    writeFileSync(join(root, "activities/sample.gpx"), gpx());
    writeFileSync(join(root, "privacy_zones.csv"), CSV);
    return root;
  }

  function exportZip(): string {
    const path = join(dir, "export.zip");
    writeFileSync(path, zipSync({ "activities/sample.gpx": new Uint8Array(gpx()), "privacy_zones.csv": strToU8(CSV) }));
    return path;
  }

  const cli = async (args: string[]) => {
    const p = Bun.spawn(["bun", join(import.meta.dir, "../../src/cli.ts"), ...args], { stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    return { out, err, code };
  };

  for (const [kind, make] of [["folder", exportFolder], ["zip", exportZip]] as const) {
    test(`a ${kind} export: the note without the flag, masks with it`, async () => {
      const path = make();
      expect(readPrivacyZones(path)).toHaveLength(2);
      const db = join(dir, "h.sqlite3");
      const plain = await cli(["import", path, "--db", db, "-j", "1"]);
      expect(plain.code).toBe(0);
      expect(plain.out).toContain("privacy_zones.csv: found 2 Strava privacy zones (1 with coordinates, 1 address only). Import again with --privacy-zones");

      const flagged = await cli(["import", path, "--db", db, "-j", "1", "--privacy-zones"]);
      expect(flagged.code).toBe(0);
      expect(flagged.out).toContain("strava_zone_1: added mask (52.52, 13.405, radius 200 m).");
      expect(flagged.out).toContain(`    hotpot mask add strava_zone_2 --latlng LAT,LNG --radius 300 --db ${db}`);
      const store = openStore(db);
      expect(store.masks()).toEqual([{ name: "strava_zone_1", lat: 52.52, lng: 13.405, radius: 200 }]);
      expect(store.activityCount()).toBe(1);
      store.close();
    }, 20_000);
  }

  test("the flag on a path without privacy_zones.csv says so; without the flag nothing is said", async () => {
    const file = join(dir, "ride.gpx");
    writeFileSync(file, gpx());
    const db = join(dir, "h.sqlite3");
    expect((await cli(["import", file, "--db", db])).out).not.toContain("privacy_zones");
    const flagged = await cli(["import", file, "--db", db, "--privacy-zones"]);
    expect(flagged.code).toBe(0);
    expect(flagged.out).toContain(`--privacy-zones: ${file} holds no privacy_zones.csv`);
  }, 20_000);
});
