/**
 * A smooth elevation function over a region's local plane (metres east x,
 * north y of its centre): a plain, a rise towards the hills, a few mountains
 * that the long climbs go up, and gentle ripples so no road is dead flat.
 */
import type { Random } from "./random.ts";

export interface TerrainSpec {
  /** Elevation of the plain (m). */
  base: number;
  /** Height the land rises by across the hill side (m). */
  rise: number;
  /** Direction the land rises towards, radians from east, anticlockwise. */
  riseBearing: number;
  /** Number of mountains, all placed on the rising side. */
  mountains: number;
  /** Mountain heights above the land around them (m). */
  mountainHeight: [number, number];
}

export interface Mountain {
  x: number;
  y: number;
  height: number;
  /** Gaussian radius (m). */
  sigma: number;
}

export class Terrain {
  readonly mountains: Mountain[];
  private readonly dirX: number;
  private readonly dirY: number;
  private readonly ripples: Float64Array; // per ripple: kx, ky, phase, amplitude

  constructor(
    private readonly spec: TerrainSpec,
    halfSize: number,
    rng: Random,
  ) {
    this.dirX = Math.cos(spec.riseBearing);
    this.dirY = Math.sin(spec.riseBearing);
    this.mountains = [];
    for (let i = 0; i < spec.mountains; i++) {
      // Along the rise, 15-85% of the way out; across it, anywhere.
      const along = rng.range(0.15, 0.85) * halfSize;
      const across = rng.range(-0.8, 0.8) * halfSize;
      this.mountains.push({
        x: this.dirX * along - this.dirY * across,
        y: this.dirY * along + this.dirX * across,
        height: rng.range(spec.mountainHeight[0], spec.mountainHeight[1]),
        sigma: rng.range(2500, 5000),
      });
    }
    this.mountains.sort((a, b) => b.height - a.height);
    const n = 5;
    this.ripples = new Float64Array(n * 4);
    for (let i = 0; i < n; i++) {
      const wavelength = rng.range(1500, 9000);
      const angle = rng.range(0, Math.PI);
      this.ripples[i * 4] = (Math.cos(angle) * 2 * Math.PI) / wavelength;
      this.ripples[i * 4 + 1] = (Math.sin(angle) * 2 * Math.PI) / wavelength;
      this.ripples[i * 4 + 2] = rng.range(0, 2 * Math.PI);
      this.ripples[i * 4 + 3] = wavelength / 300; // longer waves, higher swells
    }
  }

  /** Elevation (m) at local position x, y (m). */
  at(x: number, y: number): number {
    const along = x * this.dirX + y * this.dirY;
    // A smoothstep from the plain (along < 0) up to the hills (along > 20 km).
    const t = Math.min(1, Math.max(0, along / 20000));
    const hills = t * t * (3 - 2 * t);
    let z = this.spec.base + this.spec.rise * hills;
    for (const m of this.mountains) {
      const dx = x - m.x;
      const dy = y - m.y;
      const d2 = dx * dx + dy * dy;
      if (d2 < 16 * m.sigma * m.sigma) z += m.height * Math.exp(-d2 / (2 * m.sigma * m.sigma));
    }
    const r = this.ripples;
    // Ripples grow with the hills: the plain stays nearly flat.
    const rippleScale = 0.3 + hills;
    for (let i = 0; i < r.length; i += 4) z += rippleScale * r[i + 3] * Math.sin(x * r[i] + y * r[i + 1] + r[i + 2]);
    return z;
  }
}
