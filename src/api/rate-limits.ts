import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

/** Per-minute budgets; 0 turns a limit off. */
export interface RateLimitSettings {
  /** Write requests (anything but GET and HEAD) per API key per minute. */
  writesPerKey: number;
  /** Write requests per client address per minute. */
  writesPerAddress: number;
  /** Wrong API keys per client address per minute; beyond it every authenticated request from it is refused for the rest of the minute. */
  failedAuthPerAddress: number;
}

/** What a request was refused for, and when to come back. */
export interface RateLimited {
  limit: string;
  retryAfterSeconds: number;
}

const WINDOW_SECONDS = 60;

/** An API key as its counters know it: a digest, so keys are never written to Redis. */
const keyId = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 32);

/**
 * Rate limits of the API's authenticated routes. With Redis the counters live there (under
 * `<prefix>:rate:`), so replicas share them; while Redis is unreachable each replica counts on its
 * own (rate-limiter-flexible's insurance limiter, in memory), so a client gets at most the budget
 * per replica rather than none at all or an outage of the writes. Without Redis, in memory only.
 */
export class RateLimits {
  private readonly writesPerKey?: RateLimiterAbstract;
  private readonly writesPerAddress?: RateLimiterAbstract;
  private readonly failedAuth?: RateLimiterAbstract;

  constructor(settings: RateLimitSettings, redis?: { client: Redis; prefix: string }) {
    const limiter = (name: string, points: number): RateLimiterAbstract | undefined => {
      if (points <= 0) return undefined;
      const memory = new RateLimiterMemory({ points, duration: WINDOW_SECONDS, keyPrefix: name });
      if (!redis) return memory;
      return new RateLimiterRedis({
        storeClient: redis.client,
        points,
        duration: WINDOW_SECONDS,
        keyPrefix: `${redis.prefix}:rate:${name}`,
        // Fall back at once while Redis is down instead of waiting on the connection.
        rejectIfRedisNotReady: true,
        insuranceLimiter: memory,
      });
    };
    this.writesPerKey = limiter('writes-key', settings.writesPerKey);
    this.writesPerAddress = limiter('writes-address', settings.writesPerAddress);
    this.failedAuth = limiter('failed-auth', settings.failedAuthPerAddress);
  }

  /** Whether `address` has used up its wrong-key budget this minute. */
  async blockedForFailedAuth(address: string): Promise<RateLimited | undefined> {
    if (!this.failedAuth) return undefined;
    const state = await this.failedAuth.get(address);
    if (!state || state.remainingPoints > 0) return undefined;
    return { limit: 'failed_auth', retryAfterSeconds: seconds(state.msBeforeNext) };
  }

  /** Counts a wrong key from `address`; says so when that went over its budget. */
  async failedAuthFrom(address: string): Promise<RateLimited | undefined> {
    return consume(this.failedAuth, address, 'failed_auth');
  }

  /** Counts a write by `key` from `address` against both budgets. */
  async write(key: string, address: string): Promise<RateLimited | undefined> {
    return (
      (await consume(this.writesPerKey, keyId(key), 'writes_per_key')) ??
      (await consume(this.writesPerAddress, address, 'writes_per_address'))
    );
  }
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

async function consume(
  limiter: RateLimiterAbstract | undefined,
  key: string,
  limit: string,
): Promise<RateLimited | undefined> {
  if (!limiter) return undefined;
  try {
    await limiter.consume(key);
    return undefined;
  } catch (res) {
    // Over budget is a RateLimiterRes; anything else (both stores failing) lets the request through.
    if (res instanceof RateLimiterRes) return { limit, retryAfterSeconds: seconds(res.msBeforeNext) };
    return undefined;
  }
}
