import { CONFIG_DEFAULTS } from '../../src/config/env.js';
import type { GateResult, Interval, Metrics } from '../../src/domain/model-doc.js';

export interface GateConfig {
  /** The metric compared (MODEL_PROMOTION_METRIC; its default in DEFAULT_GATE). */
  metric: string;
  /**
   * Absolute: the lower bound of the 95% interval of each paired difference (candidate − active,
   * candidate − best baseline) must exceed it (MODEL_PROMOTION_MARGIN; its default in DEFAULT_GATE).
   */
  margin: number;
}

export const DEFAULT_GATE: GateConfig = {
  metric: CONFIG_DEFAULTS.MODEL_PROMOTION_METRIC,
  margin: CONFIG_DEFAULTS.MODEL_PROMOTION_MARGIN,
};

export interface GateInput {
  /** The candidate's metrics on the split; absent, or `failed`, when it could not be evaluated. */
  candidate?: Metrics;
  /** Why the candidate failed (training or evaluation), if it did. */
  candidateError?: string;
  /**
   * The active model at evaluation time, evaluated on the same split, with the paired difference
   * candidate − active when per-user values existed. `error` when it could not be loaded or
   * evaluated: the candidate is then compared with the baselines alone (a model that cannot be
   * loaded is not serving anything worth protecting), and the reason says so.
   */
  active?: { version: string; metrics?: Metrics; error?: string; difference?: Interval };
  /** Baselines evaluated on the same split, by name. */
  baselines: Record<string, Metrics>;
  /** Paired differences candidate − baseline, by baseline name (bootstrap over evaluated users). */
  differences?: Record<string, Interval>;
  /** Users the differences were paired over. */
  users?: number;
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));
const signed = (x: number) => (x >= 0 ? '+' : '') + fmt(x);
const interval = (d: Interval) => `${signed(d.mean)} [${signed(d.low)}, ${signed(d.high)}]`;

/** A rule's verdict with what it compared: the fields both rules record alike. */
function gateResult(
  rule: GateResult['rule'],
  input: GateInput,
  { metric, margin }: GateConfig,
  verdict: Pick<GateResult, 'decision' | 'reason' | 'values'> & {
    intervals: NonNullable<GateResult['intervals']>;
  },
): GateResult {
  const { intervals, ...rest } = verdict;
  return {
    rule,
    metric,
    margin,
    ...(input.active ? { activeVersion: input.active.version } : {}),
    ...rest,
    ...(input.users !== undefined ? { users: input.users } : {}),
    ...(Object.keys(intervals).length ? { intervals } : {}),
  };
}

/**
 * The promotion rule, as a pure function: promote iff the candidate did not fail and beats both
 * the active model (when there is one) and the best baseline on the metric, all on the same split.
 * "Beats" means the lower bound of the paired bootstrap 95% interval of the difference lies above
 * `margin`: on a few hundred users, a difference of 0.01 in nDCG is often noise. Without
 * per-user values (a metric such as coverage) the point difference must exceed the margin.
 */
