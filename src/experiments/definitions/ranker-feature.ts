import { rankerNames } from '../../feed/rankers/rankers.js';

/** The feature whose value names the ranker a user's feed is served by. */
export const RANKER_FEATURE = 'feed-ranker';

/** Why `value` cannot be a value of the ranker feature, or null when it names a registered ranker. */
export function rankerValueProblem(value: unknown): string | null {
  const names = rankerNames();
  if (typeof value === 'string' && names.includes(value)) return null;
  const shown = typeof value === 'string' ? `"${value}"` : (JSON.stringify(value) ?? 'nothing');
  return `unknown ranker ${shown}; rankers are ${names.join(', ')}`;
}
