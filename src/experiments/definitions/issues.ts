import { SibylError } from '../../errors.js';

/** One problem in one definition: where it is (file, feature, rule, field) and what is wrong. */
export interface DefinitionIssue {
  /** The file, or the server a payload came from. */
  source: string;
  feature?: string;
  /** Index of the rule in the feature's `rules`. */
  rule?: number;
  /** Path inside the rule (or the feature, without `rule`), e.g. `weights` or `condition.country.$regex`. */
  field?: string;
  message: string;
}

/** Definitions that must not be served. Carries every issue found, not only the first. */
export class DefinitionError extends SibylError {
  override name = 'DefinitionError';
  constructor(readonly issues: DefinitionIssue[]) {
    super('validation_failed', summarize(issues), issues);
  }
}

/** `experiments/feed-ranker.json: feature "feed-ranker" rules[0].weights: they sum to 0.9, not 1` */
export function formatIssue(issue: DefinitionIssue): string {
  const where = [
    issue.feature === undefined ? '' : `feature "${issue.feature}"`,
    [issue.rule === undefined ? '' : `rules[${issue.rule}]`, issue.field ?? ''].filter(Boolean).join('.'),
  ]
    .filter(Boolean)
    .join(' ');
  return where ? `${issue.source}: ${where}: ${issue.message}` : `${issue.source}: ${issue.message}`;
}

function summarize(issues: DefinitionIssue[]): string {
  const [first] = issues;
  if (!first) return 'invalid experiment definitions';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `invalid experiment definitions: ${formatIssue(first)}${more}`;
}
