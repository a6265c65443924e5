/** Shared shapes of the pipeline: parse → track → clip → store → query → rasterize. */

export type PropertyValue = string | number | boolean | null;
export type Properties = Record<string, PropertyValue>;

/**
 * One recorded line as a parser reads it: parallel columns, one entry per point.
 * `ele` and `time` hold NaN where the file has no value; `time` is Unix milliseconds.
 */
export interface Segment {
  lat: number[];
  lon: number[];
  ele: number[];
  time: number[];
}

/** What a parser returns for a file with track data (null means "skip", a throw means "broken"). */
export interface ParsedActivity {
  title?: string;
  /** Unix milliseconds. */
  startTime?: number;
  /** activity_type, sport, manufacturer, ... as read from the file. */
  properties: Properties;
  segments: Segment[];
}

/** Why a parser declined a file that is not broken. */
export type SkipReason = "no_track_data" | "virtual" | "unsupported";

/** A parser's verdict: an activity, or a reason to skip it. Broken files throw. */
export type ParseResult = ParsedActivity | { skip: SkipReason; detail?: string };

/**
 * A cleaned activity in Web Mercator world space (0..1 on both axes, y down):
 * each line is interleaved x,y pairs.
 */
export interface Track {
  lines: Float64Array[];
}

/** One clipped, simplified, encoded piece of an activity in one stored tile. */
export interface TileGeometry {
  z: number;
  x: number;
  y: number;
  /** codec.encodeLines output, in tile units (0..extent, plus a small buffer). */
  geometry: Uint8Array;
}

/** Everything the writer needs to store one activity. */
export interface ActivityRecord {
  key: string;
  /** Hex digest of the file's (decompressed) bytes: a renamed copy is the same activity. */
  fileHash: string | null;
  title: string | null;
  /** Unix milliseconds, or null when neither file nor CSV tells. */
  startTime: number | null;
  properties: Properties;
  tiles: TileGeometry[];
  /** Which file it came from: the path relative to the import root, or the uploaded name; absent for API activities. */
  fileName?: string | null;
}

export interface StoreConfig {
  zoom_levels: number[];
  tile_extent: number;
  trim_dist: number;
  activity_masks: Mask[];
  fetch_cutoff: string | null;
}

/** A privacy circle: nothing is drawn within `radius` metres of the centre. */
export interface Mask {
  name: string;
  lat: number;
  lng: number;
  radius: number;
}
