import { dot } from './dot.js';
import { ceil4, kernelBlocks, type WasmMatvec } from '../kernels/wasm/kernels.js';
import { topK } from './top-k.js';

/** How much of the catalogue a search scans, at least: recall against cost (BENCHMARKS.md). */
export interface ProbeOptions {
  /** Scan at least this fraction of the rows. */
  minFraction: number;
  /** ...and at least this many rows per wanted result. */
  rowsPerResult: number;
}

export const DEFAULT_PROBE: ProbeOptions = { minFraction: 1 / 8, rowsPerResult: 32 };

/**
 * How many clusters an IVF index over `rows` vectors gets: about √rows, at least 4, rounded up to
 * a multiple of 4 so the centroid products stay on the SIMD kernel.
 */
export function ivfClusterCount(rows: number): number {
  return ceil4(Math.max(4, Math.round(Math.sqrt(rows))));
}

/** Rows laid out per step of `IvfIndex.build` (~5 ms at 64 dimensions). */
const LAYOUT_ROWS_PER_STEP = 20_000;

/**
 * An inverted-file index (IVF) over a catalogue's market vectors: rows are grouped by their nearest
 * centroid and stored cluster by cluster in one block, so a search scores the centroids, then scans
 * the rows of the clusters closest to the query (each cluster one SIMD `matvec` over contiguous
 * memory) until it has covered its budget, and ranks what it scanned exactly. The result is
 * approximate only in what it does not scan: rows of clusters far from the query.
 *
 * Scratch buffers are the index's own: searches are synchronous and must not interleave.
 */
export class IvfIndex {
  /** Row i's cosine with the last query, for the rows it scanned (catalogue row order). */
  readonly similarity: Float32Array;
  /** How much a search scans (may be tuned at run time). */
  probe: ProbeOptions = DEFAULT_PROBE;
  /** Clusters probed by the last search. */
  lastProbes = 0;
  /** offsets[c]…offsets[c+1]: the positions of cluster c. */
  private readonly offsets: Int32Array;
  /** The catalogue row at each position. */
  private readonly rowAt: Int32Array;
  private readonly vectors: Float32Array;
  private readonly centroids: Float32Array;
  private readonly query: Float32Array;
  private readonly out: Float32Array;
  private readonly centroidScores: Float32Array;
  private readonly matvec: WasmMatvec | undefined;
  private readonly candidateScores: Float32Array;
  private readonly candidateRows: Int32Array;

  /**
   * @param rowVectors the catalogue's unit vectors, row-major n × dim
   * @param centroids clusters × dim
   * @param assignment each row's cluster
   * @param layOut copy the vectors into their cluster order now (else `build` does, in steps)
   */
  constructor(
    rowVectors: Float32Array,
    readonly size: number,
    readonly dim: number,
    centroids: Float32Array,
    readonly clusters: number,
    assignment: Int32Array,
    layOut = true,
  ) {
    const d = dim;
    // Layout: vectors by cluster | centroids | query | scores by position | centroid scores.
    const { blocks, kernels } = kernelBlocks([size * d, clusters * d, d, size, clusters], d % 4 === 0);
    const [vectors, centroidBlock, query, out, centroidScores] = blocks;
    this.matvec = kernels?.matvec;
    this.vectors = vectors;
    this.centroids = centroidBlock;
    this.query = query;
    this.out = out;
    this.centroidScores = centroidScores;
    this.centroids.set(centroids.subarray(0, clusters * d));

    // Counting sort of the rows by cluster (stable: rows keep their order within a cluster).
    this.offsets = new Int32Array(clusters + 1);
    for (let i = 0; i < size; i++) this.offsets[assignment[i]! + 1]!++;
    for (let c = 0; c < clusters; c++) this.offsets[c + 1]! += this.offsets[c]!;
    this.rowAt = new Int32Array(size);
    if (layOut) this.layOut(rowVectors, assignment, this.offsets.slice(0, clusters), 0, size);
    this.similarity = new Float32Array(size);
    this.candidateScores = new Float32Array(size);
    this.candidateRows = new Int32Array(size);
  }

  /**
   * As the constructor, copying the vectors into cluster order in steps with `pause` awaited
   * between them (at 300k markets the whole copy is ~80 ms), for a build while requests are served.
   */
  static async build(
    rowVectors: Float32Array,
    size: number,
    dim: number,
    centroids: Float32Array,
    clusters: number,
    assignment: Int32Array,
    pause: () => Promise<void>,
  ): Promise<IvfIndex> {
    const index = new IvfIndex(rowVectors, size, dim, centroids, clusters, assignment, false);
    const next = index.offsets.slice(0, clusters);
    for (let from = 0; from < size; from += LAYOUT_ROWS_PER_STEP) {
      index.layOut(rowVectors, assignment, next, from, Math.min(size, from + LAYOUT_ROWS_PER_STEP));
      await pause();
    }
    return index;
  }

  /**
   * Places rows from…to-1 at the next free position of their cluster (`next`, carried from step
   * to step), in row order: reading the vectors in order is twice as fast as gathering them in
   * position order.
   */
  private layOut(
    rowVectors: Float32Array,
    assignment: Int32Array,
    next: Int32Array,
    from: number,
    to: number,
  ): void {
    const d = this.dim;
    for (let i = from; i < to; i++) {
      const p = next[assignment[i]!]!++;
      this.rowAt[p] = i;
      // Element by element (as fast as a view per row here, without allocating 300k views).
      for (let t = 0; t < d; t++) this.vectors[p * d + t] = rowVectors[i * d + t]!;
    }
  }

  /**
   * The k rows with the largest dot with `x` among those where mask[row] === value, best first, as
   * far as the scanned clusters show; `similarity` holds the exact dot of every scanned row.
   */
  search(x: Float32Array, k: number, mask: Uint8Array, value: number): Int32Array {
    const d = this.dim;
    this.query.set(x.subarray(0, d));
    this.scan(this.centroids, this.centroidScores, 0, this.clusters);
    const order = topK(this.centroidScores, this.clusters);
    const budget = Math.max(this.size * this.probe.minFraction, k * this.probe.rowsPerResult);
    let scanned = 0;
    let candidates = 0;
    let probes = 0;
    // Until the budget is covered and there are k candidates (a filter may reject most rows).
    while (probes < order.length && (scanned < budget || candidates < k)) {
      const c = order[probes++]!;
      const from = this.offsets[c]!;
      const to = this.offsets[c + 1]!;
      this.scan(this.vectors, this.out, from, to);
      for (let p = from; p < to; p++) {
        const row = this.rowAt[p]!;
        const s = this.out[p]!;
        this.similarity[row] = s;
        if (mask[row] !== value) continue;
        this.candidateScores[candidates] = s;
        this.candidateRows[candidates++] = row;
      }
      scanned += to - from;
    }
    this.lastProbes = probes;
    const best = topK(this.candidateScores.subarray(0, candidates), k);
    for (let j = 0; j < best.length; j++) best[j] = this.candidateRows[best[j]!]!;
    return best;
  }

  /** out[p] = rows[p]·query for positions from…to of `rows` (the SIMD kernel when it runs). */
  private scan(rows: Float32Array, out: Float32Array, from: number, to: number): void {
    const d = this.dim;
    if (this.matvec) {
      this.matvec(
        rows.byteOffset + from * d * 4,
        this.query.byteOffset,
        out.byteOffset + from * 4,
        to - from,
        d,
      );
      return;
    }
    for (let p = from; p < to; p++) out[p] = dot(this.query, 0, rows, p * d, d);
  }
}
