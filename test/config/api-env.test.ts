import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';

describe('configuration of the API added by #23', () => {
  it('reads CORS origins as a list of exact origins, none by default', () => {
    expect(loadConfig({}).SIBYL_CORS_ORIGINS).toEqual([]);
    expect(
      loadConfig({ SIBYL_CORS_ORIGINS: 'https://app.example.com, http://localhost:3000' }).SIBYL_CORS_ORIGINS,
    ).toEqual(['https://app.example.com', 'http://localhost:3000']);
    expect(() => loadConfig({ SIBYL_CORS_ORIGINS: 'app.example.com' })).toThrow(/SIBYL_CORS_ORIGINS/);
    expect(() => loadConfig({ SIBYL_CORS_ORIGINS: 'https://app.example.com/feed' })).toThrow(
      /an origin: scheme:\/\/host\[:port\], no path/,
    );
  });

  it('bounds interaction timestamps to 30 days back and 5 minutes ahead unless told otherwise', () => {
    expect(loadConfig({})).toMatchObject({ INGEST_TS_MAX_AGE_DAYS: 30, INGEST_TS_MAX_AHEAD_SECONDS: 300 });
    expect(loadConfig({ INGEST_TS_MAX_AGE_DAYS: '400' }).INGEST_TS_MAX_AGE_DAYS).toBe(400);
    expect(() => loadConfig({ INGEST_TS_MAX_AGE_DAYS: '0' })).toThrow(/INGEST_TS_MAX_AGE_DAYS/);
  });
});
