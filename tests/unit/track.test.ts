import { describe, expect, test } from "bun:test";
import { HotpotError } from "../../src/errors.ts";
import { EARTH_RADIUS_M, groundDistance } from "../../src/geo.ts";
import { latToY, lngToX, xToLng, yToLat } from "../../src/tile.ts";
import { buildTrack } from "../../src/track.ts";
import type { ParsedActivity, Segment, Track } from "../../src/types.ts";

// An independent reference for every distance checked here.
function haversine(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * r) / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(a));
}

const LAT0 = 46;
const LON0 = 7;
const M_PER_DEG = (EARTH_RADIUS_M * Math.PI) / 180;

/** A point `north` metres up the meridian from (LAT0, LON0), then `east` metres along that parallel. */
function at(east: number, north: number): [number, number] {
  const lat = LAT0 + north / M_PER_DEG;
  return [lat, LON0 + east / (M_PER_DEG * Math.cos((lat * Math.PI) / 180))];
}

interface P {
  e: number; // metres east
  n: number; // metres north
  t?: number; // seconds
  ele?: number;
}

function segment(points: P[]): Segment {
  const s: Segment = { lat: [], lon: [], ele: [], time: [] };
  for (const p of points) {
    const [lat, lon] = at(p.e, p.n);
    s.lat.push(lat);
    s.lon.push(lon);
    s.ele.push(p.ele ?? NaN);
    s.time.push(p.t === undefined ? NaN : Date.UTC(2024, 0, 1) + p.t * 1000);
  }
  return s;
}

const activity = (...segments: Segment[]): ParsedActivity => ({ properties: {}, segments });

/** Points every `step` metres eastwards from `from`, one per `dt` seconds starting at `t0`. */
function east(count: number, step: number, options: { from?: number; n?: number; t0?: number; dt?: number } = {}): P[] {
  const { from = 0, n = 0, t0 = 0, dt = 1 } = options;
  return Array.from({ length: count }, (_, i) => ({ e: from + i * step, n, t: t0 + i * dt }));
}

/** The track's lines back in degrees, as [lat, lon] pairs. */
function degrees(track: Track): [number, number][][] {
  return track.lines.map((line) => {
    const out: [number, number][] = [];
    for (let i = 0; i < line.length; i += 2) out.push([yToLat(line[i + 1]), xToLng(line[i])]);
    return out;
  });
}

function length(line: [number, number][]): number {
  let d = 0;
  for (let i = 1; i < line.length; i++) d += haversine(line[i - 1][0], line[i - 1][1], line[i][0], line[i][1]);
  return d;
}

function build(a: ParsedActivity, trimDist = 0) {
  const built = buildTrack(a, { trimDist });
  if (built === null) throw new Error("expected a track");
  return built;
}

