import { CONFIG_DEFAULTS } from '../../src/config/env.js';
import type { GateResult, Metrics } from '../../src/domain/model-doc.js';

export interface GateConfig {
  /** @defaultValue 'ndcg@10' */
  metric: string;
  /** Relative: the candidate needs metric > active × (1 + margin). @defaultValue 0 */
  margin: number;
  /** Baseline the candidate must beat outright. @defaultValue 'popularity' */
  mustBeat: string;
}

export const DEFAULT_GATE: GateConfig = {
  metric: CONFIG_DEFAULTS.MODEL_PROMOTION_METRIC,
  margin: CONFIG_DEFAULTS.MODEL_PROMOTION_MARGIN,
  mustBeat: 'popularity',
};

export interface GateInput {
  /** The candidate's metrics on the split; absent, or `failed`, when it could not be evaluated. */
  candidate?: Metrics;
  /** Why the candidate failed (training or evaluation), if it did. */
  candidateError?: string;
  /**
   * The active model at evaluation time, evaluated on the same split. `error` when it could not be
   * loaded or evaluated: the candidate is then compared with the baseline alone (a model that
   * cannot be loaded is not serving anything worth protecting), and the reason says so.
   */
  active?: { version: string; metrics?: Metrics; error?: string };
  /** Baselines evaluated on the same split, by name. */
  baselines: Record<string, Metrics>;
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));

/**
 * The promotion rule, as a pure function: promote iff the candidate did not fail, beats the
 * active model's metric by the relative margin (when there is an active model), and beats the
 * `mustBeat` baseline — all on the same split. Everything else is a rejection with its reason.
 */
export function decidePromotion(input: GateInput, config: GateConfig = DEFAULT_GATE): GateResult {
  const { metric, margin, mustBeat } = config;
  const base = {
    metric,
    margin,
    baseline: mustBeat,
    ...(input.active ? { activeVersion: input.active.version } : {}),
  };
  const values: GateResult['values'] = {};
  const reject = (reason: string): GateResult => ({ ...base, decision: 'reject', reason, values });

  if (input.candidateError !== undefined) return reject(`candidate failed: ${input.candidateError}`);
  const candidate = input.candidate?.[metric];
  if (candidate === undefined || !Number.isFinite(candidate))
    return reject(`candidate has no finite ${metric}`);
  values.candidate = candidate;

  const baseline = input.baselines[mustBeat]?.[metric];
  if (baseline === undefined || !Number.isFinite(baseline))
    return reject(`baseline ${mustBeat} has no ${metric} on this split`);
  values.baseline = baseline;

  const notes: string[] = [];
  if (input.active) {
    const active = input.active.metrics?.[metric];
    if (input.active.error !== undefined || active === undefined || !Number.isFinite(active)) {
      notes.push(
        `active ${input.active.version} could not be evaluated (${input.active.error ?? `no ${metric}`}), compared with the baseline only`,
      );
    } else {
      values.active = active;
      const bar = active * (1 + margin);
      if (!(candidate > bar)) {
        return reject(
          `${metric} ${fmt(candidate)} does not beat active ${input.active.version} ${fmt(active)}` +
            (margin ? ` by ${(margin * 100).toFixed(2)}% (needs > ${fmt(bar)})` : ''),
        );
      }
      notes.push(`beats active ${input.active.version} ${fmt(active)}`);
    }
  } else {
    notes.push('no active model');
  }
  if (!(candidate > baseline)) {
    return reject(`${metric} ${fmt(candidate)} does not beat baseline ${mustBeat} ${fmt(baseline)}`);
  }
  notes.push(`beats ${mustBeat} ${fmt(baseline)}`);
  return { ...base, decision: 'promote', reason: `${metric} ${fmt(candidate)}: ${notes.join('; ')}`, values };
}
