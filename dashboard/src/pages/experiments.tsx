import { useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import { Status, useAction, useLoad } from '../components/load.js';
import { percent } from '../format.js';
import type { Experiment, ExperimentList } from '../types.js';

/** Start (at the coverage given), stop (coverage 0) or change coverage: one call of the public API. */
export function setCoverage(key: string, coverage: number): Promise<Experiment> {
  return api.put<Experiment>(`/v1/experiments/${enc(key)}/coverage`, { coverage });
}

/** Start, stop and coverage controls of one experiment. */
export function CoverageControls(props: { experiment: Experiment; onChanged: () => void }) {
  const { experiment } = props;
  const [coverage, setValue] = useState(String(Math.round((experiment.coverage || 1) * 100)));
  const { error, run } = useAction();
  const id = `coverage-${experiment.key}`;
  const apply = (value: number) =>
    run(async () => {
      await setCoverage(experiment.key, value);
      props.onChanged();
    });
  const share = Number(coverage) / 100;
  const valid = coverage !== '' && share > 0 && share <= 1;
  return (
    <div class="coverage-controls">
      <label for={id}>Coverage %</label>
      <input
        id={id}
        type="number"
        min="1"
        max="100"
        step="1"
        value={coverage}
        onInput={(e) => setValue(e.currentTarget.value)}
        aria-invalid={valid ? undefined : 'true'}
      />
      {experiment.status === 'stopped' ? (
        <button type="button" disabled={!valid} onClick={() => apply(share)}>
          Start <span class="visually-hidden">{experiment.key}</span>
        </button>
      ) : (
        <>
          <button type="button" disabled={!valid} onClick={() => apply(share)}>
            Set coverage <span class="visually-hidden">of {experiment.key}</span>
          </button>
          <button type="button" onClick={() => apply(0)}>
            Stop <span class="visually-hidden">{experiment.key}</span>
          </button>
        </>
      )}
      {error && (
        <span role="alert" class="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

export function ExperimentsPage() {
  const loaded = useLoad(() => api.get<ExperimentList>('/v1/experiments'));
  const list = loaded.data;
  return (
    <>
      <div class="page-title">
        <h1>Experiments</h1>
        {list?.editable && (
          <a class="button primary" href="#/experiments/new">
            New experiment
          </a>
        )}
      </div>
      <Status loaded={loaded}>
        {list?.growthbookUrl && (
          <p class="notice">
            These experiments come from a GrowthBook server and are read-only here: edit, start and stop them
            in{' '}
            <a href={list.growthbookUrl} rel="noreferrer">
              GrowthBook
            </a>
            .
          </p>
        )}
        {list && list.experiments.length === 0 && <p>No experiments yet.</p>}
        {list && list.experiments.length > 0 && (
          <table>
            <caption class="visually-hidden">Experiments, their status, coverage and arms</caption>
            <thead>
              <tr>
                <th scope="col">Experiment</th>
                <th scope="col">Status</th>
                <th scope="col">Coverage</th>
                <th scope="col">Arms (ranker, weight)</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.experiments.map((e) => (
                <tr key={e.key} data-experiment={e.key}>
                  <th scope="row">
                    <a href={`#/experiments/${enc(e.key)}/results`}>{e.name ?? e.key}</a>
                    <div class="muted">{e.key}</div>
                  </th>
                  <td>
                    <span class={`badge ${e.status}`}>{e.status}</span>
                  </td>
                  <td>{percent(e.coverage, 0)}</td>
                  <td>
                    <ul class="arms">
                      {e.variations.map((v) => (
                        <li key={v.id}>
                          {v.name ?? `Arm ${v.id}`}: <code>{v.ranker}</code> {percent(v.weight, 0)}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td class="actions-cell">
                    <a href={`#/experiments/${enc(e.key)}/results`}>
                      Results <span class="visually-hidden">of {e.key}</span>
                    </a>
                    {list.editable && (
                      <a href={`#/experiments/${enc(e.key)}/edit`}>
                        Edit <span class="visually-hidden">{e.key}</span>
                      </a>
                    )}
                    {list.editable && <CoverageControls experiment={e} onChanged={loaded.reload} />}
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
