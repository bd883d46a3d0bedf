import type { Store } from '../src/store/types.js';

export interface MarketSyncResult {
  opened: number;
  closed: number;
}

/**
 * Catalogue maintenance that must not wait for the exchange to tell us: markets whose open time
 * has come become `open`, and open markets past their close time become `closed`, so they leave
 * every feed even if the next catalogue update is late.
 */
export async function syncMarketStatuses(store: Store, now: Date): Promise<MarketSyncResult> {
  const markets = store.collection('markets');
  const closed = await markets.updateMany(
    { status: { $in: ['open', 'paused'] }, closeTime: { $lte: now } },
    { $set: { status: 'closed', updatedAt: now } },
  );
  const opened = await markets.updateMany(
    { status: 'unopened', openTime: { $lte: now }, closeTime: { $gt: now } },
    { $set: { status: 'open', updatedAt: now } },
  );
  return { opened: opened.modifiedCount, closed: closed.modifiedCount };
}
