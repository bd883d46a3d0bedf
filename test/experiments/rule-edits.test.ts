import { describe, expect, it } from 'vitest';
import { validatePayload } from '../../src/experiments/definitions/validate.js';
import { withOverrides } from '../../src/experiments/coverage-overrides.js';
import type { RuleEdit } from '../../src/experiments/rule-edits.js';
import { TEST_NOW } from '../helpers/fixed-clock.js';

const rule = (key: string, variations: string[]) => ({
  key,
  variations,
  weights: variations.map(() => 1 / variations.length),
  hashVersion: 2,
});
const edit = (r: ReturnType<typeof rule>): RuleEdit => ({ key: r.key, rule: r, updatedAt: TEST_NOW });

describe('rules edited through the API over the definition files', () => {
  const files = validatePayload(
    {
      features: {
        'feed-ranker': {
          defaultValue: 'popularity',
          rules: [rule('a', ['popularity', 'trending']), rule('b', ['popularity', 'two-tower'])],
        },
      },
    },
    'feed-ranker.json',
  );

  it('replaces the file rule with the same key in place and runs new ones after the files', () => {
    const merged = withOverrides(files, [{ key: 'c', coverage: 0, updatedAt: TEST_NOW }], 'dir', [
      edit(rule('c', ['trending', 'two-tower'])),
      edit(rule('a', ['popularity', 'category-affinity'])),
    ]);
    expect(merged.experiments.map((e) => [e.key, e.variations, e.coverage])).toEqual([
      ['a', ['popularity', 'category-affinity'], 1],
      ['b', ['popularity', 'two-tower'], 1],
      // Coverage overrides apply to edited rules too (a start or stop after the edit).
      ['c', ['trending', 'two-tower'], 0],
    ]);
    expect(merged.payload.features['feed-ranker']?.defaultValue).toBe('popularity');
  });

  it('creates the ranker feature, serving the default ranker, when no file defines it', () => {
    const empty = validatePayload({ features: {} }, 'dir');
    const merged = withOverrides(empty, [], 'dir', [edit(rule('c', ['trending', 'two-tower']))]);
    expect(merged.experiments.map((e) => e.key)).toEqual(['c']);
    expect(merged.payload.features['feed-ranker']?.defaultValue).toBe('two-tower');
  });
});
