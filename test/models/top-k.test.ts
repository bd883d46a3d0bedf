import { describe, expect, it } from 'vitest';
import { byScore, sampledIndex, topK } from '../../models/vector-search/top-k.js';
import { Rng } from '../../src/util/rng.js';

/** The obvious version: sort every finite, unmasked index by score, ties by index. */
function reference(scores: Float32Array, k: number, mask?: Uint8Array): number[] {
  return Array.from(scores.keys())
    .filter((i) => scores[i]! > -Infinity && (!mask || mask[i] === 1))
    .sort((a, b) => scores[b]! - scores[a]! || a - b)
    .slice(0, k);
}

describe('topK', () => {
  it('agrees with a full sort, ties, negatives, −∞ and masks included, small and large', () => {
    const rng = Rng.of(4, 'top-k');
    for (const n of [1, 7, 300, 5_000, 40_000]) {
      for (const k of [1, 5, 200, 1_200, n + 3]) {
        // Coarse values make many ties; every 9th is −∞ (filtered out).
        const scores = Float32Array.from({ length: n }, (_, i) =>
          i % 9 === 4 ? -Infinity : Math.round(rng.normal() * 20) / 10,
        );
        const mask = Uint8Array.from({ length: n }, () => (rng.next() < 0.7 ? 1 : 0));
        expect(Array.from(topK(scores, k))).toEqual(reference(scores, k));
        expect(Array.from(topK(scores, k, mask))).toEqual(reference(scores, k, mask));
      }
    }
  });

  it('stays exact when the sample misjudges the threshold (high scores only on sampled rows)', () => {
    const n = 20_000;
    // Only rows the sample draws score high: each threshold it estimates admits too few rows.
    const sampled = new Set(Array.from({ length: n / 16 }, (_, j) => sampledIndex(j, n)));
    const scores = Float32Array.from({ length: n }, (_, i) => (sampled.has(i) ? 1 + i / n : (i % 5) / 10));
    expect(Array.from(topK(scores, 50))).toEqual(reference(scores, 50));
    expect(topK(new Float32Array(0), 5)).toHaveLength(0);
    expect(topK(scores, 0)).toHaveLength(0);
  });

  it('orders a subset of indices by score like a comparator sort (byScore), ties by index', () => {
    const rng = Rng.of(5, 'by-score');
    for (const n of [0, 1, 50, 3_000]) {
      const scores = Float32Array.from({ length: 4 * n }, () => Math.round(rng.normal() * 10) / 10);
      // Scattered and out of order, as the neighbours source reaches rows.
      const indices = Array.from({ length: n }, (_, j) => (j * 7919) % (4 * n));
      const expected = [...indices].sort((a, b) => scores[b]! - scores[a]! || a - b);
      expect(Array.from(byScore(indices, scores))).toEqual(expected);
    }
  });
});
