import { checkCondition } from './condition.js';
import type { FeatureRuleInput } from './schema.js';

/** A problem in one rule: `field` is a path inside the rule, e.g. `weights` or `variations[1]`. */
export interface RuleProblem {
  field: string;
  message: string;
}

/** Weights are fractions of traffic; GrowthBook itself tolerates 1%, we hold editors to rounding error. */
const WEIGHT_SUM_TOLERANCE = 1e-6;

/**
 * Every problem with a rule the schema accepted. `valueProblem` judges the values the rule can
 * serve (a forced value or the variations), e.g. that they name a registered ranker.
 */
export function checkRule(
  rule: FeatureRuleInput,
  valueProblem: (value: unknown) => string | null,
): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const report = (field: string, message: string | null) => {
    if (message) problems.push({ field, message });
  };
  const forces = 'force' in rule;
  const experiment = rule.variations !== undefined;
  if (forces && experiment) report('force', 'a rule either forces a value or runs an experiment, not both');
  if (!forces && !experiment) report('', 'a rule needs either "force" or "variations"');
  if (forces) report('force', valueProblem(rule.force));
  if (rule.variations) {
    rule.variations.forEach((value, i) => report(`variations[${i}]`, valueProblem(value)));
    problems.push(...checkExperimentRule(rule, rule.variations.length));
  }
  report('coverage', unitIntervalProblem(rule.coverage));
  if (rule.hashVersion !== undefined && rule.hashVersion !== 2)
    report('hashVersion', `must be 2 (got ${rule.hashVersion})`);
  if (rule.range) report('range', rangeProblem(rule.range));
  rule.filters?.forEach((filter, i) => {
    if (filter.hashVersion !== 2)
      report(`filters[${i}].hashVersion`, `must be 2 (got ${filter.hashVersion})`);
    filter.ranges.forEach((range, j) => report(`filters[${i}].ranges[${j}]`, rangeProblem(range)));
  });
  if (rule.condition !== undefined)
    for (const issue of checkCondition(rule.condition, 'condition')) report(issue.path, issue.message);
  rule.parentConditions?.forEach((parent, i) => {
    for (const issue of checkCondition(parent.condition, `parentConditions[${i}].condition`))
      report(issue.path, issue.message);
  });
  return problems;
}

function checkExperimentRule(rule: FeatureRuleInput, count: number): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const report = (field: string, message: string | null) => {
    if (message) problems.push({ field, message });
  };
  if (!rule.key) report('key', 'an experiment needs a key: exposures and results are recorded under it');
  if (count < 2) report('variations', `an experiment needs at least 2 variations, got ${count}`);
  // Without an explicit version the SDK falls back to the biased version-1 hash.
  if (rule.hashVersion === undefined) report('hashVersion', 'must be 2 (missing)');
  report('weights', weightsProblem(rule.weights, count));
  report('namespace', namespaceProblem(rule.namespace));
  if (rule.meta) {
    if (rule.meta.length !== count) report('meta', `${rule.meta.length} entries for ${count} variations`);
    const keys = rule.meta.map((m) => m.key).filter((k) => k !== undefined);
    const repeated = keys.find((k, i) => keys.indexOf(k) !== i);
    if (repeated !== undefined) report('meta', `variation key "${repeated}" is used twice`);
  }
  if (rule.ranges) {
    if (rule.ranges.length !== count)
      report('ranges', `${rule.ranges.length} ranges for ${count} variations`);
    rule.ranges.forEach((range, i) => report(`ranges[${i}]`, rangeProblem(range)));
  }
  return problems;
}

function weightsProblem(weights: number[] | undefined, count: number): string | null {
  if (!weights) return `missing; give one weight per variation, e.g. [${Array(count).fill(1 / count)}]`;
  if (weights.length !== count) return `${weights.length} weights for ${count} variations`;
  const outside = weights.find((w) => w < 0 || w > 1);
  if (outside !== undefined) return `${outside} is outside [0, 1]`;
  const sum = weights.reduce((a, b) => a + b, 0);
  return Math.abs(sum - 1) > WEIGHT_SUM_TOLERANCE ? `they sum to ${sum}, not 1` : null;
}

function unitIntervalProblem(value: number | undefined): string | null {
  return value === undefined || (value >= 0 && value <= 1) ? null : `${value} is outside [0, 1]`;
}

function rangeProblem([start, end]: [number, number]): string | null {
  return start >= 0 && start <= end && end <= 1 ? null : `[${start}, ${end}] is not a range within [0, 1]`;
}

function namespaceProblem(namespace: unknown): string | null {
  if (namespace === undefined) return null;
  const expected = 'expected [id, start, end] with a non-empty id and 0 <= start < end <= 1';
  if (!Array.isArray(namespace) || namespace.length !== 3)
    return `${expected}, got ${JSON.stringify(namespace)}`;
  const [id, start, end] = namespace as unknown[];
  const valid =
    typeof id === 'string' &&
    id !== '' &&
    typeof start === 'number' &&
    typeof end === 'number' &&
    start >= 0 &&
    start < end &&
    end <= 1;
  return valid ? null : `${expected}, got ${JSON.stringify(namespace)}`;
}
