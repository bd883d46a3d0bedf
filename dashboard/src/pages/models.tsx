import type { ChartConfiguration } from 'chart.js';
import { useMemo, useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import { ARM_COLOURS, ChartView } from '../components/chart.js';
import { ConfirmDialog } from '../components/confirm.js';
import { Status, useAction, useLoad } from '../components/load.js';
import { decimal, when } from '../format.js';
import type { Model, ModelList } from '../types.js';

/** Metric names shown, in order, when the models report them (the first `ndcg@…`, `recall@…`, …). */
const METRIC_PREFIXES = ['ndcg@', 'recall@', 'hr@', 'mrr'];

function metricNames(models: Model[]): string[] {
  const names = new Set(models.flatMap((m) => Object.keys(m.metrics?.candidate ?? {})));
  return METRIC_PREFIXES.flatMap((prefix) =>
    [...names]
      .filter((n) => n.startsWith(prefix))
      .sort()
      .slice(0, 1),
  );
}

/** Each evaluated version's offline metrics, oldest first: a line per metric and kind. */
function metricsChart(models: Model[], names: string[]): ChartConfiguration {
  const evaluated = models.filter((m) => m.metrics?.candidate).reverse();
  const kinds = [...new Set(evaluated.map((m) => m.kind))];
  const lines = kinds.flatMap((kind) => names.map((name) => ({ kind, name })));
  return {
    type: 'line',
    data: {
      labels: evaluated.map((m) => (m.trainedAt ?? m.createdAt).slice(0, 16).replace('T', ' ')),
      datasets: lines.map(({ kind, name }, i) => ({
        label: kinds.length > 1 ? `${kind} ${name}` : name,
        data: evaluated.map((m) => (m.kind === kind ? (m.metrics!.candidate![name] ?? null) : null)),
        spanGaps: true,
        borderColor: ARM_COLOURS[i % ARM_COLOURS.length],
        backgroundColor: ARM_COLOURS[i % ARM_COLOURS.length],
      })),
    },
    options: {
      scales: { y: { beginAtZero: true, title: { display: true, text: 'Offline metric (test split)' } } },
    },
  };
}

/** Kinds with an active version or any version listed, the default kind first. */
function kindsOf(list: ModelList): string[] {
  const kinds = new Set([...Object.keys(list.activeByKind), ...list.models.map((m) => m.kind)]);
  return [...kinds].sort(
    (a, b) => Number(b === DEFAULT_KIND) - Number(a === DEFAULT_KIND) || a.localeCompare(b),
  );
}

/** The default ranker's kind: the one every feed outside experiments is ranked by. */
const DEFAULT_KIND = 'two-tower';

type Pending = { action: 'promote'; version: string } | { action: 'rollback'; kind: string };

export function ModelsPage() {
  const loaded = useLoad(() => api.get<ModelList>('/v1/models?limit=100'));
  const [pending, setPending] = useState<Pending>();
  const [message, setMessage] = useState<string>();
  const { error, run } = useAction();
  const list = loaded.data;
  const names = useMemo(() => (list ? metricNames(list.models) : []), [list]);
  const chart = useMemo(() => (list ? metricsChart(list.models, names) : undefined), [list, names]);

  const confirm = async () => {
    const p = pending!;
    setPending(undefined);
    await run(async () => {
      const model =
        p.action === 'promote'
          ? await api.post<Model>(`/v1/models/${enc(p.version)}/promote`, {
              reason: 'promoted from the dashboard',
            })
          : await api.post<Model>('/v1/models/rollback', { kind: p.kind });
      setMessage(`${model.version} is now the active ${model.kind} model.`);
      await loaded.reload();
    });
  };

  return (
    <>
      <div class="page-title">
        <h1>Models</h1>
      </div>
      <Status loaded={loaded}>
        {message && (
          <p role="status" class="notice">
            {message}
          </p>
        )}
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        {list && (
          <>
            <table class="active-models">
              <caption>
                Active models: one per kind. The two-tower ranks every feed outside experiments; the others
                rank the experiment arms that name them.
              </caption>
              <tbody>
                {kindsOf(list).map((kind) => (
                  <tr key={kind} data-kind={kind}>
                    <th scope="row">{kind}</th>
                    <td>
                      <strong data-active-model={kind}>{list.activeByKind[kind] ?? 'none'}</strong>
                    </td>
                    <td>
                      <button
                        type="button"
                        disabled={!list.activeByKind[kind]}
                        onClick={() => setPending({ action: 'rollback', kind })}
                      >
                        Roll back {kind}…
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {chart && names.length > 0 && (
              <ChartView label="Offline metrics of each version" config={chart} />
            )}
            <table>
              <caption class="visually-hidden">Model versions, their metrics and gate decisions</caption>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Status</th>
                  <th scope="col">Trained</th>
                  {names.map((n) => (
                    <th scope="col">{n}</th>
                  ))}
                  <th scope="col">Gate decision</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {list.models.map((m) => (
                  <tr key={m.version} data-model={m.version}>
                    <th scope="row">
                      <code>{m.version}</code>
                      <div class="muted">{m.kind}</div>
                    </th>
                    <td>
                      <span class={`badge ${m.status}`}>{m.status}</span>
                    </td>
                    <td>{when(m.trainedAt ?? m.createdAt)}</td>
                    {names.map((n) => (
                      <td>{decimal(m.metrics?.candidate?.[n], 4)}</td>
                    ))}
                    <td class="reason">
                      {m.gate ? (
                        <>
                          <strong>{m.gate.decision}</strong>: {m.gate.reason}
                        </>
                      ) : (
                        (m.error ?? m.promotionReason ?? '—')
                      )}
                    </td>
                    <td>
                      {m.status !== 'active' && m.status !== 'failed' && (
                        <button
                          type="button"
                          onClick={() => setPending({ action: 'promote', version: m.version })}
                        >
                          Promote…<span class="visually-hidden"> {m.version}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Status>
      <ConfirmDialog
        open={pending !== undefined}
        title={
          pending?.action === 'promote'
            ? `Promote ${pending.version}?`
            : `Roll back the active ${pending?.kind ?? ''} model?`
        }
        confirmLabel={pending?.action === 'promote' ? 'Promote' : 'Roll back'}
        onConfirm={() => void confirm()}
        onCancel={() => setPending(undefined)}
      >
        {pending?.action === 'promote' ? (
          <p>
            Every feed its kind ranks will be ranked by this version at once, bypassing the promotion gate;
            other kinds keep their active version.
          </p>
        ) : (
          <p>
            {pending && list?.activeByKind[pending.kind]} stops serving; the {pending?.kind} version active
            before it serves at once. Other kinds keep theirs.
          </p>
        )}
      </ConfirmDialog>
    </>
  );
}
