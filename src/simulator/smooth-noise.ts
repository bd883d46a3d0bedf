import { Rng, type StreamKey } from '../util/rng.js';

/**
 * A smooth random path in `out.length` dimensions: independent standard normals at knots every
 * `knotMs` of absolute time, eased into one another (smoothstep), times `scale`, added to `out`.
 * Keyed by absolute time, so any window, and any process, sees the same path at the same moment.
 */
export function addSmoothNoise(
  key: StreamKey,
  ms: number,
  knotMs: number,
  scale: number,
  out: Float64Array,
): void {
  const x = ms / knotMs;
  const knot = Math.floor(x);
  const f = x - knot;
  const s = f * f * (3 - 2 * f);
  const before = Rng.of(...key, knot);
  const after = Rng.of(...key, knot + 1);
  for (let i = 0; i < out.length; i++) out[i]! += scale * ((1 - s) * before.normal() + s * after.normal());
}

/**
 * Values per series for every hour, computed a whole absolute day at a time and cached: the
 * simulator asks for the same days over and over (each market, each session).
 */
export class HourlyBySeries {
  private readonly byDay = new Map<number, Float32Array>();
  private lastDay = NaN;
  private last: Float32Array = new Float32Array(0);

  constructor(
    private readonly count: number,
    /** `[hour of the day × count + series]` for absolute day `day` (days since the Unix epoch). */
    private readonly fillDay: (day: number) => Float32Array,
  ) {}

  /** The value of `series` during absolute hour `hour` (hours since the Unix epoch). */
  at(series: number, hour: number): number {
    const day = Math.floor(hour / 24);
    if (day !== this.lastDay) {
      let values = this.byDay.get(day);
      if (!values) {
        // A window is weeks long; a long-running exchange or traffic run moves on day by day.
        if (this.byDay.size >= MAX_CACHED_DAYS) this.byDay.clear();
        this.byDay.set(day, (values = this.fillDay(day)));
      }
      this.lastDay = day;
      this.last = values;
    }
    return this.last[(hour - day * 24) * this.count + series]!;
  }
}

const MAX_CACHED_DAYS = 400;
