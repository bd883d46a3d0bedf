import type { FitOptions, Recommender, TrainSet } from '../core/types.js';
import { DEFAULT_HALF_LIFE_MS } from '../../src/domain/interaction-weights.js';
import { assertFitted, itemPopularity } from './common.js';

export interface PopularityOptions {
  /** Half-life of an interaction's weight, counted back from the cut; Infinity = plain popularity. Default 7 days. */
  halfLifeMs?: number;
  name?: string;
}

/**
 * Recency-weighted popularity: score(i) = Σ over i's training rows of weight · exp(−(cutoff − ts) · ln 2 / halfLife),
 * the same for every user. With halfLife = Infinity it is plain weighted popularity (`popularity`).
 */
export class PopularityRecommender implements Recommender {
  readonly name: string;
  readonly halfLifeMs: number;
  private scores: Float32Array | undefined;

  constructor(options: PopularityOptions = {}) {
    this.halfLifeMs = options.halfLifeMs ?? DEFAULT_HALF_LIFE_MS;
    this.name = options.name ?? (Number.isFinite(this.halfLifeMs) ? 'popularity-recency' : 'popularity');
  }

  async fit(train: TrainSet, options: FitOptions): Promise<void> {
    options.onProgress?.(0, 'popularity');
    this.scores = Float32Array.from(itemPopularity(train, this.halfLifeMs));
    options.onProgress?.(1, 'popularity');
  }

  scoreUser(_user: number, out: Float32Array): void {
    out.set(assertFitted(this.scores, this.name));
  }
}
