import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../log/logger.js';

/**
 * One holder at a time across processes, by a Redis key with an expiry that the holder renews: if
 * it dies, another process takes over within `ttlMs`. `onAcquire` and `onLose` start and stop the
 * work only one process may do (the market stream's consumer).
 */
export class RedisLease {
  private readonly redis: Redis;
  private readonly id = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private held = false;

  constructor(
    redisUrl: string,
    private readonly key: string,
    private readonly handlers: { onAcquire: () => void; onLose: () => void | Promise<void> },
    private readonly options: { ttlMs?: number; logger?: Logger } = {},
  ) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
    this.redis.on('error', () => {}); // a failed renewal is handled as a lost lease
  }

  get holding(): boolean {
    return this.held;
  }

  start(): void {
    const ttl = this.options.ttlMs ?? 15_000;
    const tick = () => void this.renew(ttl);
    tick();
    this.timer = setInterval(tick, Math.max(500, Math.floor(ttl / 3)));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (this.held) {
      this.held = false;
      await this.handlers.onLose();
      // Released only if still ours, so a successor's lease is never deleted.
      await this.redis
        .eval(
          "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end",
          1,
          this.key,
          this.id,
        )
        .catch(() => undefined);
    }
    this.redis.disconnect();
  }

  private async renew(ttl: number): Promise<void> {
    let ours: boolean;
    try {
      if (this.redis.status === 'wait') await this.redis.connect();
      const got = await this.redis.set(this.key, this.id, 'PX', ttl, 'NX');
      ours =
        got === 'OK' ||
        (await this.redis.eval(
          "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0",
          1,
          this.key,
          this.id,
          String(ttl),
        )) === 1;
    } catch {
      ours = false;
    }
    if (ours && !this.held) {
      this.held = true;
      this.options.logger?.info({ key: this.key }, 'lease acquired');
      this.handlers.onAcquire();
    } else if (!ours && this.held) {
      this.held = false;
      this.options.logger?.warn({ key: this.key }, 'lease lost');
      await this.handlers.onLose();
    }
  }
}
