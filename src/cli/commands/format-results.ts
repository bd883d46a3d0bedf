import type { reportResults } from '../../experiments/report.js';

type Report = Awaited<ReturnType<typeof reportResults>>;

const pct = (x: number | null, digits = 2) => (x === null ? '—' : `${(x * 100).toFixed(digits)}%`);
const num = (x: number | null, digits = 3) => (x === null ? '—' : x.toFixed(digits));

/** The results as a product manager reads them in a terminal. */
export function formatResults(report: Report): string {
  const lines = [
    `${report.experiment.key} (${report.experiment.status}), control = variation ${report.controlVariationId}`,
    '',
  ];
  lines.push('variation  exposed   impressions  clicks   CTR      trade conv.  trades/user');
  for (const v of report.variations) {
    const ranker = report.experiment.variations.find((x) => x.id === v.variationId)?.ranker ?? '?';
    lines.push(
      `${`${v.variationId} ${String(ranker)}`.padEnd(10)} ${String(v.exposedUsers).padStart(7)}   ${String(v.impressions).padStart(11)}  ${String(v.clicks).padStart(6)}   ${pct(v.ctr).padStart(7)}  ${pct(v.tradeConversion).padStart(11)}  ${num(v.tradesPerUser).padStart(11)}`,
    );
  }
  lines.push('', 'vs control  metric           lift      95% CI                 p-value   chance to beat');
  for (const c of report.comparisons) {
    const r = c.result;
    const ci = r.confidenceInterval
      ? `[${pct(r.confidenceInterval.lower)}, ${pct(r.confidenceInterval.upper)}]`
      : `— (${r.reason})`;
    lines.push(
      `${c.variationId.padEnd(10)}  ${c.metric.padEnd(15)}  ${pct(r.relativeLift).padStart(8)}  ${ci.padEnd(22)} ${num(r.pValue, 4).padStart(8)}  ${pct(r.chanceToBeatControl, 1).padStart(8)}`,
    );
  }
  const srm = report.sampleRatioMismatch;
  lines.push(
    '',
    srm
      ? `sample ratio: χ² = ${srm.chiSquared.toFixed(2)}, p = ${srm.pValue.toPrecision(3)}${srm.warning ? '  WARNING: the split differs from the configured weights; results are suspect' : ' (ok)'}`
      : 'sample ratio: not checked (no exposures yet)',
  );
  return lines.join('\n');
}
