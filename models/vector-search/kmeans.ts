import { blockedGemmABt } from '../kernels/wasm/blocked-gemm.js';
import { Rng } from '../../src/util/rng.js';
import { sampledIndex } from './top-k.js';

/**
 * Multiply-adds between pauses, so serving is never held up for long: ~5 ms of the SIMD product
 * (at 548 clusters a step is ~230 rows; a fixed 4,096 rows was ~60 ms), and of the scalar
 * k-means++ loop.
 */
const PRODUCT_MACS_PER_STEP = 8_000_000;
const SCALAR_MACS_PER_STEP = 1_500_000;

export interface KMeansOptions {
  /** Number of centroids (a multiple of 4 keeps the products on the SIMD kernel). */
  clusters: number;
  /** Lloyd iterations over the sample. */
  iterations: number;
  /** Rows trained on: a scattered sample (every row when n is smaller). */
  sampleSize: number;
  /** Awaited between chunks of work (e.g. a `setImmediate` turn, so requests are served meanwhile). */
  pause: () => Promise<void>;
}

/**
 * Spherical k-means over n unit vectors (row-major n × d): centroids are the normalized means of
 * their rows, rows belong to the centroid with the largest dot. Deterministic for given inputs.
 * Returns the centroids (clusters × d, unit rows).
 */
export async function sphericalKMeans(
  vectors: Float32Array,
  n: number,
  d: number,
  options: KMeansOptions,
): Promise<Float32Array> {
  const c = options.clusters;
  const m = Math.min(n, options.sampleSize);
  const sample = new Float32Array(m * d);
  for (let j = 0; j < m; j++) {
    const i = m === n ? j : sampledIndex(j, n);
    sample.set(vectors.subarray(i * d, i * d + d), j * d);
  }
  const centroids = await seeds(sample, Math.min(m, SEED_POOL_PER_CLUSTER * c), d, c, options.pause);
  const assignment = new Int32Array(m);
  const best = new Float32Array(m);
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    await assignRows(sample, m, d, centroids, c, assignment, options.pause, best);
    const sums = new Float64Array(c * d);
    const counts = new Int32Array(c);
    for (let j = 0; j < m; j++) {
      const k = assignment[j]!;
      counts[k]!++;
      for (let t = 0; t < d; t++) sums[k * d + t]! += sample[j * d + t]!;
    }
    // An empty centroid moves to the rows worst served by theirs, one each.
    const worst = counts.includes(0) ? worstRows(best) : [];
    let next = 0;
    for (let k = 0; k < c; k++) {
      if (counts[k] === 0) {
        const j = worst[next++]!;
        for (let t = 0; t < d; t++) sums[k * d + t] = sample[j * d + t]!;
      }
      let sq = 0;
      for (let t = 0; t < d; t++) sq += sums[k * d + t]! ** 2;
      const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
      for (let t = 0; t < d; t++) centroids[k * d + t] = sums[k * d + t]! * inv;
    }
  }
  return centroids;
}

/** Seeds are drawn from this many sample rows per centroid (k-means++ is sequential in the centroids). */
const SEED_POOL_PER_CLUSTER = 8;

/**
 * k-means++ seeding over the first `pool` rows of the sample: each seed is drawn with probability
 * proportional to its squared cosine distance from the nearest seed so far, so seeds spread over
 * the groups instead of doubling up in dense ones (plain random seeds split one group and merge two).
 */
async function seeds(
  sample: Float32Array,
  pool: number,
  d: number,
  c: number,
  pause: () => Promise<void>,
): Promise<Float32Array> {
  const rng = Rng.of(0, 'kmeans++');
  const centroids = new Float32Array(c * d);
  const distance = new Float64Array(pool).fill(Infinity);
  const seedsPerStep = Math.max(1, Math.floor(SCALAR_MACS_PER_STEP / (pool * d)));
  let chosen = 0;
  for (let k = 0; k < c; k++) {
    if (k > 0) {
      let total = 0;
      for (let j = 0; j < pool; j++) total += distance[j]! ** 2;
      // Fewer distinct rows than centroids: the rest repeat a row (and end up empty, then reseeded).
      let target = rng.next() * total;
      chosen = 0;
      while (chosen < pool - 1 && (target -= distance[chosen]! ** 2) > 0) chosen++;
    }
    centroids.set(sample.subarray(chosen * d, chosen * d + d), k * d);
    for (let j = 0; j < pool; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += sample[j * d + t]! * sample[chosen * d + t]!;
      distance[j] = Math.min(distance[j]!, Math.max(0, 1 - s));
    }
    if (k % seedsPerStep === seedsPerStep - 1) await pause();
  }
  return centroids;
}

/**
 * Each row's nearest centroid (largest dot) into `assignment`, and that dot into `best` when
 * given (k-means needs it, an index build does not), in chunks with a pause between them.
 */
export async function assignRows(
  vectors: Float32Array,
  n: number,
  d: number,
  centroids: Float32Array,
  c: number,
  assignment: Int32Array,
  pause: () => Promise<void>,
  best?: Float32Array,
): Promise<void> {
  const rowsPerStep = Math.max(16, Math.floor(PRODUCT_MACS_PER_STEP / (c * d)));
  const scores = new Float32Array(Math.min(n, rowsPerStep) * c);
  for (let start = 0; start < n; start += rowsPerStep) {
    const count = Math.min(rowsPerStep, n - start);
    blockedGemmABt(vectors.subarray(start * d, (start + count) * d), centroids, scores, count, c, d);
    for (let j = 0; j < count; j++) {
      let arg = 0;
      let top = -Infinity;
      for (let k = 0; k < c; k++) {
        const s = scores[j * c + k]!;
        if (s > top) {
          top = s;
          arg = k;
        }
      }
      assignment[start + j] = arg;
      if (best) best[start + j] = top;
    }
    await pause();
  }
}

/** Row numbers by how well their centroid serves them, worst first. */
function worstRows(best: Float32Array): number[] {
  return Array.from(best.keys()).sort((x, y) => best[x]! - best[y]! || x - y);
}
