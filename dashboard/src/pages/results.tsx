import type { ChartConfiguration } from 'chart.js';
import { useMemo } from 'preact/hooks';
import { api, enc } from '../api.js';
import { ARM_COLOURS, ChartView } from '../components/chart.js';
import { Status, useLoad } from '../components/load.js';
import { decimal, dollars, integer, percent, signedPercent, when } from '../format.js';
import type { Results } from '../types.js';
import { CoverageControls } from './experiments.js';

const METRIC_NAMES: Record<string, string> = {
  ctr: 'CTR',
  tradeConversion: 'Trade conversion',
  tradesPerUser: 'Trades per user',
};

const armName = (results: Results, id: string) => {
  const v = results.experiment.variations.find((x) => x.id === id);
  if (!v) return `Arm ${id}`;
  // Names often say the ranker already ("Control (popularity)").
  return v.name ? (v.name.includes(v.ranker) ? v.name : `${v.name} (${v.ranker})`) : v.ranker;
};

/** Each treatment's relative lift per metric: a bar spanning the 95% interval and a dot at the estimate. */
function liftChart(results: Results): ChartConfiguration {
  const rows = results.comparisons.filter((c) => c.result.confidenceInterval);
  const labels = rows.map((c) => `${METRIC_NAMES[c.metric] ?? c.metric}: ${armName(results, c.variationId)}`);
  return {
    type: 'bar',
    data: {
      labels,
      datasets: [
        {
          type: 'bar',
          label: '95% interval of the lift',
          data: rows.map((c) => [
            c.result.confidenceInterval!.lower * 100,
            c.result.confidenceInterval!.upper * 100,
          ]),
          backgroundColor: rows.map((c) =>
            c.result.confidenceInterval!.lower > 0
              ? '#59a14f99'
              : c.result.confidenceInterval!.upper < 0
                ? '#e1575999'
                : '#bab0ac99',
          ),
          barThickness: 14,
        },
        {
          type: 'line',
          label: 'Lift',
          data: rows.map((c) => (c.result.relativeLift ?? 0) * 100),
          showLine: false,
          pointRadius: 5,
          pointBackgroundColor: '#222',
          borderColor: '#222',
        },
      ],
    },
    options: {
      indexAxis: 'y',
      scales: { x: { title: { display: true, text: 'Relative lift against control (%)' } } },
    },
  };
}

/** One line (or bar) per arm, day by day. */
function dailyChart(
  results: Results,
  type: 'line' | 'bar',
  title: string,
  value: (day: Results['daily'][number]['variations'][number], arm: string, index: number) => number | null,
): ChartConfiguration {
  return {
    type,
    data: {
      labels: results.daily.map((d) => d.date),
      datasets: results.experiment.variations.map((arm, a) => ({
        label: armName(results, arm.id),
        data: results.daily.map((day, i) => {
          const v = day.variations.find((x) => x.variationId === arm.id);
          return v ? value(v, arm.id, i) : null;
        }),
        borderColor: ARM_COLOURS[a % ARM_COLOURS.length],
        backgroundColor: ARM_COLOURS[a % ARM_COLOURS.length],
      })),
    },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: title } } } },
  };
}

function cumulative(results: Results) {
  const totals = new Map<string, number[]>();
  for (const arm of results.experiment.variations) {
    let sum = 0;
    totals.set(
      arm.id,
      results.daily.map((d) => (sum += d.variations.find((v) => v.variationId === arm.id)?.newUsers ?? 0)),
    );
  }
  return totals;
}

