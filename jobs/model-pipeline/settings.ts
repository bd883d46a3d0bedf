import { CONFIG_DEFAULTS, type Config } from '../../src/config/env.js';
import { DEFAULT_KIND } from '../../models/kinds.js';
import { DEFAULT_GATE, type GateConfig } from '../../models/registry/gate.js';
import { servedKinds } from '../../src/feed/rankers/rankers.js';

export interface ModelPipelineSettings {
  /** Days of interactions a training run uses (MODEL_TRAIN_WINDOW_DAYS). */
  windowDays: number;
  /** Share of the window held out for evaluation (MODEL_TEST_FRACTION). */
  testFraction: number;
  /** The promotion rule (MODEL_PROMOTION_METRIC, MODEL_PROMOTION_MARGIN). */
  gate: GateConfig;
  /** Kind trained when a run names none; in the nightly chain, the kind whose failure fails the chain. */
  kind: string;
  /**
   * Kinds the nightly chain trains, evaluates and gates, `kind` first. @defaultValue `kind`, then
   * every other kind a served ranker uses (src/feed/rankers: two-tower, ease, bpr-mf)
   */
  kinds?: string[];
  /** Hyperparameters per kind when a run gives none (MODEL_EASE_MAX_ITEMS for `ease`). */
  hyperparameters: Record<string, Record<string, unknown>>;
  seed: number;
}

export const DEFAULT_PIPELINE_SETTINGS: ModelPipelineSettings = {
  windowDays: CONFIG_DEFAULTS.MODEL_TRAIN_WINDOW_DAYS,
  testFraction: CONFIG_DEFAULTS.MODEL_TEST_FRACTION,
  gate: DEFAULT_GATE,
  kind: DEFAULT_KIND,
  hyperparameters: { ease: { maxItems: CONFIG_DEFAULTS.MODEL_EASE_MAX_ITEMS } },
  seed: 42,
};

export function pipelineSettingsFrom(config: Config): ModelPipelineSettings {
  return {
    ...DEFAULT_PIPELINE_SETTINGS,
    windowDays: config.MODEL_TRAIN_WINDOW_DAYS,
    testFraction: config.MODEL_TEST_FRACTION,
    hyperparameters: { ease: { maxItems: config.MODEL_EASE_MAX_ITEMS } },
    gate: {
      ...DEFAULT_GATE,
      metric: config.MODEL_PROMOTION_METRIC,
      margin: config.MODEL_PROMOTION_MARGIN,
    },
  };
}

/** `ndcg@20` → 20; metrics without a cut-off evaluate at 10. */
export function cutoffOf(metric: string): number {
  const at = /@(\d+)$/.exec(metric);
  return at ? Number(at[1]) : 10;
}

/** The kinds the nightly chain trains, the primary (`kind`) first (see ModelPipelineSettings.kinds). */
export function nightlyKinds(settings: ModelPipelineSettings): string[] {
  const kinds = settings.kinds ?? [settings.kind, ...servedKinds()];
  return [...new Set([settings.kind, ...kinds].filter((k) => kinds.includes(k)))];
}
