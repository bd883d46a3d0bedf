import type { ConditionInterface, FeatureDefinition, SavedGroupsPayload } from '@growthbook/growthbook';
import type { z } from 'zod';
import type { DefinitionIssue } from './issues.js';
import { DefinitionError } from './issues.js';
import { RANKER_FEATURE, rankerValueProblem } from './ranker-feature.js';
import { checkRule } from './rules.js';
import { featureRuleSchema, featureSchema, payloadSchema, type FeatureRuleInput } from './schema.js';

/** What the SDK is initialized with: GrowthBook's payload, restricted to what Sibyl serves. */
export interface DefinitionsPayload {
  features: Record<string, FeatureDefinition>;
  /** Only from a GrowthBook server: the groups `$inGroup` and `$savedGroup` conditions refer to. */
  savedGroups?: SavedGroupsPayload;
}

/** One experiment rule, as `sibyl experiments list` and the results pages show it. */
export interface ExperimentSummary {
  key: string;
  feature: string;
  /** Index of the experiment's rule in the feature's `rules`. */
  rule: number;
  variations: unknown[];
  weights: number[];
  /** Share of eligible users in the experiment; the SDK's default is 1. */
  coverage: number;
  condition?: ConditionInterface;
  namespace?: [string, number, number];
  /** The file, or the server, that defined it. */
  file: string;
}

export interface Definitions {
  payload: DefinitionsPayload;
  experiments: ExperimentSummary[];
}

/** Checks a payload (one definition file, or a GrowthBook server's response) and throws every issue. */
export function validatePayload(payload: unknown, source: string): Definitions {
  const checked = checkPayload(payload, source);
  const issues = [...checked.issues, ...duplicateExperimentKeys(checked.experiments)];
  if (issues.length) throw new DefinitionError(issues);
  return { payload: checked.payload, experiments: checked.experiments };
}

/** Like `validatePayload`, but returns the issues; the valid features are still summarized. */
export function checkPayload(payload: unknown, source: string): Definitions & { issues: DefinitionIssue[] } {
  const issues: DefinitionIssue[] = [];
  const parsed = payloadSchema.safeParse(payload);
  if (!parsed.success) {
    issues.push(...zodIssues(parsed.error, source, {}));
    return { payload: { features: {} }, experiments: [], issues };
  }
  const features: Record<string, FeatureDefinition> = {};
  const experiments: ExperimentSummary[] = [];
  for (const [feature, definition] of Object.entries(parsed.data.features)) {
    const at = { source, feature };
    const shape = featureSchema.safeParse(definition);
    if (!shape.success) {
      issues.push(...zodIssues(shape.error, source, { feature }));
      continue;
    }
    const valueProblem = feature === RANKER_FEATURE ? rankerValueProblem : () => null;
    const featureIssues: DefinitionIssue[] = [];
    const defaultProblem = valueProblem(shape.data.defaultValue);
    if (defaultProblem) featureIssues.push({ ...at, field: 'defaultValue', message: defaultProblem });
    const rules: FeatureRuleInput[] = [];
    (shape.data.rules ?? []).forEach((input, rule) => {
      const parsedRule = featureRuleSchema.safeParse(input);
      if (!parsedRule.success) {
        featureIssues.push(...zodIssues(parsedRule.error, source, { feature, rule }));
        return;
      }
      for (const { field, message } of checkRule(parsedRule.data, valueProblem))
        featureIssues.push({ ...at, rule, ...(field ? { field } : {}), message });
      rules.push(parsedRule.data);
    });
    issues.push(...featureIssues);
    if (featureIssues.length) continue;
    // Checked field by field above, against the SDK's own FeatureRule shape.
    features[feature] = shape.data as FeatureDefinition;
    experiments.push(...summarize(feature, rules, source));
  }
  // The SDK reads saved groups defensively: an entry it does not recognize matches nobody.
  const savedGroups = parsed.data.savedGroups as SavedGroupsPayload | undefined;
  return { payload: savedGroups ? { features, savedGroups } : { features }, experiments, issues };
}

/** An experiment key names one experiment everywhere: exposures and results are joined on it. */
export function duplicateExperimentKeys(experiments: ExperimentSummary[]): DefinitionIssue[] {
  const first = new Map<string, ExperimentSummary>();
  const issues: DefinitionIssue[] = [];
  for (const experiment of experiments) {
    const earlier = first.get(experiment.key);
    if (!earlier) {
      first.set(experiment.key, experiment);
      continue;
    }
    issues.push({
      source: experiment.file,
      feature: experiment.feature,
      rule: experiment.rule,
      field: 'key',
      message: `experiment key "${experiment.key}" is already used by feature "${earlier.feature}" in ${earlier.file}`,
    });
  }
  return issues;
}

function summarize(feature: string, rules: FeatureRuleInput[], file: string): ExperimentSummary[] {
  return rules.flatMap((rule, index) => {
    if (!rule.variations || !rule.key || !rule.weights) return [];
    const summary: ExperimentSummary = {
      key: rule.key,
      feature,
      rule: index,
      variations: rule.variations,
      weights: rule.weights,
      coverage: rule.coverage ?? 1,
      file,
    };
    if (rule.condition !== undefined) summary.condition = rule.condition as ConditionInterface;
    if (rule.namespace !== undefined) summary.namespace = rule.namespace as [string, number, number];
    return [summary];
  });
}

function zodIssues(
  error: z.ZodError,
  source: string,
  at: { feature?: string; rule?: number },
): DefinitionIssue[] {
  return error.issues.map((issue) => {
    const field = issue.path.map((p, i) =>
      typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`,
    );
    return { source, ...at, ...(field.length ? { field: field.join('') } : {}), message: issue.message };
  });
}
