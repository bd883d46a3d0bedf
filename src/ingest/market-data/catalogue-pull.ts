import type { z } from 'zod';
import { eventInput, marketInput, seriesInput } from '../../domain/schemas.js';
import type { Store } from '../../store/types.js';
import { parseBatch } from '../batch.js';
import { writeEvents, writeMarkets, writeSeries } from '../catalogue-writer.js';
import { titlesFromEvents } from '../import/event-titles.js';
import { fromKalshi, isKalshiShaped } from '../import/kalshi.js';
import type { RecordType } from '../import/record-types.js';

/**
 * Pulls the catalogue from a Kalshi-compatible REST API (`MARKET_SYNC_URL`, its `/trade-api/v2`
 * base): every series, then the events with their markets nested, page by page by cursor, Kalshi's
 * shapes mapped to ours and upserted once they validate. It is the market stream's backstop (the
 * periodic sync job) and its resync after a disconnection or a gap. A URL ending in `/markets`
 * pulls that endpoint alone, as earlier versions did.
 *
 * A failed request fails the pull (the job retries with backoff); pages already written stay
 * written, since upserts are idempotent. Items that fail validation are skipped and counted.
 */

export interface PullCounts {
  received: number;
  inserted: number;
  updated: number;
  /** Items the source sent that failed validation: skipped, never half-stored. */
  rejected: number;
}

export interface CataloguePullResult {
  pages: number;
  series: PullCounts;
  events: PullCounts;
  markets: PullCounts;
}

export interface CataloguePullOptions {
  now: Date;
  fetch?: typeof fetch;
  /** Events (and markets) closing before this are left out: the recent past and the future. @defaultValue none */
  minCloseTime?: Date;
  /** Page size of events (Kalshi allows up to 200) or markets (up to 1000). */
  pageLimit?: number;
  maxPages?: number;
}

const counts = (): PullCounts => ({ received: 0, inserted: 0, updated: 0, rejected: 0 });

/** The REST API's base URL from MARKET_SYNC_URL (a trailing slash or `/markets` removed). */
export function restBase(url: string): { base: string; marketsOnly: boolean } {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith('/markets')
    ? { base: trimmed.slice(0, -'/markets'.length), marketsOnly: true }
    : { base: trimmed, marketsOnly: false };
}

export async function pullCatalogue(
  store: Store,
  url: string,
  options: CataloguePullOptions,
): Promise<CataloguePullResult> {
  const { base, marketsOnly } = restBase(url);
  const result: CataloguePullResult = { pages: 0, series: counts(), events: counts(), markets: counts() };
  const get = async (path: string, params: Record<string, string>) => {
    const target = new URL(`${base}${path}`);
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    const res = await (options.fetch ?? fetch)(target, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`market sync: ${target.origin}${target.pathname} answered ${res.status}`);
    result.pages++;
    return (await res.json()) as Record<string, unknown>;
  };
  const closing: Record<string, string> = options.minCloseTime
    ? { min_close_ts: String(Math.floor(options.minCloseTime.getTime() / 1000)) }
    : {};

  if (marketsOnly) {
    await paged(get, '/markets', { limit: String(options.pageLimit ?? 1000), ...closing }, options, (body) =>
      upsertKalshi(store, 'markets', body.markets, result.markets, options.now),
    );
    return result;
  }
  const series = await get('/series', {});
  await upsertKalshi(store, 'series', series.series, result.series, options.now);
  await paged(
    get,
    '/events',
    { limit: String(options.pageLimit ?? 200), with_nested_markets: 'true', ...closing },
    options,
    async (body) => {
      const events = Array.isArray(body.events) ? (body.events as Record<string, unknown>[]) : [];
      await upsertKalshi(store, 'events', events, result.events, options.now);
      const markets = events.flatMap((e) => (Array.isArray(e.markets) ? (e.markets as unknown[]) : []));
      await upsertKalshi(store, 'markets', markets, result.markets, options.now);
    },
  );
  return result;
}

async function paged(
  get: (path: string, params: Record<string, string>) => Promise<Record<string, unknown>>,
  path: string,
  params: Record<string, string>,
  options: CataloguePullOptions,
  onPage: (body: Record<string, unknown>) => Promise<void>,
): Promise<void> {
  let cursor: string | undefined;
  let pages = 0;
  do {
    const body = await get(path, cursor ? { ...params, cursor } : params);
    await onPage(body);
    cursor = typeof body.cursor === 'string' && body.cursor ? body.cursor : undefined;
  } while (cursor && ++pages < (options.maxPages ?? 1000));
}

const SCHEMAS = { series: seriesInput, events: eventInput, markets: marketInput } as const;
const WRITERS = { series: writeSeries, events: writeEvents, markets: writeMarkets } as const;

/** Maps Kalshi-shaped items of one record type, validates them, and upserts the valid ones. */
async function upsertKalshi(
  store: Store,
  type: 'series' | 'events' | 'markets',
  items: unknown,
  into: PullCounts,
  now: Date,
): Promise<void> {
  const list = Array.isArray(items) ? items : [];
  const mapped = list.map((item) =>
    isKalshiShaped(type as RecordType, item) ? fromKalshi(type as RecordType, item).value : item,
  );
  // Kalshi markets without a title of their own take their event's, stored just before them.
  const untitled =
    type === 'markets'
      ? await titlesFromEvents(
          store,
          mapped.flatMap((value, index) =>
            isKalshiShaped('markets', list[index])
              ? [{ index, value: value as Record<string, unknown> }]
              : [],
          ),
        )
      : [];
  const { valid, issues } = parseBatch(SCHEMAS[type] as z.ZodType, mapped, type);
  issues.push(...untitled);
  const write = WRITERS[type] as (
    s: Store,
    items: unknown[],
    now: Date,
  ) => Promise<{ inserted: number; updated: number }>;
  const written = await write(
    store,
    valid.map((v) => v.value),
    now,
  );
  into.received += list.length;
  into.inserted += written.inserted;
  into.updated += written.updated;
  into.rejected += new Set(issues.map((i) => i.index)).size;
}
