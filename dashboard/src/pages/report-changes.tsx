import { exactDecimal, exactDollars } from '../format.js';
import type { Change, DailyReport, TotalChanges } from '../types.js';
import { armName, rankerName } from './report-labels.js';

type Restates = NonNullable<DailyReport['restates']>;

/** A change's figure in the measure's own units: dollars for notional, else the plain decimal. */
const figure = (measure: string, s: string) => (measure === 'notional' ? exactDollars(s) : exactDecimal(s));
const signed = (measure: string, delta: string) =>
  `${delta.startsWith('-') ? '' : '+'}${figure(measure, delta)}`;

/** What moved since the version this one restates: totals, rows and exception counts, only what changed. */
export function ReportChangesView({ restates, version }: { restates: Restates; version: number }) {
  const { changes, basis } = restates;
  const totals = (['attributed', 'organic', 'total'] as const).flatMap((kind) =>
    Object.entries(changes[kind] as TotalChanges).map(([measure, c]) => ({ kind, measure, c: c as Change })),
  );
  const exceptions = Object.entries(changes.exceptions);
  return (
    <section class="report-part" aria-labelledby="restatement-title">
      <h2 id="restatement-title">
        Version {version} restates version {restates.version}
      </h2>
      {basis && (
        <p class="warning">
          The day was cut or attributed differently: {describeBasis(basis.before)} before,{' '}
          {describeBasis(basis.after)} now.
        </p>
      )}
      <div class="changes">
        {totals.length > 0 && (
          <table data-changes="totals">
            <caption>Totals that moved</caption>
            <thead>
              <BeforeAfterHead label="Figure" before={restates.version} after={version} />
            </thead>
            <tbody>
              {totals.map(({ kind, measure, c }) => (
                <tr key={`${kind}-${measure}`} data-change={`${kind}.${measure}`}>
                  <th scope="row">
                    {kind} {measure}
                  </th>
                  <td class="num">{figure(measure, c.before)}</td>
                  <td class="num">{figure(measure, c.after)}</td>
                  <td class="num">{signed(measure, c.delta)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {exceptions.length > 0 && (
          <table data-changes="exceptions">
            <caption>Exceptions that moved</caption>
            <thead>
              <BeforeAfterHead label="Reason" before={restates.version} after={version} />
            </thead>
            <tbody>
              {exceptions.map(([reason, c]) => (
                <tr key={reason} data-change={`exceptions.${reason}`}>
                  <th scope="row">{reason.replace(/_/g, ' ')}</th>
                  <td class="num">{c.before}</td>
                  <td class="num">{c.after}</td>
                  <td class="num">{signed('count', c.delta)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {changes.rows.length > 0 && (
        <table data-changes="rows">
          <caption>Rows that appeared, disappeared or changed</caption>
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Change</th>
              <th scope="col">
                Moved (v{restates.version} → v{version})
              </th>
            </tr>
          </thead>
          <tbody>
            {changes.rows.map((r) => (
              <tr key={JSON.stringify(r)}>
                <th scope="row">
                  {r.surface} · {rankerName(r)} · {r.model ?? 'no model'} · {armName(r)} · {r.category}
                </th>
                <td>{r.change}</td>
                <td>
                  {Object.entries(r.measures)
                    .map(
                      ([m, c]) =>
                        `${m} ${figure(m, c.before)} → ${figure(m, c.after)} (${signed(m, c.delta)})`,
                    )
                    .join('; ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {totals.length === 0 && exceptions.length === 0 && changes.rows.length === 0 && (
        <p class="help">No figure moved: only how the day was cut or attributed changed.</p>
      )}
    </section>
  );
}

/** A moved-figures table's header: what moved, its value in each version, and the change. */
function BeforeAfterHead(props: { label: string; before: number; after: number }) {
  return (
    <tr>
      <th scope="col">{props.label}</th>
      <th scope="col" class="num">
        v{props.before}
      </th>
      <th scope="col" class="num">
        v{props.after}
      </th>
      <th scope="col" class="num">
        Change
      </th>
    </tr>
  );
}

function describeBasis(b: NonNullable<Restates['basis']>['before']): string {
  return `${b.timeZone} cut at ${b.cutoff}, ${b.settings.windowHours} h window, ${
    b.settings.clickThroughOnly ? 'clicks only' : 'impressions or clicks'
  }`;
}
