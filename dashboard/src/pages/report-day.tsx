import { useState } from 'preact/hooks';
import { api, download, enc } from '../api.js';
import { Status, useLoad } from '../components/load.js';
import { exactDecimal, exactDollars, integer, percent, when } from '../format.js';
import type { DailyReport, ReportDays } from '../types.js';
import { ReportChangesView } from './report-changes.js';
import { ReportExceptions } from './report-exceptions.js';
import { armName, rankerName } from './report-labels.js';
import { TieOutView } from './report-tie-out.js';

/** One day's report: a version of it (the latest unless one is picked), tie-out, rows, exceptions. */
export function ReportDayPage(props: { date: string; version?: number }) {
  const { date, version } = props;
  const versions = useLoad(
    () => api.get<ReportDays>(`/v1/reports/daily?from=${enc(date)}&to=${enc(date)}&limit=1`),
    [date],
  );
  const loaded = useLoad(
    () => api.get<DailyReport>(`/v1/reports/daily/${enc(date)}${version ? `?version=${version}` : ''}`),
    [date, version],
  );
  const [downloadError, setDownloadError] = useState<string>();
  const report = loaded.data;
  const all = versions.data?.days[0]?.versions ?? [];
  const csvPath = report && `/v1/reports/daily/${enc(date)}?format=csv&version=${report.version}`;

  const saveCsv = (e: Event) => {
    e.preventDefault();
    if (!report || !csvPath) return;
    download(csvPath, `sibyl-daily-${report.date}-v${report.version}.csv`).then(
      () => setDownloadError(undefined),
      (err: Error) => setDownloadError(err.message),
    );
  };

  return (
    <>
      <div class="page-title">
        <h1>Daily report {date}</h1>
        <a href="#/reports">All days</a>
      </div>
      <Status loaded={loaded}>
        {report && (
          <>
            <div class="summary">
              <div class="field inline">
                <label for="report-version">Version</label>
                <select
                  id="report-version"
                  value={String(report.version)}
                  onChange={(e) => (location.hash = `#/reports/${date}/${e.currentTarget.value}`)}
                >
                  {(all.length ? all : [report]).map((v) => (
                    <option key={v.version} value={String(v.version)}>
                      v{v.version}
                      {v.version === all[0]?.version ? ' (latest)' : ''} · {v.status} · as of {when(v.asOf)}
                    </option>
                  ))}
                </select>
              </div>
              <span class="muted">
                {when(report.day.start)} to {when(report.day.end)} ({report.day.timeZone}, cut at{' '}
                {report.day.cutoff}); trades attributed to an exposure up to {report.settings.windowHours} h
                before, {report.settings.clickThroughOnly ? 'clicks only' : 'impressions or clicks'}
              </span>
              {csvPath && (
                <a class="button" href={csvPath} onClick={saveCsv}>
                  Download CSV (v{report.version})
                </a>
              )}
            </div>
            {downloadError && (
              <p role="alert" class="error">
                {downloadError}
              </p>
            )}
            <TieOutView report={report} />
            <ReportTable report={report} />
            {report.restates && <ReportChangesView restates={report.restates} version={report.version} />}
            <ReportExceptions exceptions={report.exceptions} />
          </>
        )}
      </Status>
    </>
  );
}

function ReportTable({ report }: { report: DailyReport }) {
  if (report.rows.length === 0) return <p>No feed was shown or traded from this day.</p>;
  return (
    <table class="report-rows">
      <caption>
        Attributed to the feed that showed the market last, by what served it and market category
      </caption>
      <thead>
        <tr>
          <th scope="col">Surface</th>
          <th scope="col">Ranker</th>
          <th scope="col">Model</th>
          <th scope="col">Experiment / arm</th>
          <th scope="col">Category</th>
          <th scope="col" class="num">
            Impressions
          </th>
          <th scope="col" class="num">
            Clicks
          </th>
          <th scope="col" class="num">
            CTR
          </th>
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
        {report.rows.map((r) => (
          <tr
            key={JSON.stringify([
              r.surface,
              r.ranker,
              r.rankerVersion,
              r.model,
              r.experiment,
              r.variation,
              r.category,
            ])}
          >
            <td>{r.surface}</td>
            <td>{rankerName(r)}</td>
            <td>{r.model ?? '—'}</td>
            <td>{armName(r)}</td>
            <td>{r.category}</td>
            <td class="num">{integer(r.impressions)}</td>
            <td class="num">{integer(r.clicks)}</td>
            <td class="num">{percent(r.ctr)}</td>
            <td class="num">{integer(r.trades)}</td>
            <td class="num">{integer(r.traders)}</td>
            <td class="num" data-value={r.contracts}>
              {exactDecimal(r.contracts)}
            </td>
            <td class="num" data-value={r.notional}>
              {exactDollars(r.notional)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
