import type { ReportRowKey } from '../types.js';

/** How a report row's served feed reads: ranker (and its version) and experiment arm. */
export const rankerName = (r: ReportRowKey) =>
  r.rankerVersion === null ? r.ranker : `${r.ranker} v${r.rankerVersion}`;
export const armName = (r: ReportRowKey) => (r.experiment ? `${r.experiment} / ${r.variation ?? '—'}` : '—');