export function ResultsPage(props: { experimentKey: string }) {
  const loaded = useLoad(
    () => api.get<Results>(`/v1/experiments/${enc(props.experimentKey)}/results`),
    [props.experimentKey],
  );
  const results = loaded.data;
  const charts = useMemo(() => {
    if (!results) return undefined;
    const users = cumulative(results);
    return {
      lift: liftChart(results),
      users: dailyChart(results, 'line', 'Exposed users (cumulative)', (_v, arm, i) => users.get(arm)![i]!),
      ctr: dailyChart(results, 'line', 'CTR (%)', (v) =>
        v.impressions ? (v.clicks / v.impressions) * 100 : null,
      ),
      trades: dailyChart(results, 'bar', 'Trades', (v) => v.trades),
    };
  }, [results]);
  return (
    <>
      <div class="page-title">
        <h1>Results: {results?.experiment.name ?? props.experimentKey}</h1>
        <button type="button" onClick={() => void loaded.reload()}>
          Refresh
        </button>
      </div>
      <Status loaded={loaded}>
        {results && charts && (
          <>
            <div class="summary">
              <span class={`badge ${results.experiment.status}`}>{results.experiment.status}</span>
              <span>coverage {percent(results.experiment.coverage, 0)}</span>
              <span class="muted">computed {when(results.computedAt)}</span>
              <CoverageControls experiment={results.experiment} onChanged={loaded.reload} />
            </div>
            {results.sampleRatioMismatch?.warning && (
              <p role="alert" class="warning">
                Sample ratio mismatch: users are not split between arms as the weights say (χ² ={' '}
                {decimal(results.sampleRatioMismatch.chiSquared)}, p ={' '}
                {results.sampleRatioMismatch.pValue.toExponential(2)}). Assignment or logging is broken; do
                not trust these results.
              </p>
            )}
            <table>
              <caption>Per arm, after each user's first exposure</caption>
              <thead>
                <tr>
                  <th scope="col">Arm</th>
                  <th scope="col">Exposed users</th>
                  <th scope="col">Impressions</th>
                  <th scope="col">Clicks</th>
                  <th scope="col">CTR</th>
                  <th scope="col">Trade conversion</th>
                  <th scope="col">Trades per user</th>
                  <th scope="col">Notional</th>
                  <th scope="col">Notional per user</th>
                </tr>
              </thead>
              <tbody>
                {results.variations.map((v) => (
                  <tr key={v.variationId} data-arm={v.variationId}>
                    <th scope="row">{armName(results, v.variationId)}</th>
                    <td data-metric="exposedUsers">{integer(v.exposedUsers)}</td>
                    <td>{integer(v.impressions)}</td>
                    <td>{integer(v.clicks)}</td>
                    <td>{percent(v.ctr, 2)}</td>
                    <td>{percent(v.tradeConversion)}</td>
                    <td>{decimal(v.tradesPerUser)}</td>
                    <td>{dollars(v.notional)}</td>
                    <td>{dollars(v.notionalPerUser)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table>
              <caption>Against control ({armName(results, results.controlVariationId)})</caption>
              <thead>
                <tr>
                  <th scope="col">Metric</th>
                  <th scope="col">Arm</th>
                  <th scope="col">Lift</th>
                  <th scope="col">95% interval</th>
                  <th scope="col">Chance to beat control</th>
                  <th scope="col">p-value</th>
                </tr>
              </thead>
              <tbody>
                {results.comparisons.map((c) => (
                  <tr key={`${c.metric}-${c.variationId}`}>
                    <th scope="row">{METRIC_NAMES[c.metric] ?? c.metric}</th>
                    <td>{armName(results, c.variationId)}</td>
                    <td>{signedPercent(c.result.relativeLift)}</td>
                    <td>
                      {c.result.confidenceInterval
                        ? `${signedPercent(c.result.confidenceInterval.lower)} to ${signedPercent(c.result.confidenceInterval.upper)}`
                        : (c.result.reason ?? '—').replace(/-/g, ' ')}
                    </td>
                    <td>{percent(c.result.chanceToBeatControl)}</td>
                    <td>{decimal(c.result.pValue, 3)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div class="charts">
              {results.comparisons.some((c) => c.result.confidenceInterval) ? (
                <ChartView label="Lift against control with 95% intervals" config={charts.lift} />
              ) : (
                <p class="muted">Lift intervals appear once each arm has users with activity.</p>
              )}
              <ChartView label="Exposed users by day" config={charts.users} />
              <ChartView label="CTR by day" config={charts.ctr} />
              <ChartView label="Trades by day" config={charts.trades} />
            </div>
          </>
        )}
      </Status>
    </>
  );
}
