import { describe, expect, it } from 'vitest';
import { DEFAULT_PIPELINE_SETTINGS, pipelineSettingsFrom } from '../../jobs/model-pipeline/index.js';
import { DEFAULT_GATE, decideNotWorse, decidePromotion } from '../../models/registry/gate.js';
import { ConfigError, loadConfig } from '../../src/config/env.js';

const m = (ndcg: number) => ({ 'ndcg@10': ndcg, 'recall@10': ndcg * 2 });
const baselines = { popularity: m(0.1), trending: m(0.3) };

describe('promotion gate', () => {
  it('promotes a candidate beating the best baseline when no model is active', () => {
    const gate = decidePromotion({ candidate: m(0.35), baselines });
    expect(gate).toMatchObject({
      decision: 'promote',
      metric: 'ndcg@10',
      margin: 0,
      baseline: 'trending',
      values: { candidate: 0.35, baseline: 0.3 },
    });
    expect(gate.reason).toMatch(/no active model/);
    expect(gate.activeVersion).toBeUndefined();
  });

  it('the best baseline counts, not the one named first: beating popularity alone is not enough', () => {
    const gate = decidePromotion({ candidate: m(0.2), baselines });
    expect(gate).toMatchObject({ decision: 'reject', baseline: 'trending' });
    expect(gate.reason).toMatch(/does not beat best baseline trending 0\.3000/);
  });

  it('rejects a candidate that does not beat the baseline (a tie is not a win)', () => {
    const gate = decidePromotion({ candidate: m(0.3), baselines });
    expect(gate.decision).toBe('reject');
  });

  it('rejects a failed candidate, keeping the error', () => {
    const gate = decidePromotion({ candidateError: 'out of memory', baselines });
    expect(gate).toMatchObject({ decision: 'reject', reason: 'candidate failed: out of memory' });
  });

  it('rejects a candidate without the metric, and when no baseline was evaluated', () => {
    expect(decidePromotion({ candidate: { mrr: 1 }, baselines }).reason).toMatch(/no finite ndcg@10/);
    expect(decidePromotion({ candidate: m(Number.NaN), baselines }).decision).toBe('reject');
    expect(decidePromotion({ candidate: m(0.5), baselines: {} }).reason).toMatch(
      /no baseline has a finite ndcg@10/,
    );
  });

  it('a higher mean is not enough: the paired interval must lie above the margin', () => {
    const input = {
      candidate: m(0.4),
      users: 250,
      active: { version: 'tt-old', metrics: m(0.38), difference: { mean: 0.02, low: 0.004, high: 0.036 } },
      baselines,
      differences: { trending: { mean: 0.1, low: 0.06, high: 0.14 } },
    };
    const gate = decidePromotion(input);
    expect(gate).toMatchObject({
      decision: 'promote',
      activeVersion: 'tt-old',
      users: 250,
      values: { candidate: 0.4, active: 0.38, baseline: 0.3 },
      intervals: { active: { low: 0.004 }, baseline: { low: 0.06 } },
    });
    expect(gate.reason).toBe(
      'ndcg@10 0.4000 over 250 users: beats active tt-old 0.3800 by +0.0200 [+0.0040, +0.0360]; ' +
        'beats best baseline trending 0.3000 by +0.1000 [+0.0600, +0.1400]',
    );
    // Ahead on average, but the interval reaches below zero: noise, not a win.
    const noisy = decidePromotion({
      ...input,
      active: { ...input.active, difference: { mean: 0.02, low: -0.003, high: 0.043 } },
    });
    expect(noisy.decision).toBe('reject');
    expect(noisy.reason).toMatch(
      /over 250 users does not beat active tt-old 0\.3800 by \+0\.0200 \[-0\.0030, \+0\.0430\]/,
    );
    // The same for the baseline.
    const vsBaseline = decidePromotion({
      ...input,
      differences: { trending: { mean: 0.1, low: -0.01, high: 0.2 } },
    });
    expect(vsBaseline.decision).toBe('reject');
    expect(vsBaseline.reason).toMatch(/does not beat best baseline trending/);
  });

  it('applies the margin to the lower bound of each difference', () => {
    const input = {
      candidate: m(0.4),
      active: { version: 'tt-old', metrics: m(0.38), difference: { mean: 0.02, low: 0.008, high: 0.03 } },
      baselines,
      differences: { trending: { mean: 0.1, low: 0.06, high: 0.14 } },
    };
    const short = decidePromotion(input, { ...DEFAULT_GATE, margin: 0.01 });
    expect(short.decision).toBe('reject');
    expect(short.reason).toMatch(/needs the lower bound > 0\.0100/);
    expect(decidePromotion(input, { ...DEFAULT_GATE, margin: 0.005 }).decision).toBe('promote');
  });

  it('without per-user values, compares the means (e.g. coverage)', () => {
    const active = { version: 'tt-old', metrics: m(0.35) };
    expect(decidePromotion({ candidate: m(0.36), active, baselines }).decision).toBe('promote');
    const worse = decidePromotion({ candidate: m(0.34), active, baselines });
    expect(worse.decision).toBe('reject');
    expect(worse.reason).toMatch(/does not beat active tt-old 0\.3500 by -0\.0100 \(no per-user values\)/);
  });

  it('still requires the baseline when the candidate beats the active model', () => {
    const gate = decidePromotion({
      candidate: m(0.08),
      active: { version: 'tt-old', metrics: m(0.05) },
      baselines,
    });
    expect(gate.decision).toBe('reject');
    expect(gate.reason).toMatch(/best baseline trending/);
  });

  it('compares with the baselines only when the active model could not be evaluated, and says so', () => {
    const gate = decidePromotion({
      candidate: m(0.35),
      active: { version: 'tt-old', error: 'manifest.json missing' },
      baselines,
    });
    expect(gate.decision).toBe('promote');
    expect(gate.reason).toMatch(/active tt-old could not be evaluated \(manifest.json missing\)/);
    expect(gate.values.active).toBeUndefined();
  });

  it('uses the configured metric', () => {
    const gate = decidePromotion(
      {
        candidate: { mrr: 0.3 },
        active: { version: 'a', metrics: { mrr: 0.2 } },
        baselines: { popularity: { mrr: 0.1 } },
      },
      { ...DEFAULT_GATE, metric: 'mrr' },
    );
    expect(gate).toMatchObject({ decision: 'promote', metric: 'mrr' });
  });

  it('takes its metric and margin from the environment, with defaults', () => {
    expect(pipelineSettingsFrom(loadConfig({}))).toEqual(DEFAULT_PIPELINE_SETTINGS);
    const settings = pipelineSettingsFrom(
      loadConfig({
        MODEL_PROMOTION_METRIC: 'recall@20',
        MODEL_PROMOTION_MARGIN: '0.02',
        MODEL_TRAIN_WINDOW_DAYS: '30',
        MODEL_TEST_FRACTION: '0.2',
      }),
    );
    expect(settings).toMatchObject({
      windowDays: 30,
      testFraction: 0.2,
      gate: { metric: 'recall@20', margin: 0.02 },
    });
    expect(() => loadConfig({ MODEL_TEST_FRACTION: '1' })).toThrow(ConfigError);
    expect(() => loadConfig({ MODEL_PROMOTION_METRIC: 'accuracy' })).toThrow(/MODEL_PROMOTION_METRIC/);
    expect(() => loadConfig({ MODEL_PROMOTION_MARGIN: '-0.1' })).toThrow(/MODEL_PROMOTION_MARGIN/);
  });
});

