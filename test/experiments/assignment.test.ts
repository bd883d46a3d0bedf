import type { TrackingCallbackWithUser } from '@growthbook/growthbook';
import { describe, expect, it, vi } from 'vitest';
import { RankerAssigner } from '../../src/experiments/assignment/ranker-assigner.js';
import { loadDefinitions } from '../../src/experiments/definitions/load.js';
import { DefinitionError } from '../../src/experiments/definitions/issues.js';

/** 32-bit FNV-1a over UTF-16 code units, as GrowthBook's SDKs hash. */
function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** GrowthBook's documented hash version 2: a user's position in [0, 1) for a seed. */
function hashV2(seed: string, value: string): number {
  return (fnv1a32(String(fnv1a32(seed + value))) % 10000) / 10000;
}

/** The variation index GrowthBook's spec assigns, or null when the user is outside the coverage. */
function referenceVariation(n: number, weights: number[], coverage: number): number | null {
  let start = 0;
  for (const [i, weight] of weights.entries()) {
    if (n >= start && n < start + coverage * weight) return i;
    start += weight;
  }
  return null;
}

interface RuleOptions {
  weights?: number[];
  coverage?: number;
  seed?: string;
  condition?: Record<string, unknown>;
  meta?: { key: string; name?: string }[];
}

function payload(options: RuleOptions = {}, key = 'ranker-test') {
  return {
    features: {
      'feed-ranker': {
        defaultValue: 'popularity',
        rules: [
          {
            key,
            variations: ['popularity', 'trending'],
            weights: options.weights ?? [0.5, 0.5],
            coverage: options.coverage ?? 1,
            hashAttribute: 'id',
            hashVersion: 2,
            ...(options.seed ? { seed: options.seed } : {}),
            ...(options.condition ? { condition: options.condition } : {}),
            ...(options.meta ? { meta: options.meta } : {}),
          },
        ],
      },
    },
  };
}

const userIds = (count: number) => Array.from({ length: count }, (_, i) => `user-${i}`);