export function decidePromotion(input: GateInput, config: GateConfig = DEFAULT_GATE): GateResult {
  const { metric, margin } = config;
  const values: GateResult['values'] = {};
  const intervals: NonNullable<GateResult['intervals']> = {};
  let baselineName: string | undefined;
  const result = (decision: GateResult['decision'], reason: string): GateResult => ({
    ...gateResult('lead', input, config, { decision, reason, values, intervals }),
    ...(baselineName !== undefined ? { baseline: baselineName } : {}),
  });
  const reject = (reason: string) => result('reject', reason);

  if (input.candidateError !== undefined) return reject(`candidate failed: ${input.candidateError}`);
  const candidate = input.candidate?.[metric];
  if (candidate === undefined || !Number.isFinite(candidate))
    return reject(`candidate has no finite ${metric}`);
  values.candidate = candidate;

  for (const [name, m] of Object.entries(input.baselines)) {
    const v = m[metric];
    if (v !== undefined && Number.isFinite(v) && (values.baseline === undefined || v > values.baseline)) {
      values.baseline = v;
      baselineName = name;
    }
  }
  if (baselineName === undefined) return reject(`no baseline has a finite ${metric} on this split`);

  /** Whether the candidate is ahead of `other` by more than the margin, and how to say it. */
  const ahead = (other: number, difference: Interval | undefined): { ok: boolean; text: string } => {
    if (difference)
      return {
        ok: difference.low > margin,
        text: `by ${interval(difference)}${margin ? `, needs the lower bound > ${fmt(margin)}` : ''}`,
      };
    const d = candidate - other;
    return { ok: d > margin, text: `by ${signed(d)} (no per-user values)` };
  };

  const users = input.users !== undefined ? ` over ${input.users} users` : '';
  const notes: string[] = [];
  if (input.active) {
    const active = input.active.metrics?.[metric];
    if (input.active.error !== undefined || active === undefined || !Number.isFinite(active)) {
      notes.push(
        `active ${input.active.version} could not be evaluated (${input.active.error ?? `no ${metric}`}), compared with the baselines only`,
      );
    } else {
      values.active = active;
      if (input.active.difference) intervals.active = input.active.difference;
      const vs = ahead(active, input.active.difference);
      const what = `active ${input.active.version} ${fmt(active)} ${vs.text}`;
      if (!vs.ok) return reject(`${metric} ${fmt(candidate)}${users} does not beat ${what}`);
      notes.push(`beats ${what}`);
    }
  } else {
    notes.push('no active model');
  }
  const difference = input.differences?.[baselineName];
  if (difference) intervals.baseline = difference;
  const vs = ahead(values.baseline!, difference);
  const what = `best baseline ${baselineName} ${fmt(values.baseline!)} ${vs.text}`;
  if (!vs.ok) return reject(`${metric} ${fmt(candidate)}${users} does not beat ${what}`);
  notes.push(`beats ${what}`);
  return result('promote', `${metric} ${fmt(candidate)}${users}: ${notes.join('; ')}`);
}

/**
 * The rule for kinds served to experiment arms only (EASE, BPR-MF), as a pure function: an
 * experiment judges them, so the gate only keeps a worse model out. The first model of its kind is
 * promoted once it trained and was evaluated without error; a later one replaces the active model of
 * its kind unless the 95% interval of the paired difference (candidate − active) lies wholly below
 * −`margin`, i.e. unless it is significantly worse. Not worse is enough, not better: these kinds
 * cannot score a market listed after their training at all, so an arm kept on an older model would
 * lose to staleness rather than to what the model is. Baselines do not enter.
 */
export function decideNotWorse(input: GateInput, config: GateConfig = DEFAULT_GATE): GateResult {
  const { metric, margin } = config;
  const values: GateResult['values'] = {};
  const intervals: NonNullable<GateResult['intervals']> = {};
  const result = (decision: GateResult['decision'], reason: string): GateResult =>
    gateResult('not-worse', input, config, { decision, reason, values, intervals });
  if (input.candidateError !== undefined)
    return result('reject', `candidate failed: ${input.candidateError}`);
  const candidate = input.candidate?.[metric];
  if (candidate === undefined || !Number.isFinite(candidate))
    return result('reject', `candidate has no finite ${metric}`);
  values.candidate = candidate;
  const users = input.users !== undefined ? ` over ${input.users} users` : '';
  const head = `${metric} ${fmt(candidate)}${users}`;
  if (!input.active)
    return result('promote', `${head}: the first model of its kind (an experiment judges it)`);
  const active = input.active.metrics?.[metric];
  if (input.active.error !== undefined || active === undefined || !Number.isFinite(active))
    return result(
      'promote',
      `${head}: active ${input.active.version} could not be evaluated (${input.active.error ?? `no ${metric}`})`,
    );
  values.active = active;
  const d = input.active.difference;
  if (d) intervals.active = d;
  const worse = d ? d.high < -margin : candidate - active < -margin;
  const by = d ? interval(d) : `${signed(candidate - active)} (no per-user values)`;
  const what = `active ${input.active.version} ${fmt(active)} by ${by}`;
  return worse
    ? result('reject', `${head} is worse than ${what}${margin ? `, beyond −${fmt(margin)}` : ''}`)
    : result('promote', `${head} is not worse than ${what}`);
}
