import { ROW_KEY_FIELDS, rowKeyOf, type ReportBody, type ReportRow, type RowKey } from './build-report.js';
import { compareRows } from './build-report.js';
import { units, type MoneyTotals } from './money-totals.js';
import { EXCEPTION_REASONS, type ExceptionReason } from './report-types.js';

/** A measure before and after, and the change (after − before), as exact decimals. */
export interface Change {
  before: string;
  after: string;
  delta: string;
}

type Totals = Partial<Record<keyof MoneyTotals, Change>>;

/** How a restatement differs from the version it restates: only what changed is listed. */
export interface ReportChanges {
  attributed: Totals;
  organic: Totals;
  total: Totals;
  /** Rows that appeared, disappeared or changed, with the measures that moved. */
  rows: (RowKey & {
    change: 'added' | 'removed' | 'changed';
    measures: Partial<Record<RowMeasure, Change>>;
  })[];
  exceptions: Partial<Record<ExceptionReason, Change>>;
}

const ROW_MEASURES = ['impressions', 'clicks', 'trades', 'traders', 'contracts', 'notional'] as const;
type RowMeasure = (typeof ROW_MEASURES)[number];
const TOTAL_MEASURES = ['trades', 'traders', 'contracts', 'notional'] as const;

/** What changed from `before` to `after`. */
export function reportChanges(before: ReportBody, after: ReportBody): ReportChanges {
  const rowId = (r: RowKey) => JSON.stringify(ROW_KEY_FIELDS.map((k) => r[k]));
  const beforeRows = new Map(before.rows.map((r) => [rowId(r), r]));
  const afterRows = new Map(after.rows.map((r) => [rowId(r), r]));
  const rows: ReportChanges['rows'] = [];
  for (const id of new Set([...beforeRows.keys(), ...afterRows.keys()])) {
    const b = beforeRows.get(id);
    const a = afterRows.get(id);
    const measures = changes(ROW_MEASURES, b, a);
    if (Object.keys(measures).length === 0) continue;
    rows.push({
      ...rowKeyOf((a ?? b)!),
      change: !b ? 'added' : !a ? 'removed' : 'changed',
      measures,
    });
  }
  rows.sort(compareRows);
  return {
    attributed: changes(TOTAL_MEASURES, before.attributed, after.attributed),
    organic: changes(TOTAL_MEASURES, before.organic, after.organic),
    total: changes(TOTAL_MEASURES, before.total, after.total),
    rows,
    exceptions: changes(EXCEPTION_REASONS, before.exceptions.counts, after.exceptions.counts),
  };
}

function changes<K extends string>(
  keys: readonly K[],
  before: Partial<Record<K, unknown>> | ReportRow | undefined,
  after: Partial<Record<K, unknown>> | ReportRow | undefined,
): Partial<Record<K, Change>> {
  const out: Partial<Record<K, Change>> = {};
  for (const k of keys) {
    const b = String((before as Record<string, unknown> | undefined)?.[k] ?? 0);
    const a = String((after as Record<string, unknown> | undefined)?.[k] ?? 0);
    if (units(a) === units(b)) continue;
    out[k] = { before: b, after: a, delta: decimalDelta(a, b) };
  }
  return out;
}

/** a − b for decimals of the same places ("12.50" − "10.00" = "2.50"), or integers. */
function decimalDelta(a: string, b: string): string {
  const places = Math.max(a.split('.')[1]?.length ?? 0, b.split('.')[1]?.length ?? 0);
  const scaled = (s: string) =>
    BigInt(s.replace('.', '') + '0'.repeat(places - (s.split('.')[1]?.length ?? 0)));
  const d = scaled(a) - scaled(b);
  if (places === 0) return d.toString();
  const sign = d < 0n ? '-' : '';
  const abs = (d < 0n ? -d : d).toString().padStart(places + 1, '0');
  return `${sign}${abs.slice(0, -places)}.${abs.slice(-places)}`;
}
