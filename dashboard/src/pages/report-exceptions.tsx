import { integer } from '../format.js';
import type { DailyReport } from '../types.js';

/** What each reason code means (docs/reports.md). */
const REASONS: Record<string, string> = {
  unknown_feed: 'names a feed Sibyl cannot resolve (never served, or expired before the event arrived)',
  feed_of_another_user: 'names a feed served to another user',
  exposure_after_trade: 'a trade names a feed that showed the market only after the trade',
  unknown_market: 'a trade of a market the catalogue does not know',
  arrived_after_cutoff: 'an event of the day that arrived after the day’s cutoff',
  missing_money: 'a trade stored without contracts or price: counted with no money',
};

/** Examples shown per reason; the API's JSON lists up to a thousand. */
const EXAMPLES = 5;

/** The day's exceptions by reason code, each with its first examples. */
export function ReportExceptions({ exceptions }: { exceptions: DailyReport['exceptions'] }) {
  const reasons = Object.entries(exceptions.counts).filter(([, n]) => n > 0);
  return (
    <section class="report-part" aria-labelledby="exceptions-title">
      <h2 id="exceptions-title">Exceptions</h2>
      {reasons.length === 0 && <p class="help">None: every event named a feed and market Sibyl knows.</p>}
      {reasons.map(([reason, count]) => {
        const items = exceptions.items.filter((x) => x.reason === reason);
        const listedMore = items.length - Math.min(items.length, EXAMPLES);
        return (
          <table key={reason} data-exception={reason} class="exceptions">
            <caption>
              <code>{reason}</code> · {integer(count)} · <span class="muted">{REASONS[reason] ?? ''}</span>
            </caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Type</th>
                <th scope="col">User</th>
                <th scope="col">Market</th>
                <th scope="col">Feed</th>
              </tr>
            </thead>
            <tbody>
              {items.slice(0, EXAMPLES).map((x) => (
                <tr key={x.eventId}>
                  <th scope="row">{x.eventId}</th>
                  <td>{x.type}</td>
                  <td>{x.userId}</td>
                  <td>{x.ticker}</td>
                  <td>{x.feedId ?? '—'}</td>
                </tr>
              ))}
              {count > Math.min(items.length, EXAMPLES) && (
                <tr>
                  <td colSpan={5} class="muted">
                    {integer(count - Math.min(items.length, EXAMPLES))} more
                    {listedMore > 0 ? ` (${integer(listedMore)} of them listed in the report’s JSON)` : ''}
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        );
      })}
      {exceptions.truncated && (
        <p class="help">The report lists the first thousand exceptions; every one is counted.</p>
      )}
    </section>
  );
}
