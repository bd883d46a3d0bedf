import {
  closesAfterOpening,
  marketInput,
  marketPatch,
  type MarketInput,
  type MarketPatch,
} from '../domain/schemas.js';
import type { FieldIssue } from '../errors.js';
import { coll } from '../store/collections.js';
import type { Store } from '../store/types.js';
import { checkBatchSize, itemPath, parseEach, rejectIfInvalid } from './batch.js';
import { patchMarkets, writeMarkets, type UpsertResult } from './catalogue-writer.js';
import { titlesFromEvents } from './import/event-titles.js';
import { fromKalshi, isKalshiShaped } from './import/kalshi.js';
import { findOrphanMarkets } from './references.js';

/**
 * `PUT /v1/markets`: a batch of new markets (validated whole) and changes to stored ones (only the
 * fields sent; a status or a quote alone will do), in our shape or Kalshi's as `sibyl import` takes
 * it. All or nothing, like every batch: one bad item and nothing is written.
 */
export async function ingestMarketBatch(
  store: Store,
  items: unknown,
  options: { maxBatch: number; now?: Date },
): Promise<UpsertResult & { tickers: string[] }> {
  const batch = checkBatchSize(items, 'markets', options.maxBatch);
  const kalshi: { index: number; value: Record<string, unknown> }[] = [];
  const mapped = batch.map((item, index) => {
    if (!isKalshiShaped('markets', item)) return item;
    const { value } = fromKalshi('markets', item);
    kalshi.push({ index, value });
    return value;
  });
  const stored = await storedTimes(store, mapped);
  const isStored = (item: unknown) => stored.has(tickerOf(item) ?? '');

  const titleIssues = await titlesFromEvents(
    store,
    kalshi.filter((k) => !isStored(k.value)),
  );
  const parsed = parseEach<MarketInput | MarketPatch>(mapped, 'markets', (item) =>
    isStored(item) ? marketPatch : marketInput,
  );
  const explained = new Set(titleIssues.map((i) => i.path));
  const issues = [...titleIssues, ...parsed.issues.filter((i) => !explained.has(i.path))];

  const full: { index: number; value: MarketInput }[] = [];
  const patches: MarketPatch[] = [];
  for (const { index, value } of parsed.valid) {
    const times = stored.get(value.ticker);
    if (!times) {
      full.push({ index, value: value as MarketInput });
      continue;
    }
    patches.push(value);
    issues.push(...patchTimeIssues(index, value, times));
  }
  issues.push(...(await findOrphanMarkets(store, full)));
  rejectIfInvalid(issues, batch.length, 'markets');

  const written = await writeMarkets(
    store,
    full.map((f) => f.value),
    options.now,
  );
  const patched = await patchMarkets(store, patches, options.now);
  return {
    received: batch.length,
    inserted: written.inserted,
    updated: written.updated + patched.updated,
    // What was written, so replicas refresh just these markets.
    tickers: [...full.map((f) => f.value.ticker), ...patches.map((p) => p.ticker)],
  };
}

type Times = { openTime?: Date; closeTime?: Date };

function tickerOf(item: unknown): string | undefined {
  const ticker = (item as { ticker?: unknown } | null)?.ticker;
  return typeof ticker === 'string' ? ticker : undefined;
}

/** Stored markets among the batch's tickers, with the times a patch is checked against. */
async function storedTimes(store: Store, items: unknown[]): Promise<Map<string, Times>> {
  const tickers = [...new Set(items.map(tickerOf).filter((t): t is string => t !== undefined))];
  if (tickers.length === 0) return new Map();
  const docs = await coll(store, 'markets')
    .find({ ticker: { $in: tickers } }, { projection: { _id: 0, ticker: 1, openTime: 1, closeTime: 1 } })
    .toArray();
  return new Map(docs.map((d) => [d.ticker, { openTime: d.openTime, closeTime: d.closeTime }]));
}

/** A patch's times, merged with the stored ones, must still close after opening. */
function patchTimeIssues(index: number, patch: MarketPatch, stored: Times): FieldIssue[] {
  const message = closesAfterOpening({
    openTime: patch.openTime ?? stored.openTime,
    closeTime: patch.closeTime ?? stored.closeTime,
  });
  if (!message) return [];
  return patch.closeTime
    ? [{ index, path: itemPath('markets', index, ['closeTime']), message }]
    : [{ index, path: itemPath('markets', index, ['openTime']), message: 'must not be after closeTime' }];
}