describe('RankerAssigner', () => {
  it('assigns the shipped experiment, naming variations by their meta keys', async () => {
    const { payload: shipped } = await loadDefinitions('experiments');
    const assigner = new RankerAssigner({ payload: shipped });
    for (const userId of userIds(200)) {
      const { ranker, experiment } = assigner.assign(userId, {});
      const variation = ranker === 'popularity' ? '0' : '1';
      expect(experiment).toEqual({ key: 'ranker-two-tower-vs-popularity', variation });
    }
  });

  it('is deterministic: the same user gets the same ranker, from any instance', () => {
    const first = new RankerAssigner({ payload: payload() });
    const second = new RankerAssigner({ payload: payload() });
    for (const userId of userIds(500))
      expect(second.assign(userId, { country: 'US' }).ranker).toBe(first.assign(userId, {}).ranker);
  });

  it.each([
    { weights: [0.5, 0.5], coverage: 1 },
    { weights: [0.2, 0.8], coverage: 0.5 },
    { weights: [0.7, 0.3], coverage: 0.9, seed: 'reseeded' },
  ])('agrees with the hash v2 reference for %o', (rule) => {
    const assigner = new RankerAssigner({ payload: payload(rule) });
    const seed = rule.seed ?? 'ranker-test';
    const variations = ['popularity', 'trending'];
    for (const userId of userIds(5000)) {
      const expected = referenceVariation(hashV2(seed, userId), rule.weights, rule.coverage);
      const { ranker, experiment } = assigner.assign(userId, {});
      expect({ userId, ranker, experiment }).toEqual({
        userId,
        ranker: expected === null ? 'popularity' : variations[expected],
        experiment: expected === null ? null : { key: 'ranker-test', variation: String(expected) },
      });
    }
  });

  it('respects weights and coverage over 100k users (within 5 binomial standard deviations)', () => {
    const users = 100_000;
    const assigner = new RankerAssigner({ payload: payload({ weights: [0.2, 0.8], coverage: 0.5 }) });
    const counts = { '0': 0, '1': 0, excluded: 0 };
    for (const userId of userIds(users)) {
      const { experiment } = assigner.assign(userId, {});
      counts[(experiment?.variation ?? 'excluded') as keyof typeof counts]++;
    }
    const expectations = { '0': 0.5 * 0.2, '1': 0.5 * 0.8, excluded: 0.5 };
    for (const [bucket, p] of Object.entries(expectations)) {
      const sigma = Math.sqrt(users * p * (1 - p));
      expect(Math.abs(counts[bucket as keyof typeof counts] - users * p), bucket).toBeLessThan(5 * sigma);
    }
  });

  it('includes only users whose attributes match the condition, and tracks only them', () => {
    const trackingCallback = vi.fn<TrackingCallbackWithUser>();
    const assigner = new RankerAssigner({
      payload: payload({ condition: { country: 'US' } }),
      trackingCallback,
    });
    for (const userId of userIds(300)) {
      const outside = assigner.assign(userId, { country: 'FR' });
      expect(outside).toEqual({ ranker: 'popularity', experiment: null });
    }
    expect(trackingCallback).not.toHaveBeenCalled();

    const inside = userIds(300).map((userId) => assigner.assign(userId, { country: 'US' }));
    expect(inside.every((a) => a.experiment?.key === 'ranker-test')).toBe(true);
    expect(new Set(inside.map((a) => a.ranker))).toEqual(new Set(['popularity', 'trending']));
    expect(trackingCallback).toHaveBeenCalledTimes(300);
    const [experiment, result, user] = trackingCallback.mock.calls[0]!;
    expect(experiment.key).toBe('ranker-test');
    expect(result.key).toBe(inside[0]!.experiment!.variation);
    expect(user.attributes).toEqual({ country: 'US', id: 'user-0' });
  });

  it('does not track users left out by coverage', () => {
    const trackingCallback = vi.fn<TrackingCallbackWithUser>();
    const assigner = new RankerAssigner({ payload: payload({ coverage: 0.3 }), trackingCallback });
    const assignments = userIds(2000).map((userId) => assigner.assign(userId, {}));
    const exposed = assignments.filter((a) => a.experiment);
    expect(exposed.length).toBeGreaterThan(400);
    expect(exposed.length).toBeLessThan(800);
    expect(trackingCallback).toHaveBeenCalledTimes(exposed.length);
    expect(assignments.filter((a) => !a.experiment).every((a) => a.ranker === 'popularity')).toBe(true);
  });

  it('uses the user id as the id attribute, whatever the attributes say', () => {
    const assigner = new RankerAssigner({ payload: payload() });
    for (const userId of userIds(200))
      expect(assigner.assign(userId, { id: 'someone-else' })).toEqual(assigner.assign(userId, {}));
  });

  it('swaps definitions without a restart, and keeps the current ones when the new ones are invalid', async () => {
    const assigner = new RankerAssigner({ payload: payload({}, 'first') });
    expect(assigner.assign('user-1', {}).experiment?.key).toBe('first');

    const invalid = payload({ weights: [0.5, 0.6] }, 'second');
    await expect(assigner.setPayload(invalid, 'server')).rejects.toThrow(DefinitionError);
    expect(assigner.assign('user-1', {}).experiment?.key).toBe('first');

    const rollout = {
      features: { 'feed-ranker': { defaultValue: 'popularity', rules: [{ force: 'trending' }] } },
    };
    await assigner.setPayload(rollout, 'server');
    expect(assigner.assign('user-1', {})).toEqual({ ranker: 'trending', experiment: null });
    expect(assigner.definitions()).toEqual(rollout);
  });

  it('refuses invalid initial definitions and serves the default ranker without a ranker feature', () => {
    expect(() => new RankerAssigner({ payload: payload({ coverage: 3 }) })).toThrow(
      'payload: feature "feed-ranker" rules[0].coverage: 3 is outside [0, 1]',
    );
    expect(new RankerAssigner({ payload: { features: {} } }).assign('user-1', {})).toEqual({
      ranker: 'two-tower',
      experiment: null,
    });
  });
});
