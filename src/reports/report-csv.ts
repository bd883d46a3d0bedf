import { stringify } from 'csv-stringify/sync';
import { ROW_KEY_FIELDS } from './build-report.js';
import type { DailyReportDoc } from './daily-reports.js';

const COLUMNS = [
  'kind',
  ...ROW_KEY_FIELDS,
  'impressions',
  'clicks',
  'ctr',
  'trades',
  'traders',
  'contracts',
  'notional',
  'meanPosition',
] as const;

/**
 * A report as CSV for spreadsheets: one `attributed` line per row, then the `organic`, attributed
 * and `total` lines that tie out (money as the report's exact decimals, never reformatted).
 */
export function reportCsv(report: DailyReportDoc): string {
  const line = (kind: string, values: Partial<Record<(typeof COLUMNS)[number], unknown>>) =>
    COLUMNS.map((c) => (c === 'kind' ? kind : (values[c] ?? '')));
  const rows = [
    ...report.rows.map((r) => line('attributed', r)),
    line('organic', report.organic),
    line('attributed_total', report.attributed),
    line('total', report.total),
  ];
  return stringify(rows, { header: true, columns: [...COLUMNS] });
}
