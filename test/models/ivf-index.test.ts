import { describe, expect, it } from 'vitest';
import { IvfIndex, type ProbeOptions } from '../../models/vector-search/ivf-index.js';
import { assignRows, sphericalKMeans } from '../../models/vector-search/kmeans.js';
import { topK } from '../../models/vector-search/top-k.js';
import { Rng } from '../../src/util/rng.js';

const D = 16;
const noPause = async () => {};

function unit(v: Float32Array, o: number): void {
  let sq = 0;
  for (let k = 0; k < D; k++) sq += v[o + k]! ** 2;
  for (let k = 0; k < D; k++) v[o + k]! /= Math.sqrt(sq);
}

/** n unit vectors around `groups` random directions (spread `noise`), and each one's group. */
function clustered(n: number, groups: number, noise: number, rng: Rng) {
  const centres = Float32Array.from({ length: groups * D }, () => rng.normal());
  for (let g = 0; g < groups; g++) unit(centres, g * D);
  const group = Int32Array.from({ length: n }, () => rng.int(groups));
  const vectors = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < D; k++) vectors[i * D + k] = centres[group[i]! * D + k]! + noise * rng.normal();
    unit(vectors, i * D);
  }
  return { vectors, group };
}

function exactScores(vectors: Float32Array, n: number, q: Float32Array): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let k = 0; k < D; k++) s += vectors[i * D + k]! * q[k]!;
    return s;
  });
}

async function indexOf(vectors: Float32Array, n: number, clusters: number, probe?: ProbeOptions) {
  const centroids = await sphericalKMeans(vectors, n, D, {
    clusters,
    iterations: 8,
    sampleSize: 64 * clusters,
    pause: noPause,
  });
  const assignment = new Int32Array(n);
  await assignRows(vectors, n, D, centroids, clusters, assignment, noPause);
  const index = new IvfIndex(vectors, n, D, centroids, clusters, assignment);
  if (probe) index.probe = probe;
  return index;
}

describe('spherical k-means', () => {
  it('finds well-separated groups: each group’s rows end up in one cluster of their own', async () => {
    const rng = Rng.of(1, 'kmeans');
    const { vectors, group } = clustered(4_000, 8, 0.05, rng);
    const centroids = await sphericalKMeans(vectors, 4_000, D, {
      clusters: 8,
      iterations: 10,
      sampleSize: 4_000,
      pause: noPause,
    });
    const assignment = new Int32Array(4_000);
    await assignRows(vectors, 4_000, D, centroids, 8, assignment, noPause);
    const clusterOfGroup = new Map<number, Set<number>>();
    group.forEach((g, i) => clusterOfGroup.set(g, (clusterOfGroup.get(g) ?? new Set()).add(assignment[i]!)));
    for (const clusters of clusterOfGroup.values()) expect(clusters.size).toBe(1);
    expect(new Set([...clusterOfGroup.values()].map((c) => [...c][0])).size).toBe(8);
  });
});

describe('IVF index', () => {
  const rng = Rng.of(2, 'ivf');
  const n = 6_000;
  const { vectors } = clustered(n, 40, 0.6, rng);
  const query = () => {
    const q = Float32Array.from({ length: D }, () => rng.normal());
    unit(q, 0);
    return q;
  };

  it('probing every cluster is the exact top-k, under a filter, with exact similarities', async () => {
    const index = await indexOf(vectors, n, 40, { minFraction: 1, rowsPerResult: 1 });
    const mask = Uint8Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 0));
    for (let t = 0; t < 5; t++) {
      const q = query();
      const exact = exactScores(vectors, n, q);
      expect(Array.from(index.search(q, 50, mask, 1))).toEqual(Array.from(topK(exact, 50, mask, 1)));
      for (let i = 0; i < n; i += 97) expect(index.similarity[i]).toBeCloseTo(exact[i]!, 5);
    }
  });

  it('finds most of the true top 50 while scanning a fraction of the rows', async () => {
    const index = await indexOf(vectors, n, 80);
    const mask = new Uint8Array(n).fill(1);
    let found = 0;
    for (let t = 0; t < 20; t++) {
      const q = query();
      const truth = new Set(topK(exactScores(vectors, n, q), 50));
      for (const row of index.search(q, 50, mask, 1)) if (truth.has(row)) found++;
      expect(index.lastProbes).toBeLessThan(80 / 2);
    }
    expect(found / (20 * 50)).toBeGreaterThan(0.9);
  });

  it('laid out in steps (while serving), answers as laid out at once', async () => {
    const big = 45_000;
    const { vectors: many } = clustered(big, 40, 0.6, rng);
    const at = await indexOf(many, big, 40);
    const centroids = await sphericalKMeans(many, big, D, {
      clusters: 40,
      iterations: 8,
      sampleSize: 64 * 40,
      pause: noPause,
    });
    const assignment = new Int32Array(big);
    await assignRows(many, big, D, centroids, 40, assignment, noPause);
    let pauses = 0;
    const stepped = await IvfIndex.build(many, big, D, centroids, 40, assignment, async () => {
      pauses++;
    });
    expect(pauses).toBe(3);
    const all = new Uint8Array(big).fill(1);
    for (let t = 0; t < 5; t++) {
      const q = query();
      expect(Array.from(stepped.search(q, 50, all, 1))).toEqual(Array.from(at.search(q, 50, all, 1)));
    }
  });

  it('keeps probing until it has k rows the filter accepts', async () => {
    const index = await indexOf(vectors, n, 40);
    // One row in 200 passes: the budget's share of the rows holds too few of them.
    const mask = Uint8Array.from({ length: n }, (_, i) => (i % 200 === 0 ? 1 : 0));
    const rows = index.search(query(), 25, mask, 1);
    expect(rows).toHaveLength(25);
    for (const row of rows) expect(mask[row]).toBe(1);
  });
});
