import type { Store } from '../../src/store/types.js';
import { TEST_END } from '../helpers/fixed-clock.js';

/** Hour 0 of the fixture: the suite's fixed end. */
const T = TEST_END.getTime();
const at = (hours: number) => new Date(T + hours * 3_600_000);

/** A small catalogue and a few hundred interactions, enough for every feature collection to fill. */
export async function seedInteractions(store: Store, received = at(0)): Promise<void> {
  const markets = Array.from({ length: 12 }, (_, i) => ({
    ticker: `M-${i}`,
    eventTicker: `E-${i % 4}`,
    seriesTicker: `S-${i % 3}`,
    category: ['Crypto', 'Economics', 'Sports'][i % 3],
    status: 'open',
    openTime: at(-72),
    closeTime: at(72),
  }));
  await store.collection('markets').insertMany(markets);
  const types = ['view', 'click', 'watch', 'trade', 'impression', 'dismiss'];
  const rows = [];
  for (let u = 0; u < 40; u++) {
    for (let k = 0; k < 8; k++) {
      const m = (u * 7 + k * (1 + (u % 3))) % 12;
      rows.push({
        eventId: `seed-${u}-${k}`,
        userId: `u${u}`,
        ticker: `M-${m}`,
        type: types[(u + k) % types.length],
        ts: at(-k * 5 - (u % 7)),
        receivedAt: received,
      });
    }
  }
  await store.collection('interactions').insertMany(rows);
}

export const FIXTURE_NOW = new Date(T + 60_000);
