import type { FeatureDefinition } from '@growthbook/growthbook';
import type { Store } from '../store/types.js';
import { validatePayload, type Definitions } from './definitions/validate.js';
import { applyRuleEdits, type RuleEdit } from './rule-edits.js';

/** A product manager's start or stop of a file-defined experiment, shared by every API replica. */
export interface CoverageOverride {
  key: string;
  coverage: number;
  updatedAt: Date;
}

export async function readOverrides(store: Store): Promise<CoverageOverride[]> {
  return store
    .collection<CoverageOverride>('experiment_overrides')
    .find({}, { projection: { _id: 0 } })
    .toArray();
}

export async function writeOverride(
  store: Store,
  key: string,
  coverage: number,
  now = new Date(),
): Promise<void> {
  await store
    .collection<CoverageOverride>('experiment_overrides')
    .updateOne({ key }, { $set: { key, coverage, updatedAt: now } }, { upsert: true });
}

/** Forgets an experiment's override: its rule's own coverage applies again (after an edit of the rule). */
export async function clearOverride(store: Store, key: string): Promise<void> {
  await store.collection<CoverageOverride>('experiment_overrides').deleteOne({ key });
}

/**
 * The file definitions with the rules edited through the API in place, then each overridden
 * experiment's coverage replaced (coverage 0 stops an experiment: nobody new is assigned, everyone
 * gets the feature's default ranker; results stay readable), validated like any payload.
 */
export function withOverrides(
  files: Definitions,
  overrides: CoverageOverride[],
  source: string,
  edits: RuleEdit[] = [],
): Definitions {
  if (overrides.length === 0 && edits.length === 0) return files;
  const coverage = new Map(overrides.map((o) => [o.key, o.coverage]));
  const features = Object.fromEntries(
    Object.entries(applyRuleEdits(files.payload.features, edits)).map(
      ([name, feature]): [string, FeatureDefinition] => [
        name,
        {
          ...feature,
          rules: feature.rules?.map((rule) =>
            'key' in rule && rule.key !== undefined && coverage.has(rule.key)
              ? { ...rule, coverage: coverage.get(rule.key)! }
              : rule,
          ),
        },
      ],
    ),
  );
  return validatePayload({ ...files.payload, features }, source);
}
