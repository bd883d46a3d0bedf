import type { Command } from 'commander';
import { lastEndedDay } from '../../reports/report-day.js';
import { reportCsv } from '../../reports/report-csv.js';
import { runDailyReport } from '../../reports/run-daily-report.js';
import type { DailyReportDoc } from '../../reports/daily-reports.js';
import { withStore } from '../context.js';
import { UsageError } from '../errors.js';

/** A report as people read it in a terminal: the rows, then the lines that tie out. */
function formatReport(r: DailyReportDoc, created: boolean): string {
  const head = `Daily report ${r.date} v${r.version} (${created ? 'new' : 'unchanged'}) — ${r.status}; ${r.day.start.toISOString()} to ${r.day.end.toISOString()} (${r.day.cutoff} ${r.day.timeZone}); events received by ${r.asOf.toISOString()}`;
  const line = (cells: (string | number | null)[]) => cells.map((c) => String(c ?? '—').padEnd(14)).join(' ');
  const lines = [
    head,
    '',
    line([
      'surface',
      'ranker',
      'model',
      'variation',
      'category',
      'impressions',
      'clicks',
      'ctr',
      'trades',
      'contracts',
      'notional',
    ]),
    ...r.rows.map((x) =>
      line([
        x.surface,
        x.ranker,
        x.model,
        x.variation,
        x.category,
        x.impressions,
        x.clicks,
        x.ctr,
        x.trades,
        x.contracts,
        x.notional,
      ]),
    ),
    '',
    `attributed  ${r.attributed.trades} trades, ${r.attributed.contracts} contracts, $${r.attributed.notional}`,
    `organic     ${r.organic.trades} trades, ${r.organic.contracts} contracts, $${r.organic.notional}`,
    `total       ${r.total.trades} trades, ${r.total.contracts} contracts, $${r.total.notional}`,
    `tie-out     ${r.tieOut.reconciled ? 'attributed + organic = total' : r.tieOut.breaks.map((b) => `${b.measure}: ${b.attributedPlusOrganic} ≠ ${b.total}`).join('; ')}`,
    `exceptions  ${Object.entries(r.exceptions.counts)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
  ];
  if (r.restates)
    lines.push(`restates    v${r.restates.version}: ${JSON.stringify(r.restates.changes.total)}`);
  return lines.join('\n');
}

export function registerReport(program: Command): void {
  const report = program
    .command('report')
    .description('Daily reconciled reports of attributed and organic trades');
  report
    .command('daily')
    .description(
      'Build (or restate) the report of a day that has ended, check that it ties out and store it; prints it',
    )
    .option('--date <YYYY-MM-DD>', 'the day in REPORT_TIMEZONE (default: the last day that has ended)')
    .option('--as-of <iso>', 'count events received up to this instant (default: now)')
    .option('--json', 'print the stored report as JSON', false)
    .option('--csv', 'print the report as CSV', false)
    .action(async (opts: { date?: string; asOf?: string; json: boolean; csv: boolean }) => {
      const now = opts.asOf === undefined ? new Date() : new Date(opts.asOf);
      if (Number.isNaN(now.getTime())) throw new UsageError('--as-of: expected an ISO-8601 instant');
      await withStore({ embedded: true }, async ({ config, store, logger }) => {
        const { report: r, created } = await runDailyReport(store, {
          date: opts.date ?? lastEndedDay(now, config.REPORT_TIMEZONE, config.REPORT_CUTOFF).date,
          timeZone: config.REPORT_TIMEZONE,
          cutoff: config.REPORT_CUTOFF,
          settings: {
            windowHours: config.ATTRIBUTION_WINDOW_HOURS,
            clickThroughOnly: config.ATTRIBUTION_CLICK_THROUGH_ONLY,
          },
          now,
          logger,
        });
        if (opts.json) console.log(JSON.stringify(r, null, 2));
        else if (opts.csv) process.stdout.write(reportCsv(r));
        else console.log(formatReport(r, created));
      });
    });
}
