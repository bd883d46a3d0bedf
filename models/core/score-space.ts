/**
 * The `score` vector space's normalisation (VectorSpace in ./types.ts): a user's scores of the
 * markets a model was trained on, centred on their mean and divided by the largest remaining
 * magnitude, so every user's scores lie in [−1, 1] with their average trained market at 0 — where
 * a market the model never saw stands (neutral). Per user, the order of their markets is unchanged.
 */
export interface ScoreScale {
  mean: number;
  /** Divide by this after subtracting the mean (> 0). */
  scale: number;
}

/** The mean and scale of these scores; `undefined` when they are all equal (nothing to rank by). */
export function scoreScale(scores: ArrayLike<number>): ScoreScale | undefined {
  const n = scores.length;
  if (n === 0) return undefined;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += scores[i]!;
  const mean = sum / n;
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(scores[i]! - mean));
  return scale > 0 && Number.isFinite(scale) ? { mean, scale } : undefined;
}

/** `scores` centred and scaled in place (see scoreScale); `undefined` when they are all equal. */
export function centreAndScale(scores: Float32Array): Float32Array | undefined {
  const s = scoreScale(scores);
  if (!s) return undefined;
  for (let i = 0; i < scores.length; i++) scores[i] = (scores[i]! - s.mean) / s.scale;
  return scores;
}
