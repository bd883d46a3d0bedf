import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_CONFIG } from '../../src/features/feature-config.js';
import { refreshFeatures } from '../../src/features/refresh.js';
import type { Document, Store } from '../../src/store/types.js';
import { backends, storePerTest } from '../helpers/backends.js';
import { TEST_END } from '../helpers/fixed-clock.js';

const DAY = 86_400_000;
const HALF_LIFE = DEFAULT_FEATURE_CONFIG.halfLifeMs;
/** Day 0 of every timeline here: the suite's fixed end. */
const T = TEST_END.getTime();
const at = (days: number) => new Date(T + days * DAY);
const SETTLE = DEFAULT_FEATURE_CONFIG.settleMs;

describe.each(backends)('feature pipelines: $name', (backend) => {
  const storeOf = storePerTest(backend);
  let store: Store;
  let seq = 0;

  beforeEach(async () => {
    store = storeOf();
    await store.collection('markets').insertMany([
      {
        ticker: 'BTC-1',
        eventTicker: 'BTC',
        seriesTicker: 'KXBTC',
        category: 'Crypto',
        status: 'open',
        openTime: at(-3),
        closeTime: at(5),
      },
      {
        ticker: 'BTC-2',
        eventTicker: 'BTC',
        seriesTicker: 'KXBTC',
        category: 'Crypto',
        status: 'open',
        openTime: at(-10),
        closeTime: at(5),
      },
      {
        ticker: 'FED-1',
        eventTicker: 'FED',
        seriesTicker: 'KXFED',
        category: 'Economics',
        status: 'open',
        openTime: at(-20),
        closeTime: at(9),
      },
    ]);
  });

  /** Interactions received (stored) at `received`, which the watermark logic reads. */
  async function add(received: Date, rows: [string, string, string, number][]) {
    await store.collection('interactions').insertMany(
      rows.map(([userId, ticker, type, day]) => ({
        eventId: `e${seq++}`,
        userId,
        ticker,
        type,
        ts: at(day),
        receivedAt: received,
      })),
    );
  }
  const refresh = (mode: 'full' | 'incremental', day: number) =>
    refreshFeatures(store, { mode, now: new Date(at(day).getTime() + SETTLE) });
  const pair = (userId: string, ticker: string) =>
    store.collection('user_market_features').findOne({ userId, ticker });
  /** A pair's strength decayed to a common time, so pairs last folded at different times compare. */
  const strengthAt = (doc: Document | null, day: number) =>
    doc!.strength * 0.5 ** ((at(day).getTime() - doc!.asOf.getTime()) / HALF_LIFE);

  const batch1: [string, string, string, number][] = [
    ['u1', 'BTC-1', 'view', -2],
    ['u1', 'BTC-1', 'trade', -1],
    ['u1', 'BTC-2', 'click', -1],
    ['u1', 'FED-1', 'dismiss', -1],
    ['u2', 'BTC-1', 'click', -0.5],
    ['u2', 'BTC-2', 'watch', -0.5],
    ['u2', 'FED-1', 'trade', -0.25],
    ['u3', 'BTC-1', 'impression', -0.1],
  ];
  const batch2: [string, string, string, number][] = [
    ['u1', 'BTC-1', 'click', 0.5],
    ['u3', 'FED-1', 'view', 0.5],
    ['u3', 'BTC-1', 'click', 0.6],
  ];

  it('computes user × market strength, counts and times by hand-checked values', async () => {
    await add(at(0), batch1);
    const result = await refresh('full', 0);
    expect(result).toMatchObject({ mode: 'full', interactions: 8, pairs: 7 });
    const p = await pair('u1', 'BTC-1');
    // view (1) two days ago, trade (5) one day ago, half-life 7 days.
    expect(p!.strength).toBeCloseTo(1 * 0.5 ** (2 / 7) + 5 * 0.5 ** (1 / 7), 10);
    expect(p!.counts).toMatchObject({ view: 1, trade: 1, click: 0, dismiss: 0 });
    expect(p!.firstTs).toEqual(at(-2));
    expect(p!.lastTs).toEqual(at(-1));
    expect((await pair('u1', 'FED-1'))!.strength).toBeCloseTo(-2 * 0.5 ** (1 / 7), 10);
    expect((await pair('u3', 'BTC-1'))!.strength).toBe(0);
  });

  it('computes user affinities, activity and recent markets', async () => {
    await add(at(0), batch1);
    await refresh('full', 0);
    const u1 = await store.collection('user_features').findOne({ userId: 'u1' });
    // Economics is net negative for u1 (a dismissal): all positive interest is Crypto.
    expect(u1!.categoryAffinity).toEqual([{ key: 'crypto', share: 1 }]);
    expect(u1!.seriesAffinity).toEqual([{ key: 'KXBTC', share: 1 }]);
    expect(u1!.recentMarkets).toEqual(['BTC-1', 'BTC-2', 'FED-1']);
    expect(u1!.lastActiveAt).toEqual(at(-1));
    const u2 = await store.collection('user_features').findOne({ userId: 'u2' });
    const crypto = 2 * 0.5 ** (0.5 / 7) + 3 * 0.5 ** (0.5 / 7);
    const econ = 5 * 0.5 ** (0.25 / 7);
    expect(u2!.categoryAffinity[0].key).toBe('economics');
    expect(u2!.categoryAffinity[0].share).toBeCloseTo(econ / (crypto + econ), 10);
    expect(u2!.activity).toBeCloseTo(crypto + econ, 10);
    expect(u2!.trades).toBe(1);
  });

  it('computes market activity over 24h and 7d with a trend against its own baseline', async () => {
    await add(at(0), batch1);
    await refresh('full', 0);
    const btc1 = await store.collection('market_features').findOne({ ticker: 'BTC-1' });
    // Users in 7d and 24h: u1, u2, u3 (u1's trade exactly a day ago is inside: the window is inclusive).
    expect(btc1).toMatchObject({ users7d: 3, users24h: 3, trades7d: 1, interactions7d: 4 });
    // Opened 3 days ago: the baseline is 3 days, not 7.
    expect(btc1!.trend).toBeCloseTo(Math.log((3 + 1) / (3 / 3 + 1)), 10);
    expect(btc1!.ageMs).toBe(3 * DAY);
    expect(btc1!.timeToCloseMs).toBe(5 * DAY);
    // Recency-weighted popularity: the positive pairs' strengths (u1's view and trade, u2's click;
    // u3's impression weighs nothing).
    expect(btc1!.recency).toBeCloseTo(1 * 0.5 ** (2 / 7) + 5 * 0.5 ** (1 / 7) + 2 * 0.5 ** (0.5 / 7), 10);
    // FED-1: u1's dismissal is not negative popularity; u2's trade counts.
    const fed = await store.collection('market_features').findOne({ ticker: 'FED-1' });
    expect(fed!.recency).toBeCloseTo(5 * 0.5 ** (0.25 / 7), 10);
  });

  it('finds item–item neighbours by cosine over co-interacting users', async () => {
    await add(at(0), batch1);
    await refresh('full', 0);
    const n = await store.collection('market_neighbours').findOne({ ticker: 'BTC-1' });
    // Positive users: BTC-1 {u1, u2}, BTC-2 {u1, u2}, FED-1 {u2}: only BTC-1/BTC-2 share 2 users.
    expect(n!.neighbours).toEqual([{ ticker: 'BTC-2', score: 1, coUsers: 2 }]);
    expect(await store.collection('market_neighbours').findOne({ ticker: 'FED-1' })).toBeNull();
  });

  it('gives the same features from incremental refreshes as from a full rebuild', async () => {
    await add(at(0), batch1);
    await refresh('full', 0);
    await add(at(1), batch2);
    const inc = await refresh('incremental', 1);
    expect(inc).toMatchObject({ mode: 'incremental', interactions: 3, users: 2 });
    const incremental = await snapshot();
    const full = await refresh('full', 1);
    expect(full.interactions).toBe(11);
    const rebuilt = await snapshot();
    expect(incremental.pairs).toHaveLength(rebuilt.pairs.length);
    incremental.pairs.forEach((p, i) => {
      const q = rebuilt.pairs[i]!;
      expect([p.userId, p.ticker, p.counts, p.firstTs, p.lastTs]).toEqual([
        q.userId,
        q.ticker,
        q.counts,
        q.firstTs,
        q.lastTs,
      ]);
      expect(strengthAt(p, 1)).toBeCloseTo(strengthAt(q, 1), 10);
    });
    expect(incremental.affinities).toEqual(rebuilt.affinities);
    expect(incremental.markets).toEqual(rebuilt.markets);
    expect(incremental.neighbours).toEqual(rebuilt.neighbours);
  });

  it('never counts a slice twice when a run is retried after dying part-way', async () => {
    await add(at(0), batch1);
    await refresh('full', 0);
    await add(at(1), batch2);
    const expected = (await refresh('incremental', 1), await pair('u1', 'BTC-1'));
    // Simulate a crash after the pair merge: the run is pending again and rerun.
    await store
      .collection<{ _id: string }>('feature_state')
      .updateOne(
        { _id: 'features' },
        { $set: { pending: { mode: 'incremental', from: at(0), to: at(1), asOf: at(1), startedAt: at(1) } } },
      );
    const retry = await refresh('incremental', 2);
    expect(retry.resumed).toBe(true);
    expect(await pair('u1', 'BTC-1')).toEqual(expected);
    // Nothing new arrived: the next run folds in nothing.
    expect((await refresh('incremental', 2)).interactions).toBe(0);
    expect(await pair('u1', 'BTC-1')).toEqual(expected);
  });

  it('never moves the watermark back when a run settles less than the next (the demo’s first run settles nothing)', async () => {
    await add(at(0), batch1);
    await refresh('full', 0);
    // Received a second ago, folded at once by a run that does not wait for stragglers.
    const justNow = new Date(at(1).getTime() - 1_000);
    await add(justNow, batch2);
    const eager = await refreshFeatures(store, {
      mode: 'incremental',
      now: at(1),
      config: { ...DEFAULT_FEATURE_CONFIG, settleMs: 0 },
    });
    expect(eager.interactions).toBe(3);
    const folded = await snapshot();
    // Runs asked for right after, with the default settle time, may not reach back behind it.
    const nightly = await refreshFeatures(store, { mode: 'full', now: at(1) });
    expect(nightly.to).toEqual(at(1));
    expect(nightly.interactions).toBe(11);
    const next = await refreshFeatures(store, {
      mode: 'incremental',
      now: new Date(at(1).getTime() + 2_000),
    });
    expect(next.interactions).toBe(0);
    const after = await snapshot();
    expect(after.affinities).toEqual(folded.affinities);
    expect(after.pairs).toHaveLength(folded.pairs.length);
    after.pairs.forEach((p, i) => expect(strengthAt(p, 2)).toBeCloseTo(strengthAt(folded.pairs[i]!, 2), 10));
  });

  async function snapshot() {
    const byKey = { sort: { userId: 1, ticker: 1 } as Record<string, 1> };
    const pairs = await store.collection('user_market_features').find({}, byKey).toArray();
    const users = await store
      .collection('user_features')
      .find({}, { sort: { userId: 1 } })
      .toArray();
    // Recency sums decayed strengths folded at different times: equal to rounding, not to the bit.
    const markets = (
      await store
        .collection('market_features')
        .find({}, { sort: { ticker: 1 }, projection: { _id: 0, asOf: 0 } })
        .toArray()
    ).map((m) => ({ ...m, recency: m.recency === undefined ? undefined : Number(m.recency.toFixed(9)) }));
    const neighbours = await store
      .collection('market_neighbours')
      .find({}, { sort: { ticker: 1 }, projection: { _id: 0, asOf: 0 } })
      .toArray();
    const round = (xs: { key: string; share: number }[]) =>
      xs.map((x) => ({ key: x.key, share: Number(x.share.toFixed(9)) }));
    const affinities = users.map((u) => ({
      userId: u.userId,
      c: round(u.categoryAffinity),
      s: round(u.seriesAffinity),
      recent: u.recentMarkets,
    }));
    return { pairs, affinities, markets, neighbours };
  }
});
