import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_CONFIG } from '../../src/features/feature-config.js';
import { refreshFeatures, type FeatureState } from '../../src/features/refresh.js';
import { loadUserContext, DEFAULT_USER_CONTEXT, type UserContext } from '../../src/feed/user/user-context.js';
import type { Store } from '../../src/store/types.js';
import { backends, storePerTest } from '../helpers/backends.js';
import { TEST_END } from '../helpers/fixed-clock.js';

const DAY = 86_400_000;
/** Day 0 of every timeline here: the suite's fixed end. */
const T = TEST_END.getTime();
const at = (days: number) => new Date(T + days * DAY);
const config = { ...DEFAULT_FEATURE_CONFIG, settleMs: 0 };

const market = (ticker: string, category: string) => ({
  ticker,
  eventTicker: ticker,
  category,
  title: ticker,
  status: 'open',
  openTime: at(-10),
  closeTime: at(10),
});

describe.each(backends)('user context: $name', (backend) => {
  const storeOf = storePerTest(backend);
  let store: Store;
  let seq = 0;

  beforeEach(async () => {
    store = storeOf();
    await store
      .collection('markets')
      .insertMany([market('BTC', 'Crypto'), market('ETH', 'Crypto'), market('FED', 'Economics')]);
  });

  const trade = (ticker: string, day: number) => ({
    eventId: `e${seq++}`,
    userId: 'u1',
    ticker,
    type: 'trade',
    ts: at(day),
    receivedAt: at(day),
  });
  const shares = (c: UserContext) => Object.fromEntries(c.categoryAffinity);
  const load = (featuresSince?: Date) =>
    loadUserContext(store, 'u1', at(3), DEFAULT_USER_CONTEXT, featuresSince ? { featuresSince } : {});

  it('counts each interaction once while a refresh has rewritten features but not yet moved the watermark', async () => {
    await store.collection('interactions').insertMany([trade('BTC', 0), trade('ETH', 0)]);
    await refreshFeatures(store, { mode: 'full', now: at(0.5), config });
    const before = (await store.collection<FeatureState>('feature_state').findOne({ _id: 'features' }))!;
    await store.collection('interactions').insertMany([trade('FED', 1), trade('FED', 1.1)]);
    await refreshFeatures(store, { mode: 'incremental', now: at(2), config });
    const after = (await store.collection<FeatureState>('feature_state').findOne({ _id: 'features' }))!;
    const settled = await load(after.watermark!);
    // Economics is two trades of four: about half, not the two-thirds a double count would give.
    expect(settled.categoryAffinity.get('economics')).toBeGreaterThan(0.4);
    expect(settled.categoryAffinity.get('economics')).toBeLessThan(0.6);

    // As a feed reads mid-refresh: user_features already hold the FED trades, the recorded
    // watermark (and so the catalogue's) is still the previous run's.
    await store
      .collection<FeatureState>('feature_state')
      .updateOne({ _id: 'features' }, { $set: { watermark: before.watermark, asOf: before.asOf } });
    const midRefresh = await load(before.watermark!);
    expect(Object.keys(shares(midRefresh)).sort()).toEqual(['crypto', 'economics']);
    for (const [key, share] of settled.categoryAffinity)
      expect(midRefresh.categoryAffinity.get(key)).toBeCloseTo(share, 9);
    // Without any watermark (the catalogue not loaded yet) it reads the newest interactions: still once.
    for (const [key, share] of settled.categoryAffinity)
      expect((await load()).categoryAffinity.get(key)).toBeCloseTo(share, 9);
  });

  it('counts interactions received after the user’s features, and remembers what they were', async () => {
    await store.collection('interactions').insertMany([trade('BTC', 0)]);
    await refreshFeatures(store, { mode: 'full', now: at(0.5), config });
    const { watermark } = (await store
      .collection<FeatureState>('feature_state')
      .findOne({ _id: 'features' }))!;
    await store.collection('interactions').insertMany([trade('FED', 2)]);
    const context = await load(watermark!);
    expect(context.categoryAffinity.get('economics')).toBeGreaterThan(0.4);
    expect(context.history.map((h) => [h.ticker, h.type])).toEqual([
      ['FED', 'trade'],
      ['BTC', undefined],
    ]);
  });
});
