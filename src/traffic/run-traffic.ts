import { setTimeout as sleep } from 'node:timers/promises';
import { SibylApiError, SibylClient } from '../client/sibyl-client.js';
import type { Logger } from '../log/logger.js';
import { Rng } from '../util/rng.js';
import { Trader, traderWorld } from './traders.js';

export interface TrafficOptions {
  /** The API's base URL. */
  api: string;
  /** An API key of SIBYL_API_KEYS (interactions are a write). */
  apiKey?: string;
  seed: number;
  /** Users `user-1` … `user-N` of the simulator's population with this seed. */
  users: number;
  /** The simulated history those users have (`sibyl simulate --days`). @defaultValue 14 */
  days?: number;
  /** Feed requests per second, first pages and later ones together. */
  rate: number;
  /** Seconds to run for (sessions under way then are finished). */
  durationSeconds: number;
  /** Names this run's interactions (`tr-<run>-<session>-<n>`), so two runs of one seed do not collide. */
  run?: string;
  /** Sessions in flight at most. @defaultValue 32 */
  concurrency?: number;
  logger?: Logger;
  now?: () => Date;
  /** Called every 10 s with the counts so far. */
  onProgress?: (stats: TrafficStats) => void;
  client?: SibylClient;
}

export interface TrafficStats {
  sessions: number;
  feedRequests: number;
  impressions: number;
  clicks: number;
  watches: number;
  trades: number;
  dismissals: number;
  interactionsPosted: number;
  /** Requests answered other than 2xx (or not at all), by status (0: no answer). */
  errors: Record<string, number>;
  seconds: number;
}

/**
 * Simulated traders using the real API: sessions arrive as fast as the rate allows, each a user
 * chosen by activity (heavy users come back more often) who fetches their feed, reads on through
 * later pages as deep as their session goes, and posts what they saw and did in one batch.
 * Choices are deterministic for a seed and run name given the same responses; only timing is not.
 */
export async function runTraffic(options: TrafficOptions): Promise<TrafficStats> {
  const now = options.now ?? (() => new Date());
  const world = traderWorld(options.seed, options.users, options.days ?? 14, now().getTime());
  const client = options.client ?? new SibylClient({ baseUrl: options.api, apiKey: options.apiKey });
  const run = options.run ?? now().getTime().toString(36);
  const stats: TrafficStats = {
    sessions: 0,
    feedRequests: 0,
    impressions: 0,
    clicks: 0,
    watches: 0,
    trades: 0,
    dismissals: 0,
    interactionsPosted: 0,
    errors: {},
    seconds: 0,
  };
  const started = performance.now();
  const deadline = started + options.durationSeconds * 1000;
  const interval = 1000 / options.rate;
  // One feed request per interval: each request waits for its slot.
  let nextSlot = started;
  const slot = async (): Promise<boolean> => {
    const at = Math.max(nextSlot, performance.now());
    if (at >= deadline) return false;
    nextSlot = at + interval;
    await sleep(at - performance.now());
    return true;
  };
  const failed = (err: unknown) => {
    const status = err instanceof SibylApiError ? String(err.status) : '0';
    stats.errors[status] = (stats.errors[status] ?? 0) + 1;
    if (status === '0' || status.startsWith('5')) options.logger?.debug({ err }, 'traffic: request failed');
  };

  const session = async (k: number): Promise<void> => {
    const rng = Rng.of(options.seed, 'traffic', run, k);
    const user = rng.weightedCumulative(world.cumulativeActivity);
    const trader = new Trader(world, user, rng, `tr-${run}-${k}`, now);
    const depth = trader.sessionDepth();
    const posted = [];
    let offset = 0;
    let cursor: string | undefined;
    do {
      if (!(await slot())) break;
      stats.feedRequests++;
      let page;
      try {
        page = await client.getFeed(trader.userId, { limit: 10, ...(cursor ? { cursor } : {}) });
      } catch (err) {
        failed(err);
        break;
      }
      const { interactions, examined } = trader.look(page, offset, depth);
      posted.push(...interactions);
      offset += examined;
      cursor = page.nextCursor ?? undefined;
      if (examined < page.items.length) break;
    } while (cursor && offset < depth);
    if (posted.length === 0) return;
    try {
      await client.postInteractions(posted);
      stats.interactionsPosted += posted.length;
      for (const i of posted) {
        if (i.type === 'impression') stats.impressions++;
        else if (i.type === 'click') stats.clicks++;
        else if (i.type === 'watch') stats.watches++;
        else if (i.type === 'trade') stats.trades++;
        else if (i.type === 'dismiss') stats.dismissals++;
      }
    } catch (err) {
      failed(err);
    }
  };

  const progress = setInterval(() => {
    stats.seconds = (performance.now() - started) / 1000;
    options.onProgress?.(stats);
  }, 10_000);
  progress.unref();
  const inFlight = new Set<Promise<void>>();
  let k = 0;
  try {
    while (performance.now() < deadline) {
      if (inFlight.size >= (options.concurrency ?? 32)) {
        await Promise.race(inFlight);
        continue;
      }
      stats.sessions++;
      const p = session(k++).finally(() => inFlight.delete(p));
      inFlight.add(p);
      // Sessions start no faster than their first request can be served.
      await sleep(Math.max(0, nextSlot - performance.now()));
    }
    await Promise.all(inFlight);
  } finally {
    clearInterval(progress);
  }
  stats.seconds = (performance.now() - started) / 1000;
  return stats;
}
