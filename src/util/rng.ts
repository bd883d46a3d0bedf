/**
 * Seeded randomness (the simulator, model initialisation, k-means): sfc32 (fast, 128-bit state, passes PractRand) seeded by
 * hashing a key path such as (seed, "users", userIndex, day). Keyed streams make each part of the
 * simulation independent of the others: user 7's day 3 is the same whether 100 or 100,000 users are
 * simulated, and adding a series to the catalogue does not reshuffle every user.
 */

/** FNV-1a of a string: turns stream labels into key words. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** murmur3's finaliser: a good avalanche for combining key words. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export type StreamKey = (number | string)[];

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | undefined;

  /** A stream determined by its key path, e.g. `Rng.of(seed, 'catalogue')`. */
  static of(...key: StreamKey): Rng {
    let h = 0x9e3779b9;
    for (const part of key)
      h = fmix32(h ^ (typeof part === 'string' ? hashString(part) : part >>> 0) ^ 0x5bd1e995);
    return new Rng(h);
  }

  private constructor(seed: number) {
    // splitmix32 spreads one word over the four state words; a few rounds discard the warm-up.
    let s = seed >>> 0;
    const split = () => {
      s = (s + 0x9e3779b9) | 0;
      return fmix32(s);
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t0 = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    const t = (t0 + this.d) | 0;
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** Standard normal (Box–Muller, keeping the second draw). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return z;
    }
    const u = 1 - this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * this.next();
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  lognormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Gamma(shape, 1), Marsaglia–Tsang; shapes below 1 by the usual boost. */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(1 - this.next(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      const v0 = 1 + c * x;
      if (v0 <= 0) continue;
      const v = v0 * v0 * v0;
      const u = this.next();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }

  /** Dirichlet with concentration `alpha[i]`; small totals give a few dominant components. */
  dirichlet(alpha: readonly number[]): number[] {
    const g = alpha.map((a) => this.gamma(a) + 1e-12);
    const total = g.reduce((s, x) => s + x, 0);
    return g.map((x) => x / total);
  }

  /** Poisson(lambda): multiplication method for small means, normal approximation above 30. */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** Failures before the first success, success probability `p`. */
  geometric(p: number): number {
    return Math.floor(Math.log(1 - this.next()) / Math.log(1 - p));
  }

  /** Index drawn with probability proportional to `weights[i]`. */
  weighted(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i]!;
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  /** Index drawn from a running-sum array (`cumulative[i]` = weights up to and including i). */
  weightedCumulative(cumulative: ArrayLike<number>, length = cumulative.length): number {
    const r = this.next() * cumulative[length - 1]!;
    let lo = 0;
    let hi = length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Gumbel(0, 1): adding it to log-weights and sorting samples without replacement (Plackett–Luce). */
  gumbel(): number {
    const u = (this.uint32() + 0.5) / 4294967296;
    return -Math.log(-Math.log(u));
  }
}
