import type { FieldIssue } from '../errors.js';
import type { MarketInput } from '../domain/schemas.js';
import { coll } from '../store/collections.js';
import type { Store } from '../store/types.js';
import { itemPath } from './batch.js';

/**
 * Issues for markets that could never be filed under a category: none of their own, none stored,
 * and an event the store does not know (send the event first, or the market's category). Stored, they would
 * sit in no category's feed and trending list without anyone noticing.
 */
export async function findOrphanMarkets(
  store: Store,
  items: { index: number; value: Pick<MarketInput, 'ticker' | 'eventTicker' | 'category'> }[],
  name = 'markets',
): Promise<FieldIssue[]> {
  let uncategorised = items.filter((i) => !i.value.category);
  if (uncategorised.length === 0) return [];
  // A stored market keeps the category it has (an update need not resend it).
  const stored = await coll(store, 'markets')
    .find(
      { ticker: { $in: uncategorised.map((i) => i.value.ticker) }, category: { $exists: true } },
      { projection: { _id: 0, ticker: 1 } },
    )
    .toArray();
  const categorised = new Set(stored.map((m) => m.ticker));
  uncategorised = uncategorised.filter((i) => !categorised.has(i.value.ticker));
  if (uncategorised.length === 0) return [];
  const tickers = [...new Set(uncategorised.map((i) => i.value.eventTicker))];
  const known = await coll(store, 'events')
    .find({ eventTicker: { $in: tickers } }, { projection: { _id: 0, eventTicker: 1 } })
    .toArray();
  const knownSet = new Set(known.map((e) => e.eventTicker));
  return uncategorised
    .filter((i) => !knownSet.has(i.value.eventTicker))
    .map((i) => ({
      index: i.index,
      path: itemPath(name, i.index, ['eventTicker']),
      message: `unknown event "${i.value.eventTicker}": send the event first, or the market's category`,
      reference: true as const,
    }));
}
