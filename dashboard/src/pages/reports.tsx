import { api } from '../api.js';
import { Status, useLoad } from '../components/load.js';
import { integer, when } from '../format.js';
import type { ReportDays } from '../types.js';

/** The reported days, newest first, with each day's versions (restatements) and their status. */
export function ReportsPage() {
  const loaded = useLoad(() => api.get<ReportDays>('/v1/reports/daily?limit=60'));
  const days = loaded.data?.days;
  return (
    <>
      <div class="page-title">
        <h1>Daily reports</h1>
        <button type="button" onClick={() => void loaded.reload()}>
          Refresh
        </button>
      </div>
      <p class="help">
        Each day's trades attributed to the feed that showed the market last, and the rest as organic; a day
        ties out when attributed + organic equal all its trades. Late events restate a day as a new version;
        earlier versions are kept.
      </p>
      <Status loaded={loaded}>
        {days && days.length === 0 && (
          <p>No reports yet: the daily-report job writes one for each day that has ended.</p>
        )}
        {days && days.length > 0 && (
          <table>
            <caption>Reported days, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col">Status</th>
                <th scope="col">Trades</th>
                <th scope="col">Exceptions</th>
                <th scope="col">Versions</th>
              </tr>
            </thead>
            <tbody>
              {days.map((d) => (
                <tr key={d.date} data-report-day={d.date}>
                  <th scope="row">
                    <a href={`#/reports/${d.date}`}>{d.date}</a>
                  </th>
                  <td>
                    <span class={`badge ${d.status}`}>{d.status}</span>
                  </td>
                  <td>{integer(d.versions[0]!.trades)}</td>
                  <td>{integer(d.versions[0]!.exceptions)}</td>
                  <td>
                    <ul class="versions">
                      {d.versions.map((v) => (
                        <li key={v.version}>
                          <a href={`#/reports/${d.date}/${v.version}`}>v{v.version}</a>{' '}
                          <span class={`badge ${v.status}`}>{v.status}</span>{' '}
                          <span class="muted">
                            as of {when(v.asOf)}, {integer(v.trades)} trades
                          </span>
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Status>
    </>
  );
}
