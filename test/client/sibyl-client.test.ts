import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_TYPES, renderClientTypes } from '../../scripts/client-types.js';
import { createSibylClient, SibylApiError } from '../../src/client/index.js';
import { issueUserToken } from '../../src/util/user-token.js';
import { API_KEY, listenTestApi } from '../helpers/api.js';
import { DAY_MS, TEST_END, TEST_NOW } from '../helpers/fixed-clock.js';
import { cryptoAndSportsMarkets } from '../helpers/markets.js';

const SECRET = 'a-user-token-secret-of-at-least-32-chars';
const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const api of opened.splice(0)) await api.close();
});

async function served() {
  const api = await listenTestApi({ config: { SIBYL_USER_TOKEN_SECRET: SECRET } });
  opened.push(api);
  const server = createSibylClient({ baseUrl: api.url, apiKey: API_KEY });
  const markets = cryptoAndSportsMarkets(12, {
    volume24h: (i) => 100 - i,
    openTime: new Date(TEST_NOW.getTime() - DAY_MS).toISOString(),
  });
  const { data } = await server.api.PUT('/v1/markets', { body: { markets } });
  expect(data).toMatchObject({ received: 12, inserted: 12 });
  return { api, server };
}

describe('src/client/generated/sibyl-api.ts', () => {
  it('is what `npm run client:types` generates from the OpenAPI document now (run it after changing a route)', async () => {
    expect(readFileSync(CLIENT_TYPES, 'utf8')).toBe(await renderClientTypes());
  });
});

describe('sibyl/client', () => {
  it('is the package export of src/client/index.ts (built to dist/)', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      exports: Record<string, { types: string; default: string }>;
    };
    expect(pkg.exports['./client']).toEqual({
      types: './dist/src/client/index.d.ts',
      default: './dist/src/client/index.js',
    });
  });

  it('reads a feed as the user (token) and writes as a server (API key), typed by the contract', async () => {
    const { api, server } = await served();
    const user = createSibylClient({
      baseUrl: api.url,
      userToken: issueUserToken(SECRET, 'user-1', new Date(TEST_END.getTime() + DAY_MS)),
    });
    const feed = await user.getFeed('user-1', { limit: 5, categories: ['crypto'] });
    expect(feed.items).toHaveLength(5);
    expect(feed.items.every((i) => i.category === 'Crypto')).toBe(true);
    const next = await user.getFeed('user-1', { limit: 5, cursor: feed.nextCursor!, categories: ['crypto'] });
    expect(next.items.map((i) => i.ticker)).not.toContain(feed.items[0]!.ticker);

    const posted = await server.postInteractions([
      {
        eventId: 'e-1',
        userId: 'user-1',
        ticker: feed.items[0]!.ticker,
        type: 'click',
        ts: TEST_NOW.toISOString(),
        feedId: feed.feedId,
        position: 0,
      },
    ]);
    expect(posted).toEqual({ received: 1, inserted: 1, duplicates: 0 });

    // Any route, typed: trending with a limit, a market, categories.
    const trending = await server.api.GET('/v1/trending', { params: { query: { limit: 3 } } });
    expect(trending.data?.items).toHaveLength(3);
    const market = await server.api.GET('/v1/markets/{ticker}', { params: { path: { ticker: 'M-1' } } });
    expect(market.data).toMatchObject({ ticker: 'M-1', category: 'Crypto' });
  });

  it('refuses at compile time what the contract does not have (checked by tsc in npm run lint)', () => {
    // Never called: these lines exist for the type checker, which fails if they compile.
    const typos = (client: ReturnType<typeof createSibylClient>) => [
      // @ts-expect-error: no such route
      client.api.GET('/v1/user/{userId}/feed', { params: { path: { userId: 'u' } } }),
      // @ts-expect-error: trending has no `cursor` parameter
      client.api.GET('/v1/trending', { params: { query: { cursor: 'x' } } }),
      // @ts-expect-error: an interaction's type is one of the known ones
      client.postInteractions([{ eventId: 'e', userId: 'u', ticker: 't', type: 'like', ts: '' }]),
    ];
    expect(typos).toBeTypeOf('function');
  });

  it('throws SibylApiError with the API’s code, details and status', async () => {
    const { api } = await served();
    const anonymous = createSibylClient({ baseUrl: api.url });
    const refused = await anonymous.getFeed('user-1').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(SibylApiError);
    expect(refused).toMatchObject({ status: 401, code: 'unauthorized' });

    const server = createSibylClient({ baseUrl: api.url, apiKey: API_KEY });
    const invalid = await server
      .postInteractions([{ eventId: 'e', userId: 'u', ticker: 'M-1', type: 'click', ts: 'yesterday' }])
      .catch((err: unknown) => err);
    expect(invalid).toMatchObject({ status: 422, code: 'validation_failed' });
    expect((invalid as SibylApiError).details).toEqual([
      expect.objectContaining({ path: 'interactions[0].ts', index: 0 }),
    ]);
  });
});
