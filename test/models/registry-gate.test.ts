import { describe, expect, it } from 'vitest';
import { DEFAULT_PIPELINE_SETTINGS, pipelineSettingsFrom } from '../../jobs/model-pipeline/index.js';
import { DEFAULT_GATE, decidePromotion } from '../../models/registry/gate.js';
import { ConfigError, loadConfig } from '../../src/config/env.js';

const m = (ndcg: number) => ({ 'ndcg@10': ndcg, 'recall@10': ndcg * 2 });
const baselines = { popularity: m(0.1), trending: m(0.3) };

describe('promotion gate', () => {
  it('promotes a candidate beating the popularity baseline when no model is active', () => {
    const gate = decidePromotion({ candidate: m(0.2), baselines });
    expect(gate).toMatchObject({
      decision: 'promote',
      metric: 'ndcg@10',
      margin: 0,
      baseline: 'popularity',
      values: { candidate: 0.2, baseline: 0.1 },
    });
    expect(gate.reason).toMatch(/no active model/);
    expect(gate.activeVersion).toBeUndefined();
  });

  it('only the mustBeat baseline counts, not the others', () => {
    expect(decidePromotion({ candidate: m(0.2), baselines }).decision).toBe('promote');
    expect(
      decidePromotion({ candidate: m(0.2), baselines }, { ...DEFAULT_GATE, mustBeat: 'trending' }),
    ).toMatchObject({ decision: 'reject', baseline: 'trending' });
  });

  it('rejects a candidate that does not beat the baseline (a tie is not a win)', () => {
    const gate = decidePromotion({ candidate: m(0.1), baselines });
    expect(gate.decision).toBe('reject');
    expect(gate.reason).toMatch(/does not beat baseline popularity/);
  });

  it('rejects a failed candidate, keeping the error', () => {
    const gate = decidePromotion({ candidateError: 'out of memory', baselines });
    expect(gate).toMatchObject({ decision: 'reject', reason: 'candidate failed: out of memory' });
  });

  it('rejects a candidate without the metric, and when the baseline was not evaluated', () => {
    expect(decidePromotion({ candidate: { mrr: 1 }, baselines }).reason).toMatch(/no finite ndcg@10/);
    expect(decidePromotion({ candidate: m(Number.NaN), baselines }).decision).toBe('reject');
    expect(decidePromotion({ candidate: m(0.5), baselines: {} }).reason).toMatch(
      /baseline popularity has no ndcg@10/,
    );
  });

  it('promotes a candidate beating the active model and the baseline', () => {
    const gate = decidePromotion({
      candidate: m(0.25),
      active: { version: 'tt-old', metrics: m(0.2) },
      baselines,
    });
    expect(gate).toMatchObject({
      decision: 'promote',
      activeVersion: 'tt-old',
      values: { candidate: 0.25, active: 0.2, baseline: 0.1 },
    });
  });

  it('rejects a candidate no better than the active model', () => {
    const active = { version: 'tt-old', metrics: m(0.2) };
    expect(decidePromotion({ candidate: m(0.2), active, baselines })).toMatchObject({
      decision: 'reject',
      activeVersion: 'tt-old',
    });
    const worse = decidePromotion({ candidate: m(0.15), active, baselines });
    expect(worse.decision).toBe('reject');
    expect(worse.reason).toMatch(/does not beat active tt-old/);
  });

  it('applies the relative margin over the active model', () => {
    const active = { version: 'tt-old', metrics: m(0.2) };
    const config = { ...DEFAULT_GATE, margin: 0.1 };
    const short = decidePromotion({ candidate: m(0.215), active, baselines }, config);
    expect(short.decision).toBe('reject');
    expect(short.reason).toMatch(/by 10\.00% \(needs > 0\.2200\)/);
    expect(decidePromotion({ candidate: m(0.221), active, baselines }, config).decision).toBe('promote');
  });

  it('still requires the baseline when the candidate beats the active model', () => {
    const gate = decidePromotion({
      candidate: m(0.08),
      active: { version: 'tt-old', metrics: m(0.05) },
      baselines,
    });
    expect(gate.decision).toBe('reject');
    expect(gate.reason).toMatch(/baseline popularity/);
  });

  it('compares with the baseline only when the active model could not be evaluated, and says so', () => {
    const gate = decidePromotion({
      candidate: m(0.2),
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
      gate: { metric: 'recall@20', margin: 0.02, mustBeat: 'popularity' },
    });
    expect(() => loadConfig({ MODEL_TEST_FRACTION: '1' })).toThrow(ConfigError);
    expect(() => loadConfig({ MODEL_PROMOTION_METRIC: 'accuracy' })).toThrow(/MODEL_PROMOTION_METRIC/);
    expect(() => loadConfig({ MODEL_PROMOTION_MARGIN: '-0.1' })).toThrow(/MODEL_PROMOTION_MARGIN/);
  });
});
