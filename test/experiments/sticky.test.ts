import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RankerAssigner } from '../../src/experiments/assignment/ranker-assigner.js';
import { redisStickyBuckets } from '../../src/experiments/sticky-buckets.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';

const payload = (weights: [number, number]) => ({
  features: {
    'feed-ranker': {
      defaultValue: 'popularity',
      rules: [
        {
          key: 'sticky-test',
          variations: ['popularity', 'trending'],
          weights,
          coverage: 1,
          hashAttribute: 'id',
          hashVersion: 2,
          meta: [{ key: '0' }, { key: '1' }],
        },
      ],
    },
  },
});

describe('sticky bucketing (real Redis)', () => {
  let prefix: string | undefined;
  let redis: Redis | undefined;
  afterEach(async () => {
    redis?.disconnect();
    if (prefix) await dropPrefix(prefix);
  });

  it('keeps users in the variation they first got when the weights change', async () => {
    prefix = testPrefix();
    redis = new Redis(REDIS_URL, { keyPrefix: `${prefix}:` });
    const assigner = new RankerAssigner({
      payload: payload([0.5, 0.5]),
      stickyBuckets: redisStickyBuckets(redis),
    });
    const users = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    const first = new Map<string, string>();
    for (const u of users) first.set(u, (await assigner.assignSticky(u, {})).experiment!.variation);
    expect(new Set(first.values())).toEqual(new Set(['0', '1']));

    // Everyone to treatment from now on: new users get it, earlier users keep theirs.
    await assigner.setPayload(payload([0, 1]));
    for (const u of users)
      expect((await assigner.assignSticky(u, {})).experiment!.variation).toBe(first.get(u));
    expect((await assigner.assignSticky('newcomer', {})).experiment!.variation).toBe('1');
    // Without sticky buckets the same weights move everyone.
    expect(users.every((u) => assigner.assign(u, {}).experiment!.variation === '1')).toBe(true);
  });
});