describe("cleaning", () => {
  const bad: [string, number, number][] = [
    ["NaN latitude", NaN, 7],
    ["NaN longitude", 46, NaN],
    ["latitude over 90", 91, 7],
    ["latitude under -90", -91, 7],
    ["longitude over 180", 46, 181],
    ["longitude under -180", 46, -180.5],
    ["exactly 0,0", 0, 0],
    ["north of Web Mercator", 85.06, 7],
    ["south of Web Mercator", -86, 7],
    ["infinite", Infinity, 7],
  ];
  test.each(bad)("drops a point with %s", (_, lat, lon) => {
    const s = segment(east(4, 10));
    s.lat.splice(2, 0, lat);
    s.lon.splice(2, 0, lon);
    s.ele.splice(2, 0, NaN);
    s.time.splice(2, 0, NaN);
    const lines = build(activity(s)).track.lines;
    expect(lines.length).toBe(1);
    expect(lines[0].length).toBe(8);
  });

  const good: [string, number, number][] = [
    ["on the equator", 0, 7],
    ["on the prime meridian", 46, 0],
    ["at the edge of Web Mercator", 85.05, 7],
    ["on the antimeridian", 10, 180],
  ];
  test.each(good)("keeps a point %s", (_, lat, lon) => {
    const s: Segment = { lat: [lat, lat + 0.0001], lon: [lon, lon - 0.0001], ele: [NaN, NaN], time: [NaN, NaN] };
    const line = build(activity(s)).track.lines[0];
    expect(Array.from(line)).toEqual([lngToX(lon), latToY(lat), lngToX(lon - 0.0001), latToY(lat + 0.0001)]);
  });

  test.each([
    [4900, 1],
    [5100, 2],
  ])("a jump of %d m between points gives %d line(s)", (jump, lines) => {
    const points = [...east(3, 100), ...east(3, 100, { from: 200 + jump, t0: 3 })];
    expect(build(activity(segment(points))).track.lines.length).toBe(lines);
  });

  test("each segment is its own line, and a line of one point is dropped", () => {
    const a = activity(segment(east(3, 10)), segment(east(1, 10, { n: 50 })), segment(east(2, 10, { n: 100 })));
    expect(build(a).track.lines.map((l) => l.length / 2)).toEqual([3, 2]);
  });

  test("a leg over the antimeridian breaks the line instead of spanning the map", () => {
    const s: Segment = { lat: [10, 10, 10, 10], lon: [179.998, 179.999, -179.999, -179.998], ele: [], time: [] };
    const lines = build(activity(s)).track.lines;
    expect(lines.length).toBe(2);
    for (const line of lines) expect(Math.abs(line[2] - line[0])).toBeLessThan(1e-5);
  });

  test.each([
    [[], "no segments"],
    [[segment([])], "an empty segment"],
    [[segment(east(1, 10))], "one point"],
    [[{ lat: [0, 91], lon: [0, 7], ele: [], time: [] }], "only invalid points"],
  ] as [Segment[], string][])("null for %#: %s", (segments) => {
    expect(buildTrack({ properties: {}, segments }, { trimDist: 0 })).toBeNull();
  });
});

describe("lone spikes", () => {
  /** Points of a line with point `index` moved `out` metres north. */
  const withSpike = (points: P[], index: number, out: number) =>
    points.map((p, i) => (i === index ? { ...p, n: p.n + out } : p));
  const untimed = (points: P[]) => points.map(({ e, n }) => ({ e, n }));

  // A switchback sampled every 10 s at 10 m/s: the apex is 100 m beyond legs 20 m apart.
  const hairpin: P[] = [
    { e: 0, n: 0, t: 0 },
    { e: 100, n: 0, t: 10 },
    { e: 200, n: 0, t: 20 },
    { e: 300, n: 10, t: 30 },
    { e: 200, n: 20, t: 40 },
    { e: 100, n: 20, t: 50 },
    { e: 0, n: 20, t: 60 },
  ];

  test.each([
    ["a 300 m spike at 1 s, 8 m/s", 19, withSpike(east(20, 8), 10, 300)],
    ["a 2 km spike at 1 s", 19, withSpike(east(20, 8), 10, 2000)],
    ["a 20 km spike, beyond the gap limit, at 1 s", 19, withSpike(east(20, 8), 10, 20_000)],
    ["a 400 m spike at 10 s, 80 m steps", 19, withSpike(east(20, 80, { dt: 10 }), 10, 400)],
    ["a 300 m spike without times", 19, untimed(withSpike(east(20, 8), 10, 300))],
    ["a spike next to the line's second point", 19, withSpike(east(20, 8), 1, 300)],
    ["a 30 m wobble (GPS noise, not a spike)", 20, withSpike(east(20, 8), 10, 30)],
    ["a hairpin at 10 s", 7, hairpin],
    ["a hairpin without times", 7, untimed(hairpin)],
    ["a spike at the end of the line (one neighbour)", 20, withSpike(east(20, 8), 19, 300)],
  ] as [string, number, P[]][])("%s: keeps %d points", (_, kept, points) => {
    expect(build(activity(segment(points))).track.lines[0].length / 2).toBe(kept);
  });

  test("the dropped point is the spike, and distance no longer includes it", () => {
    const { track, stats } = build(activity(segment(withSpike(east(21, 10), 10, 500))));
    const ys = Array.from(track.lines[0].filter((_, i) => i % 2 === 1));
    expect(new Set(ys.map((y) => y.toFixed(12))).size).toBe(1);
    expect(stats.total_distance).toBeCloseTo(0.2, 3);
  });
});

