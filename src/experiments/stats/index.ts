/** Statistics behind experiment results: pure functions, no I/O. */
export { RatioAccumulator, summarize, summarizeSums } from './ratio-accumulator.js';
export type { RatioSums, RatioSummary } from './ratio-accumulator.js';
export { compareToControl } from './compare.js';
export type {
  CompareOptions,
  DegenerateLift,
  DegenerateReason,
  LiftEstimate,
  LiftResult,
} from './compare.js';
export { sampleRatioMismatch } from './sample-ratio-mismatch.js';
export type { SampleRatioMismatch, SampleRatioMismatchOptions } from './sample-ratio-mismatch.js';
export { normalCdf, normalQuantile, twoSidedPValue } from './normal.js';
export { chiSquaredSurvival, logGamma, regularizedUpperGamma } from './gamma.js';