describe('promotion gate for kinds served to experiment arms (not worse)', () => {
  const active = (difference: { mean: number; low: number; high: number }, metrics = m(0.3)) => ({
    version: 'e-old',
    metrics,
    difference,
  });

  it('promotes the first model of its kind once it evaluated, whatever the baselines', () => {
    const gate = decideNotWorse({ candidate: m(0.01), baselines, users: 80 });
    expect(gate).toMatchObject({ rule: 'not-worse', decision: 'promote', values: { candidate: 0.01 } });
    expect(gate.reason).toMatch(/over 80 users: the first model of its kind/);
    expect(gate.baseline).toBeUndefined();
  });

  it('replaces the active model unless the whole interval of the difference is below zero', () => {
    // Lower on average, but the interval reaches above zero: not shown to be worse.
    const noisy = decideNotWorse({
      candidate: m(0.28),
      active: active({ mean: -0.02, low: -0.05, high: 0.01 }),
      baselines,
    });
    expect(noisy).toMatchObject({ decision: 'promote', activeVersion: 'e-old', values: { active: 0.3 } });
    expect(noisy.reason).toMatch(
      /is not worse than active e-old 0\.3000 by -0\.0200 \[-0\.0500, \+0\.0100\]/,
    );
    expect(noisy.intervals?.active).toEqual({ mean: -0.02, low: -0.05, high: 0.01 });
    // An identical model (tomorrow's refit on the same data) replaces it: the interval is [0, 0].
    expect(
      decideNotWorse({ candidate: m(0.3), active: active({ mean: 0, low: 0, high: 0 }), baselines }).decision,
    ).toBe('promote');
    const worse = decideNotWorse({
      candidate: m(0.25),
      active: active({ mean: -0.05, low: -0.08, high: -0.02 }),
      baselines,
    });
    expect(worse).toMatchObject({ decision: 'reject', rule: 'not-worse' });
    expect(worse.reason).toMatch(/is worse than active e-old/);
  });

  it('tolerates a candidate worse by less than the margin', () => {
    const input = { candidate: m(0.28), active: active({ mean: -0.03, low: -0.05, high: -0.01 }), baselines };
    expect(decideNotWorse(input).decision).toBe('reject');
    expect(decideNotWorse(input, { ...DEFAULT_GATE, margin: 0.02 })).toMatchObject({
      decision: 'promote',
      margin: 0.02,
    });
  });

  it('without per-user values compares the point values; an active model it could not evaluate is no bar', () => {
    expect(
      decideNotWorse({ candidate: m(0.29), active: { version: 'e-old', metrics: m(0.3) }, baselines })
        .decision,
    ).toBe('reject');
    const unloadable = decideNotWorse({
      candidate: m(0.1),
      active: { version: 'e-old', error: 'artifact missing' },
      baselines,
    });
    expect(unloadable.decision).toBe('promote');
    expect(unloadable.reason).toMatch(/could not be evaluated \(artifact missing\)/);
  });

  it('rejects a failed candidate and one without the metric', () => {
    expect(decideNotWorse({ candidateError: 'boom', baselines })).toMatchObject({
      decision: 'reject',
      reason: 'candidate failed: boom',
    });
    expect(decideNotWorse({ candidate: { mrr: 1 }, baselines }).decision).toBe('reject');
  });
});
