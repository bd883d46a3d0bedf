import { RedisStickyBucketService, type StickyBucketService } from '@growthbook/growthbook';
import type { Redis } from 'ioredis';

/**
 * GrowthBook's Redis sticky-bucket store on our ioredis client (give it a `keyPrefix`). The SDK
 * types the client loosely, so the two commands it uses are passed through explicitly.
 */
export function redisStickyBuckets(redis: Redis): StickyBucketService {
  return new RedisStickyBucketService({
    redis: {
      mget: (...keys: string[]) => redis.mget(...keys) as Promise<string[]>,
      set: (key: string, value: string) => redis.set(key, value),
    },
  });
}