describe("trim: the Rust rule, straight-line distance from the first and last points", () => {
  // 2 km eastwards in 100 m steps, then a second line of 1 km, 1 km further north.
  const twoLines = activity(segment(east(21, 100)), segment(east(11, 100, { n: 1000, t0: 100 })));
  const start = at(0, 0);
  const end = at(1000, 1000);
  const points = (lines: [number, number][][]) => lines.flat();

  test.each([
    // The first kept point is the first at least M metres from the start; the last, the last at least M from the end.
    [0, [[0, 2000], [0, 1000]]],
    [250, [[300, 2000], [0, 700]]],
    [301, [[400, 2000], [0, 600]]],
  ])("trimming %d m keeps points from %j m east", (trim, expected) => {
    const lines = degrees(build(twoLines, trim).track);
    const ends = lines.map((l, i) => [l[0], l[l.length - 1]].map((p) => Math.round(haversine(...at(0, i * 1000), ...p))));
    expect(ends).toEqual(expected);
  });

  test("a start that winds near home is hidden wholly, though the winding is longer than the trim", () => {
    // 1.2 km of zig-zag within 40 m of the start, then 2 km away eastwards.
    const zigzag: P[] = Array.from({ length: 60 }, (_, i) => ({ e: (i % 2) * 20, n: ((i * 7) % 40) - 20, t: i }));
    const a = activity(segment([...zigzag, ...east(21, 100, { from: 100, t0: 60 })]));
    const lines = degrees(build(a, 500).track);
    const kept = points(lines);
    expect(Math.min(...kept.map((p) => haversine(...start, ...p)))).toBeGreaterThan(499.99);
    expect(Math.round(haversine(...start, ...kept[0]))).toBe(500);
  });

  test("the start cut runs on into the next line; the end cut can swallow a whole line", () => {
    const lines = degrees(build(twoLines, 1150).track);
    expect(lines.length).toBe(1);
    expect(Math.round(haversine(...start, ...lines[0][0]))).toBe(1200);
    // The second line lies within 1 km of the end: it all goes; the first line's end is 1.4 km away.
    expect(haversine(...lines[0][lines[0].length - 1], ...at(2000, 0))).toBeCloseTo(0, 3);
  });

  test("stats describe the whole activity, before trimming", () => {
    expect(build(twoLines, 500).stats.total_distance).toBe(3);
  });

  test.each([2100, 5000])("trimming %d m, further than any point gets from the ends, leaves nothing", (trim) => {
    expect(buildTrack(twoLines, { trimDist: trim })).toBeNull();
  });

  test.each([-1, NaN, Infinity])("rejects trimDist %d", (trim) => {
    expect(() => buildTrack(twoLines, { trimDist: trim })).toThrow(HotpotError);
  });
});

