import { formatHundredths, formatMicros } from '../domain/money.js';
import { units, type MoneyTotals } from './money-totals.js';

type Measure = 'trades' | 'contracts' | 'notional';
const MEASURES: Measure[] = ['trades', 'contracts', 'notional'];

export interface TieOut {
  reconciled: boolean;
  /** Each measure that does not add up: attributed + organic, against every trade of the day. */
  breaks: { measure: Measure; attributedPlusOrganic: string; total: string }[];
}

const value = (t: MoneyTotals, m: Measure): bigint => (m === 'trades' ? BigInt(t.trades) : units(t[m]));

/**
 * Attributed + organic must equal all of the day's trades in count, contracts and notional, exactly;
 * and the report's total must equal the store's own count of the day's trades (`storeTotal`, summed
 * apart from the report), so a trade the report dropped or counted twice cannot pass.
 */
export function tieOut(
  report: { attributed: MoneyTotals; organic: MoneyTotals; total: MoneyTotals },
  storeTotal: MoneyTotals,
): TieOut {
  const breaks: TieOut['breaks'] = [];
  const text = (m: Measure, v: bigint) =>
    m === 'trades' ? v.toString() : m === 'contracts' ? formatHundredths(v) : formatMicros(v);
  for (const m of MEASURES) {
    const sum = value(report.attributed, m) + value(report.organic, m);
    for (const reference of [report.total, storeTotal]) {
      if (sum !== value(reference, m)) {
        breaks.push({ measure: m, attributedPlusOrganic: text(m, sum), total: text(m, value(reference, m)) });
      }
    }
  }
  return { reconciled: breaks.length === 0, breaks };
}
