/**
 * The places the synthetic athlete rides, runs and hikes. Only the centres are
 * real-looking (so the map shows familiar countries); every road, hill and
 * track is generated.
 */
import type { TerrainSpec } from "./terrain.ts";

export interface RegionSpec {
  name: string;
  /** Centre of the region and origin of its local plane (x east, y north, metres). */
  lat: number;
  lon: number;
  /** The road network covers ±halfSize metres around the centre. */
  halfSize: number;
  /** Spacing of the country road grid (m). */
  spacing: number;
  /** Radius of the town's dense street grid (m); 0 for none. */
  cityRadius: number;
  citySpacing: number;
  /** Number of serpentine climbs up the highest mountains. */
  climbs: number;
  /** Sideways wiggle of a minor road as a share of its length. */
  curviness: number;
  terrain: TerrainSpec;
}

/** Home: a town between a river plain (west) and wooded hills (east), around 48° N. */
export const HOME: RegionSpec = {
  name: "breisgau",
  lat: 47.995,
  lon: 7.849,
  halfSize: 50000,
  spacing: 2500,
  cityRadius: 4000,
  citySpacing: 450,
  climbs: 4,
  curviness: 0.05,
  terrain: { base: 220, rise: 520, riseBearing: 0, mountains: 6, mountainHeight: [300, 650] },
};

/** A spring training camp on a Mediterranean island, hills to the north-west. */
export const ISLAND: RegionSpec = {
  name: "island",
  lat: 39.7,
  lon: 2.9,
  halfSize: 30000,
  spacing: 2500,
  cityRadius: 1500,
  citySpacing: 400,
  climbs: 3,
  curviness: 0.06,
  terrain: { base: 60, rise: 450, riseBearing: (3 * Math.PI) / 4, mountains: 4, mountainHeight: [400, 850] },
};

/** Summer holidays in the high Alps: everything is up or down. */
export const ALPS: RegionSpec = {
  name: "alps",
  lat: 46.55,
  lon: 11.87,
  halfSize: 25000,
  spacing: 2200,
  cityRadius: 1200,
  citySpacing: 350,
  climbs: 4,
  curviness: 0.08,
  terrain: { base: 1150, rise: 450, riseBearing: Math.PI / 3, mountains: 5, mountainHeight: [600, 1000] },
};

/** Hiking weeks in northern fells around 54° N. */
export const FELLS: RegionSpec = {
  name: "fells",
  lat: 54.45,
  lon: -3.05,
  halfSize: 18000,
  spacing: 1800,
  cityRadius: 1000,
  citySpacing: 350,
  climbs: 2,
  curviness: 0.07,
  terrain: { base: 80, rise: 280, riseBearing: Math.PI / 2, mountains: 5, mountainHeight: [350, 650] },
};

/**
 * Virtual rides carry coordinates of a made-up island in the Pacific, as
 * indoor training apps do: if the importer fails to skip them, a cluster
 * appears in the ocean.
 */
export const VIRTUAL: RegionSpec = {
  name: "virtual",
  lat: -11.64,
  lon: 166.95,
  halfSize: 8000,
  spacing: 1500,
  cityRadius: 0,
  citySpacing: 0,
  climbs: 1,
  curviness: 0.09,
  terrain: { base: 10, rise: 120, riseBearing: Math.PI, mountains: 2, mountainHeight: [200, 400] },
};
