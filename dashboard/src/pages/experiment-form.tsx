import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, enc } from '../api.js';
import { Status, useLoad } from '../components/load.js';
import type { Experiment, ExperimentList } from '../types.js';

interface Arm {
  name: string;
  ranker: string;
  weight: string;
}

interface Draft {
  key: string;
  name: string;
  hashAttribute: string;
  condition: string;
  arms: Arm[];
}

function draftOf(experiment: Experiment | undefined, rankers: string[]): Draft {
  if (!experiment)
    return {
      key: '',
      name: '',
      hashAttribute: 'id',
      condition: '',
      arms: [
        { name: 'Control', ranker: rankers[0] ?? '', weight: '0.5' },
        { name: 'Treatment', ranker: rankers[1] ?? '', weight: '0.5' },
      ],
    };
  return {
    key: experiment.key,
    name: experiment.name ?? '',
    hashAttribute: experiment.hashAttribute,
    condition: experiment.condition ? JSON.stringify(experiment.condition, null, 2) : '',
    arms: experiment.variations.map((v) => ({
      name: v.name ?? '',
      ranker: v.ranker,
      weight: String(v.weight),
    })),
  };
}

/** The GrowthBook rule the draft describes, on top of the rule being edited (its other fields kept). */
function ruleOf(draft: Draft, experiment: Experiment | undefined): Record<string, unknown> {
  const rule: Record<string, unknown> = {
    ...(experiment?.rule ?? { hashVersion: 2 }),
    key: draft.key,
    // As it runs now (a start or stop through the list included); new experiments start stopped.
    coverage: experiment?.coverage ?? 0,
    variations: draft.arms.map((a) => a.ranker),
    weights: draft.arms.map((a) => (a.weight.trim() === '' ? NaN : Number(a.weight))),
    meta: draft.arms.map((a, i) => ({ key: String(i), ...(a.name.trim() ? { name: a.name.trim() } : {}) })),
    hashAttribute: draft.hashAttribute.trim(),
  };
  if (draft.name.trim()) rule.name = draft.name.trim();
  else delete rule.name;
  return rule;
}

/** A field's error, beside it, and the attributes that tie the field to it. */
function useFieldErrors() {
  const [errors, setErrors] = useState(new Map<string, string>());
  const forField = (field: string, id: string) => {
    const message = [...errors]
      .filter(([path]) => path === field || path.startsWith(`${field}.`))
      .map(([, m]) => m);
    return {
      message: message.length ? message.join('; ') : undefined,
      attrs: message.length ? { 'aria-invalid': 'true' as const, 'aria-describedby': `${id}-error` } : {},
    };
  };
  return { errors, setErrors, forField };
}

function FieldError(props: { id: string; message: string | undefined }) {
  return props.message ? (
    <p id={`${props.id}-error`} class="field-error" data-field-error>
      {props.message}
    </p>
  ) : null;
}

