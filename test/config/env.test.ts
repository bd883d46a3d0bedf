import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/env.js';

describe('configuration', () => {
  it('has working defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 8080, MONGODB_DB: 'sibyl', SIBYL_API_KEYS: [], LOG_LEVEL: 'info' });
    expect(config.MONGODB_URI).toBeUndefined();
  });

  it('parses numbers and comma-separated keys, and treats empty values as unset', () => {
    const config = loadConfig({
      PORT: '9000',
      SIBYL_API_KEYS: ' a, b ,,c',
      REDIS_URL: '',
      FEED_MAX_PER_EVENT: '3',
    });
    expect(config.PORT).toBe(9000);
    expect(config.SIBYL_API_KEYS).toEqual(['a', 'b', 'c']);
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.FEED_MAX_PER_EVENT).toBe(3);
  });

  it('fails fast naming every bad variable, and the value of those that are not secrets', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        MONGODB_URI: 'postgres://x',
        LOG_LEVEL: 'loud',
        FEED_REQUIRE_USER_TOKEN: 'maybe',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/PORT="eighty"/);
    expect(message).toMatch(/MONGODB_URI \(value not shown\): must start with mongodb/);
    expect(message).toMatch(/LOG_LEVEL="loud"/);
    // A flag that names a token holds none: its value helps, and is shown.
    expect(message).toMatch(/FEED_REQUIRE_USER_TOKEN="maybe"/);
  });

  it('never echoes the value of a connection string or a secret', () => {
    const secret = 'S3cretPass';
    const bad = {
      MONGODB_URI: `mongo://admin:${secret}@db.internal:27017`,
      REDIS_URL: `http://:${secret}@redis.internal:6379`,
      GROWTHBOOK_API_HOST: `not a url ${secret}`,
      MARKET_SYNC_URL: `nope ${secret}`,
      MARKET_STREAM_URL: `http://user:${secret}@feed`,
    };
    let message = '';
    try {
      loadConfig(bad);
    } catch (err) {
      message = (err as Error).message;
    }
    for (const name of Object.keys(bad)) expect(message).toContain(name);
    expect(message).not.toContain(secret);
    expect(message).not.toContain('admin');
  });

  it('turns on sticky bucketing only with Redis to keep the buckets in', () => {
    expect(() => loadConfig({ SIBYL_STICKY_BUCKETING: 'true' })).toThrow(
      /SIBYL_STICKY_BUCKETING: needs REDIS_URL/,
    );
    expect(
      loadConfig({ SIBYL_STICKY_BUCKETING: 'true', REDIS_URL: 'redis://127.0.0.1:6379' })
        .SIBYL_STICKY_BUCKETING,
    ).toBe(true);
    expect(loadConfig({}).SIBYL_STICKY_BUCKETING).toBe(false);
  });

  it('requires a client key with a GrowthBook host', () => {
    expect(() => loadConfig({ GROWTHBOOK_API_HOST: 'http://growthbook:3100' })).toThrow(
      /GROWTHBOOK_CLIENT_KEY/,
    );
  });
});
