import type { FeatureDefinition } from '@growthbook/growthbook';
import { SibylError } from '../errors.js';
import type { Store } from '../store/types.js';
import { DEFAULT_RANKER } from '../feed/rankers/rankers.js';
import { RANKER_FEATURE } from './definitions/ranker-feature.js';
import { checkPayload, type Definitions } from './definitions/validate.js';

/**
 * A ranker experiment created or edited through the API (the dashboard's form): a GrowthBook
 * experiment rule of the `feed-ranker` feature, kept in the store so every API replica serves it.
 * It replaces the file rule with the same key, or is added after the file's rules.
 */
export interface RuleEdit {
  key: string;
  rule: Record<string, unknown>;
  updatedAt: Date;
}

export async function readRuleEdits(store: Store): Promise<RuleEdit[]> {
  return store
    .collection<RuleEdit>('experiment_rules')
    .find({}, { projection: { _id: 0 }, sort: { createdAt: 1, key: 1 } })
    .toArray();
}

export async function saveRuleEdit(store: Store, edit: RuleEdit): Promise<void> {
  await store.collection<RuleEdit>('experiment_rules').updateOne(
    { key: edit.key },
    // createdAt keeps a new experiment's place after the others when it is edited again.
    { $set: edit, $setOnInsert: { createdAt: edit.updatedAt } },
    { upsert: true },
  );
}

/** The features with each edited rule in place of the file rule with its key, or appended. */
export function applyRuleEdits(
  features: Record<string, FeatureDefinition>,
  edits: RuleEdit[],
): Record<string, FeatureDefinition> {
  if (edits.length === 0) return features;
  // Without a definition file the feature starts from the ranker everyone is served without one.
  const feature = features[RANKER_FEATURE] ?? { defaultValue: DEFAULT_RANKER };
  const rules = [...(feature.rules ?? [])] as Record<string, unknown>[];
  for (const edit of edits) {
    const at = rules.findIndex((rule) => rule.key === edit.key);
    if (at >= 0) rules[at] = edit.rule;
    else rules.push(edit.rule);
  }
  return { ...features, [RANKER_FEATURE]: { ...feature, rules } as FeatureDefinition };
}

/**
 * Checks an edited rule alone, by the schema and rules that check definition files, and throws a
 * 422 whose details name each bad field as `body.<field>` (e.g. `body.weights`, `body.variations[1]`).
 */
export function checkRuleEdit(
  definitions: Definitions,
  key: string,
  input: unknown,
): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new SibylError('validation_failed', 'The body must be an experiment rule object', [
      { path: 'body', message: 'expected an object' },
    ]);
  const rule = { ...(input as Record<string, unknown>) };
  if (rule.key !== undefined && rule.key !== key)
    throw new SibylError('validation_failed', `The rule's key must be "${key}", as in the path`, [
      { path: 'body.key', message: `must be "${key}" (the path's key)` },
    ]);
  rule.key = key;
  const defaultValue = definitions.payload.features[RANKER_FEATURE]?.defaultValue ?? DEFAULT_RANKER;
  const checked = checkPayload(
    { features: { [RANKER_FEATURE]: { defaultValue, rules: [rule] } } },
    'request body',
  );
  if (checked.issues.length) {
    const details = checked.issues.map((issue) => ({
      path: issue.field ? `body.${issue.field}` : 'body',
      message: issue.message,
    }));
    throw new SibylError(
      'validation_failed',
      `Invalid experiment: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  if (rule.variations === undefined)
    throw new SibylError('validation_failed', 'An experiment rule needs variations', [
      { path: 'body.variations', message: 'an experiment needs at least 2 variations' },
    ]);
  return rule;
}
