import { addDecimals, exactDecimal, exactDollars, integer } from '../format.js';
import type { DailyReport, MoneyTotals } from '../types.js';

const MEASURE_NAMES = { trades: 'trades', contracts: 'contracts', notional: 'notional' } as const;

/**
 * Attributed + organic against every trade of the day, in count, contracts and notional. The sum is
 * added here exactly (BigInt on the API's decimal strings); the verdict is the report's own, which
 * also checked the total against the store's separate count.
 */
export function TieOutView({ report }: { report: DailyReport }) {
  const { attributed, organic, total, tieOut } = report;
  const sum: Omit<MoneyTotals, 'traders'> = {
    trades: attributed.trades + organic.trades,
    contracts: addDecimals(attributed.contracts, organic.contracts),
    notional: addDecimals(attributed.notional, organic.notional),
  };
  const line = (label: string, kind: string, t: Omit<MoneyTotals, 'traders'> & { traders?: number }) => (
    <tr data-tie-out={kind}>
      <th scope="row">{label}</th>
      <td class="num" data-measure="trades">
        {integer(t.trades)}
      </td>
      <td class="num" data-measure="traders">
        {t.traders === undefined ? '' : integer(t.traders)}
      </td>
      <td class="num" data-measure="contracts" data-value={t.contracts}>
        {exactDecimal(t.contracts)}
      </td>
      <td class="num" data-measure="notional" data-value={t.notional}>
        {exactDollars(t.notional)}
      </td>
    </tr>
  );
  return (
    <section class="report-part" aria-labelledby="tie-out-title">
      <h2 id="tie-out-title">
        Tie-out{' '}
        <span class={`badge ${report.status}`} data-tie-out-status>
          {report.status}
        </span>
      </h2>
      <p class={tieOut.reconciled ? 'help' : 'error'} role={tieOut.reconciled ? undefined : 'alert'}>
        {tieOut.reconciled
          ? 'Attributed + organic equal all of the day’s trades in count, contracts and notional, and the total equals the store’s own count of the day.'
          : `Does not tie out: ${tieOut.breaks
              .map((b) => `${MEASURE_NAMES[b.measure]} ${b.attributedPlusOrganic} ≠ ${b.total}`)
              .join('; ')}. Do not use these figures until the day is rebuilt.`}
      </p>
      <table class="tie-out-table">
        <thead>
          <tr>
            <th scope="col"></th>
            <th scope="col" class="num">
              Trades
            </th>
            <th scope="col" class="num">
              Traders
            </th>
            <th scope="col" class="num">
              Contracts
            </th>
            <th scope="col" class="num">
              Notional
            </th>
          </tr>
        </thead>
        <tbody>
          {line('Attributed to a feed', 'attributed', attributed)}
          {line('Organic', 'organic', organic)}
          {line('Attributed + organic', 'sum', sum)}
          {line('All trades of the day', 'total', total)}
        </tbody>
      </table>
    </section>
  );
}
