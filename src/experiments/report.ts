import { SibylError } from '../errors.js';
import type { Store } from '../store/types.js';
import type { Definitions, ExperimentSummary } from './definitions/validate.js';
import { dailySeries, type DailyPoint } from './daily-series.js';
import { experimentResults, type ExperimentResults } from './results.js';

/** The variation ids exposures carry: each variation's `meta` key, else its index (as the SDK reports). */
export function variationKeys(definitions: Definitions, summary: ExperimentSummary): string[] {
  const rule = definitions.payload.features[summary.feature]?.rules?.[summary.rule];
  const meta = rule && 'meta' in rule ? rule.meta : undefined;
  return summary.variations.map((_, i) => meta?.[i]?.key ?? String(i));
}

export interface ExperimentView {
  key: string;
  feature: string;
  /** `stopped` when coverage is 0: nobody new enters, results stay readable. */
  status: 'running' | 'stopped';
  coverage: number;
  /** The rule's display name, if it has one. */
  name: string | null;
  /** The user attribute assignment hashes (GrowthBook's default is `id`). */
  hashAttribute: string;
  variations: { id: string; name: string | null; ranker: unknown; weight: number }[];
  condition: unknown;
  namespace: [string, number, number] | null;
  source: string;
  /** The GrowthBook rule itself, as an editor starts from it. */
  rule: unknown;
}

export function describeExperiment(definitions: Definitions, summary: ExperimentSummary): ExperimentView {
  const keys = variationKeys(definitions, summary);
  const rule = definitions.payload.features[summary.feature]?.rules?.[summary.rule];
  const meta = rule && 'meta' in rule ? rule.meta : undefined;
  return {
    key: summary.key,
    feature: summary.feature,
    name: (rule && 'name' in rule ? rule.name : undefined) ?? null,
    hashAttribute: (rule && 'hashAttribute' in rule ? rule.hashAttribute : undefined) ?? 'id',
    status: summary.coverage > 0 ? 'running' : 'stopped',
    coverage: summary.coverage,
    variations: summary.variations.map((value, i) => ({
      id: keys[i]!,
      name: meta?.[i]?.name ?? null,
      ranker: value,
      weight: summary.weights[i] ?? 0,
    })),
    condition: summary.condition ?? null,
    namespace: summary.namespace ?? null,
    source: summary.file,
    rule: rule ?? null,
  };
}

export function findExperiment(definitions: Definitions, key: string): ExperimentSummary {
  const summary = definitions.experiments.find((e) => e.key === key);
  if (!summary) throw new SibylError('not_found', `No experiment "${key}"`);
  return summary;
}

/** Results of a defined experiment: the first variation is control; weights drive the SRM check. */
export async function reportResults(
  store: Store,
  definitions: Definitions,
  key: string,
  now?: Date,
): Promise<{ experiment: ExperimentView; daily: DailyPoint[] } & ExperimentResults> {
  const summary = findExperiment(definitions, key);
  const keys = variationKeys(definitions, summary);
  const [results, daily] = await Promise.all([
    experimentResults(store, summary.key, {
      controlVariationId: keys[0],
      weights: Object.fromEntries(keys.map((k, i) => [k, summary.weights[i] ?? 0])),
      ...(now ? { now } : {}),
    }),
    dailySeries(store, summary.key, keys),
  ]);
  return { experiment: describeExperiment(definitions, summary), ...results, daily };
}
