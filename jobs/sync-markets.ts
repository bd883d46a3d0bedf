import { marketInput } from '../src/domain/schemas.js';
import { parseBatch } from '../src/ingest/batch.js';
import { writeMarkets } from '../src/ingest/catalogue-writer.js';
import { fromKalshi, isKalshiShaped } from '../src/ingest/import/kalshi.js';
import type { Store } from '../src/store/types.js';

export interface MarketPullResult {
  pages: number;
  received: number;
  inserted: number;
  updated: number;
  /** Markets the source sent that failed validation: skipped, never half-stored. */
  rejected: number;
}

/**
 * Pulls the catalogue from a Kalshi-compatible `GET /markets` endpoint, page by page (`cursor`),
 * maps Kalshi's shape to ours and upserts what validates. A failed request fails the job, which
 * BullMQ retries with backoff; pages already written stay written (upserts are idempotent).
 */
export async function pullMarkets(
  store: Store,
  url: string,
  options: { now: Date; fetch?: typeof fetch; pageLimit?: number; maxPages?: number },
): Promise<MarketPullResult> {
  const get = options.fetch ?? fetch;
  const result: MarketPullResult = { pages: 0, received: 0, inserted: 0, updated: 0, rejected: 0 };
  let cursor: string | undefined;
  do {
    const page = new URL(url);
    page.searchParams.set('limit', String(options.pageLimit ?? 1000));
    if (cursor) page.searchParams.set('cursor', cursor);
    const res = await get(page, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`market sync: ${page.origin}${page.pathname} answered ${res.status}`);
    const body = (await res.json()) as { markets?: unknown[]; cursor?: string };
    const items = Array.isArray(body.markets) ? body.markets : [];
    const mapped = items.map((item) =>
      isKalshiShaped('markets', item) ? fromKalshi('markets', item).value : item,
    );
    const { valid, issues } = parseBatch(marketInput, mapped, 'markets');
    const written = await writeMarkets(
      store,
      valid.map((v) => v.value),
      options.now,
    );
    result.pages++;
    result.received += items.length;
    result.inserted += written.inserted;
    result.updated += written.updated;
    result.rejected += new Set(issues.map((i) => i.index)).size;
    cursor = body.cursor || undefined;
  } while (cursor && result.pages < (options.maxPages ?? 100));
  return result;
}