describe("stats", () => {
  test("total distance of a known segment: 0.1° along a meridian in 0.01° steps", () => {
    const s: Segment = { lat: [], lon: [], ele: [], time: [] };
    for (let i = 0; i <= 10; i++) {
      s.lat.push(45 + i * 0.01);
      s.lon.push(7);
    }
    // 0.1° of a great circle on the 6371008.8 m sphere.
    expect(build(activity(s)).stats).toEqual({ total_distance: 11.12 });
  });

  test("total distance along a parallel matches haversine", () => {
    const s: Segment = { lat: [60, 60, 60], lon: [10, 10.02, 10.04], ele: [], time: [] };
    const expected = 2 * haversine(60, 10, 60, 10.02);
    expect(build(activity(s)).stats.total_distance).toBe(Math.round(expected) / 1000);
  });

  test("elevation: wobble under 2 m is ignored, real climbs count in full", () => {
    const eles = [100, 101.5, 100.2, 101.8, 100, 110, 109, 110.5, 105, 106.9, 100];
    const points = eles.map((ele, i) => ({ e: i * 10, n: 0, ele }));
    expect(build(activity(segment(points))).stats).toMatchObject({
      elevation_gain: 10.5,
      elevation_loss: 10.5,
      min_elevation: 100,
      max_elevation: 110.5,
    });
  });

  test("elevation: noise alone adds nothing, and missing values are skipped", () => {
    const eles = [200, 201.9, 200.1, NaN, 201.5, 200, 201.9, 200];
    const points = eles.map((ele, i) => ({ e: i * 10, n: 0, ele }));
    expect(build(activity(segment(points))).stats).toMatchObject({ elevation_gain: 0, elevation_loss: 0 });
  });

  test("moving time leaves out a pause where the receiver drifts in place", () => {
    // 60 s at 5 m/s, 120 s standing with up to 1.5 m of drift, 60 s at 5 m/s.
    const points: P[] = east(61, 5);
    for (let t = 61; t <= 180; t++) points.push({ e: 300 + 1.5 * Math.sin(t), n: 1.5 * Math.cos(t * 0.7), t });
    points.push(...east(60, 5, { from: 305, t0: 181 }));
    const { stats } = build(activity(segment(points)));
    expect(stats.elapsed_time).toBe(240);
    expect(stats.moving_time).toBe(120);
    // 600 m moving plus the drift while standing, over 120 s.
    expect(stats.average_speed).toBeGreaterThan(18);
    expect(stats.average_speed).toBeLessThan(18 + ((300 / 1000) * 3600) / 120);
  });

  test("moving time leaves out an auto-pause (one long leg in place) and a gap between segments", () => {
    const a = activity(
      segment([...east(61, 5), { e: 300, n: 0, t: 360 }, ...east(60, 5, { from: 305, t0: 361 })]),
      segment(east(11, 5, { n: 100, t0: 1000 })),
    );
    const { stats } = build(a);
    expect(stats).toMatchObject({ elapsed_time: 1010, moving_time: 130, total_distance: 0.65, average_speed: 18 });
  });

  test("max speed ignores one bad point but sees 10 s of real speed", () => {
    const points = east(60, 5).map((p, i) => (i === 20 ? { ...p, n: 30 } : p));
    expect(build(activity(segment(points))).stats.max_speed).toBe(18);
    const faster = [...east(30, 5), ...east(10, 10, { from: 155, t0: 30 }), ...east(20, 5, { from: 255, t0: 40 })];
    expect(build(activity(segment(faster))).stats.max_speed).toBe(36);
  });

  test("stats the data cannot give are left out, never NaN or null", () => {
    const noTimes = build(activity(segment(east(10, 5).map(({ e, n }) => ({ e, n, ele: 100 + e / 10 })))));
    expect(Object.keys(noTimes.stats).sort()).toEqual(
      ["elevation_gain", "elevation_loss", "max_elevation", "min_elevation", "total_distance"].sort(),
    );
    const noElevation = build(activity(segment(east(10, 5))));
    expect(Object.keys(noElevation.stats).sort()).toEqual(
      ["average_speed", "elapsed_time", "max_speed", "moving_time", "total_distance"].sort(),
    );
    for (const v of [...Object.values(noTimes.stats), ...Object.values(noElevation.stats)]) {
      expect(Number.isFinite(v)).toBe(true);
    }
  });
});

describe("groundDistance", () => {
  test.each([
    [0, 1000, 0],
    [45, 5000, 90],
    [60, 5000, 0],
    [60, 100, 45],
    [80, 5000, 30],
  ])("at latitude %d, %d m towards %d° agrees with haversine", (lat, metres, bearing) => {
    const r = Math.PI / 180;
    const lat2 = lat + (metres * Math.cos(bearing * r)) / M_PER_DEG;
    const lon2 = 10 + (metres * Math.sin(bearing * r)) / (M_PER_DEG * Math.cos(lat * r));
    const d = groundDistance(lngToX(10), latToY(lat), Math.cos(lat * r), lngToX(lon2), latToY(lat2), Math.cos(lat2 * r));
    expect(Math.abs(d - haversine(lat, 10, lat2, lon2)) / metres).toBeLessThan(5e-6);
  });
});
