import { describe, expect, it } from 'vitest';
import { VectorIndex } from '../../models/vector-search/vector-index.js';
import { Rng } from '../../src/util/rng.js';

function filled(size: number, dim: number, rng: Rng): VectorIndex {
  const index = new VectorIndex(size, dim);
  for (let i = 0; i < index.vectors.length; i++) index.vectors[i] = rng.normal();
  return index;
}

const dotRow = (index: VectorIndex, row: number, x: ArrayLike<number>) =>
  Array.from(index.row(row)).reduce((s, v, k) => s + v * x[k]!, 0);

describe('VectorIndex', () => {
  it('scores a vector against every row, on the SIMD kernel and on the JS path alike', () => {
    const rng = Rng.of(8, 'vector-index');
    // 64 takes the WebAssembly kernel; 6 (not a multiple of 4) the JS loop. 1,003 rows: a ragged tail.
    for (const dim of [64, 6]) {
      const index = filled(1_003, dim, rng);
      expect(index.simd).toBe(dim === 64);
      const x = Float32Array.from({ length: dim }, () => rng.normal());
      const scores = index.scores(x);
      for (const row of [0, 1, 500, 1_000, 1_001, 1_002])
        expect(scores[row]).toBeCloseTo(dotRow(index, row, x), 3);
    }
  });

  it('scores chosen rows against a few other vectors (feed items against recent markets)', () => {
    const rng = Rng.of(9, 'cross');
    const index = filled(500, 64, rng);
    for (const [rows, m] of [
      [[5, 9, 499], 3],
      [Array.from({ length: 200 }, (_, i) => (i * 7) % 500), 10],
      [Array.from({ length: 1_100 }, (_, i) => i % 500), 2], // beyond the scratch: JS path
    ] as const) {
      const others = Float32Array.from({ length: m * 64 }, () => rng.normal());
      const result = index.crossScores(rows, others, m);
      rows.forEach((row, j) => {
        for (let k = 0; k < m; k++)
          expect(result[j * m + k]).toBeCloseTo(dotRow(index, row, others.subarray(k * 64, k * 64 + 64)), 3);
      });
    }
  });
});