export function ExperimentFormPage(props: { experimentKey?: string }) {
  const loaded = useLoad(async () => {
    const list = await api.get<ExperimentList>('/v1/experiments');
    const experiment = props.experimentKey
      ? await api.get<Experiment>(`/v1/experiments/${enc(props.experimentKey)}`)
      : undefined;
    return { list, experiment };
  }, [props.experimentKey]);
  const [draft, setDraft] = useState<Draft>();
  const [formError, setFormError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const { errors, setErrors, forField } = useFieldErrors();
  const rankers = loaded.data?.list.rankers ?? [];
  useEffect(() => {
    if (loaded.data) setDraft(draftOf(loaded.data.experiment, loaded.data.list.rankers));
  }, [loaded.data]);
  const editing = props.experimentKey !== undefined;

  const update = (patch: Partial<Draft>) => setDraft((d) => ({ ...d!, ...patch }));
  const updateArm = (i: number, patch: Partial<Arm>) =>
    setDraft((d) => ({ ...d!, arms: d!.arms.map((a, j) => (j === i ? { ...a, ...patch } : a)) }));

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!draft) return;
    const local = new Map<string, string>();
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(draft.key))
      local.set('key', 'letters, digits, "-", "_" and "." only, starting with a letter or digit');
    const rule = ruleOf(draft, loaded.data?.experiment);
    if (draft.condition.trim()) {
      try {
        rule.condition = JSON.parse(draft.condition);
      } catch (err) {
        local.set('condition', `not valid JSON: ${(err as Error).message}`);
      }
    } else delete rule.condition;
    setErrors(local);
    setFormError(undefined);
    if (local.size) return;
    setSaving(true);
    try {
      await api.put(`/v1/experiments/${enc(draft.key)}`, rule);
      location.hash = `#/experiments`;
    } catch (err) {
      if (err instanceof ApiError && err.details.length) {
        const fields = err.fieldErrors();
        setErrors(fields);
        const unplaced = [...fields].filter(([path]) => !placed(path, draft.arms.length));
        if (unplaced.length) setFormError(unplaced.map(([p, m]) => (p ? `${p}: ${m}` : m)).join('; '));
      } else setFormError((err as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const key = forField('key', 'key');
  const name = forField('name', 'name');
  const hash = forField('hashAttribute', 'hash');
  const condition = forField('condition', 'condition');
  const weights = forField('weights', 'weights');
  const variations = forField('variations', 'arms');
  const meta = forField('meta', 'arms-meta');
  return (
    <>
      <h1>{editing ? `Edit ${props.experimentKey}` : 'New experiment'}</h1>
      <Status loaded={loaded}>
        {draft && (
          <form class="experiment-form" onSubmit={submit} noValidate>
            <p class="help">
              Users are split between arms by a hash of the attribute below; each arm serves one ranker.{' '}
              {editing
                ? 'Saving changes the running experiment for every replica.'
                : 'A new experiment is saved stopped: start it from the list.'}
            </p>
            <div class="field">
              <label for="key">Key</label>
              <input
                id="key"
                value={draft.key}
                disabled={editing}
                required
                onInput={(e) => update({ key: e.currentTarget.value })}
                {...key.attrs}
              />
              <FieldError id="key" message={key.message} />
            </div>
            <div class="field">
              <label for="name">Name</label>
              <input
                id="name"
                value={draft.name}
                onInput={(e) => update({ name: e.currentTarget.value })}
                {...name.attrs}
              />
              <FieldError id="name" message={name.message} />
            </div>
            <fieldset aria-describedby="weights-help">
              <legend>Arms</legend>
              <p id="weights-help" class="help">
                The first arm is the control. Weights are shares of the experiment's users and sum to 1.
              </p>
              {draft.arms.map((arm, i) => {
                const ranker = forField(`variations[${i}]`, `arm-${i}-ranker`);
                return (
                  <div class="arm" key={i}>
                    <div class="field">
                      <label for={`arm-${i}-name`}>Arm {i + 1} name</label>
                      <input
                        id={`arm-${i}-name`}
                        value={arm.name}
                        onInput={(e) => updateArm(i, { name: e.currentTarget.value })}
                      />
                    </div>
                    <div class="field">
                      <label for={`arm-${i}-ranker`}>Arm {i + 1} ranker</label>
                      <select
                        id={`arm-${i}-ranker`}
                        value={arm.ranker}
                        onChange={(e) => updateArm(i, { ranker: e.currentTarget.value })}
                        {...ranker.attrs}
                      >
                        {rankers.map((r) => (
                          <option value={r}>{r}</option>
                        ))}
                      </select>
                      <FieldError id={`arm-${i}-ranker`} message={ranker.message} />
                    </div>
                    <div class="field">
                      <label for={`arm-${i}-weight`}>Arm {i + 1} weight</label>
                      <input
                        id={`arm-${i}-weight`}
                        type="number"
                        min="0"
                        max="1"
                        step="0.01"
                        value={arm.weight}
                        onInput={(e) => updateArm(i, { weight: e.currentTarget.value })}
                        {...weights.attrs}
                      />
                    </div>
                    {draft.arms.length > 2 && (
                      <button
                        type="button"
                        onClick={() => update({ arms: draft.arms.filter((_, j) => j !== i) })}
                      >
                        Remove arm {i + 1}
                      </button>
                    )}
                  </div>
                );
              })}
              <FieldError id="weights" message={weights.message} />
              <FieldError id="arms" message={variations.message} />
              <FieldError id="arms-meta" message={meta.message} />
              <button
                type="button"
                onClick={() =>
                  update({ arms: [...draft.arms, { name: '', ranker: rankers[0] ?? '', weight: '0' }] })
                }
              >
                Add arm
              </button>
            </fieldset>
            <div class="field">
              <label for="hash">Hash attribute</label>
              <input
                id="hash"
                value={draft.hashAttribute}
                onInput={(e) => update({ hashAttribute: e.currentTarget.value })}
                {...hash.attrs}
              />
              <FieldError id="hash" message={hash.message} />
            </div>
            <div class="field">
              <label for="condition">
                Targeting (GrowthBook condition on user attributes, JSON; empty targets everyone)
              </label>
              <textarea
                id="condition"
                rows={4}
                placeholder='{"country": "US", "platform": {"$in": ["ios", "android"]}}'
                value={draft.condition}
                onInput={(e) => update({ condition: e.currentTarget.value })}
                {...condition.attrs}
              />
              <FieldError id="condition" message={condition.message} />
            </div>
            {formError && (
              <p role="alert" class="error">
                {formError}
              </p>
            )}
            {errors.size > 0 && !formError && (
              <p role="alert" class="error">
                The experiment was not saved: see the fields marked above.
              </p>
            )}
            <div class="actions">
              <a href="#/experiments">Cancel</a>
              <button type="submit" class="primary" disabled={saving}>
                {editing ? 'Save changes' : 'Create experiment'}
              </button>
            </div>
          </form>
        )}
      </Status>
    </>
  );
}

/** Whether an error's field has a place in the form (the others are listed above its buttons). */
function placed(path: string, arms: number): boolean {
  const top = path.split(/[.[]/)[0]!;
  if (['key', 'name', 'hashAttribute', 'condition', 'weights', 'meta'].includes(top)) return true;
  if (path === 'variations') return true;
  return /^variations\[(\d+)\]$/.test(path) && Number(/\d+/.exec(path)![0]) < arms;
}
