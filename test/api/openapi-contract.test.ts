import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/experiments/definitions/load.js';
import { STATUS_BY_CODE } from '../../src/api/errors.js';
import { auth, makeTestApi } from '../helpers/api.js';
import { DAY_MS, TEST_NOW } from '../helpers/fixed-clock.js';
import { cryptoAndSportsMarkets } from '../helpers/markets.js';

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: string;
  slash?: boolean;
}

/** Every `METHOD /path` the Express app routes, found by walking its routers (mounted ones included). */
function appRoutes(app: { router: { stack: Layer[] } }): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = [layer.route.path].flat();
        for (const method of Object.keys(layer.route.methods))
          for (const path of paths) out.push(`${method.toUpperCase()} ${prefix}${path}`);
      } else if (layer.handle?.stack) {
        walk(
          layer.handle.stack,
          prefix + (layer.slash || typeof layer.rawPath !== 'string' ? '' : layer.rawPath),
        );
      }
    }
  };
  walk(app.router.stack, '');
  // `/users/:userId/feed` is written `/users/{userId}/feed` in OpenAPI.
  return [...new Set(out.map((r) => r.replace(/:(\w+)/g, '{$1}')))].sort();
}

/** The dashboard's HTML page and assets are a web app, not API operations. */
const NOT_API = new Set(['GET /dashboard', 'GET /dashboard/']);

type Operation = {
  parameters?: { name: string; in: string; required?: boolean; schema: Record<string, unknown> }[];
  responses: Record<string, unknown>;
  security?: unknown[];
};
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
};

async function setUp() {
  const definitions = await loadDefinitions('experiments');
  const t = await makeTestApi({ experiments: { definitions: () => definitions } });
  const doc = (await request(t.app).get('/openapi.json').expect(200)).body as Document;
  return { t, doc };
}

const documented = (doc: Document) =>
  Object.entries(doc.paths)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();

describe('/openapi.json', () => {
  it('documents every route the app serves, and nothing it does not', async () => {
    const { t, doc } = await setUp();
    const routes = appRoutes(t.app as unknown as { router: { stack: Layer[] } }).filter(
      (r) => !NOT_API.has(r),
    );
    // The walk finds the routes (a broken walk would pass vacuously).
    expect(routes).toContain('GET /v1/users/{userId}/feed');
    expect(routes).toContain('PUT /v1/experiments/{key}/coverage');
    expect(routes.length).toBeGreaterThan(30);
    expect(routes.filter((r) => !documented(doc).includes(r))).toEqual([]);
    expect(documented(doc).filter((r) => !routes.includes(r))).toEqual([]);
  });

  it('takes parameters from the zod schemas the routes validate with', async () => {
    const { doc } = await setUp();
    const params = (path: string, method = 'get') =>
      Object.fromEntries((doc.paths[path]![method]!.parameters ?? []).map((p) => [`${p.in}.${p.name}`, p]));
    // Trending takes a limit like the feed does, with the same bounds the route enforces.
    expect(params('/v1/trending')['query.limit']!.schema).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 100,
      default: 20,
    });
    expect(params('/v1/users/{userId}/feed')['query.limit']!.schema).toMatchObject({
      maximum: 100,
      default: 20,
    });
    expect(params('/v1/users/{userId}/feed')['path.userId']).toMatchObject({
      required: true,
      schema: { maxLength: 256 },
    });
    expect(params('/v1/markets/{ticker}/similar')['query.limit']!.schema).toMatchObject({ default: 10 });
    // The stream's last_event_id (the hand-written document lacked it) and token come from its query schema.
    expect(Object.keys(params('/v1/users/{userId}/feed/stream'))).toEqual(
      expect.arrayContaining([
        'query.feed_id',
        'query.cursor',
        'query.resume_from',
        'query.token',
        'query.last_event_id',
        'header.Last-Event-ID',
      ]),
    );
    expect(params('/v1/models')['query.status']!.schema).toMatchObject({
      enum: expect.arrayContaining(['active', 'candidate']),
    });
    const coverage = doc.paths['/v1/experiments/{key}/coverage']!.put! as Operation & {
      requestBody: { content: { 'application/json': { schema: Record<string, unknown> } } };
    };
    expect(coverage.requestBody.content['application/json'].schema).toMatchObject({
      properties: { coverage: { type: 'number', minimum: 0, maximum: 1 } },
      additionalProperties: false,
    });
  });

  it('answers every route with its error codes: 429 with Retry-After where keys are checked, 503 where load is shed', async () => {
    const { doc } = await setUp();
    const errorCodes = (
      doc.components.schemas.Error!.properties!.error as { properties: { code: { enum: string[] } } }
    ).properties.code.enum;
    expect(errorCodes.sort()).toEqual(Object.keys(STATUS_BY_CODE).sort());
    const op = (path: string, method: string) => doc.paths[path]![method]!;
    expect(Object.keys(op('/v1/interactions', 'post').responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '413', '415', '422', '429', '503']),
    );
    expect(Object.keys(op('/v1/users/{userId}/feed', 'get').responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '410', '503']),
    );
    expect(op('/v1/jobs/{name}', 'post').responses).toHaveProperty('202');
    expect(op('/v1/categories', 'get').responses).not.toHaveProperty('401');
    // Served to a user (?userId=), trending needs that user's credential once tokens are configured.
    expect(Object.keys(op('/v1/trending', 'get').responses)).toEqual(expect.arrayContaining(['401', '403']));
    // Health checks, metrics and event streams are never shed (/readyz's 503 is "not ready").
    for (const path of ['/healthz', '/metrics', '/v1/users/{userId}/feed/stream'])
      expect(op(path, 'get').responses).not.toHaveProperty('503');
    expect(op('/readyz', 'get').responses).toHaveProperty('503');
    const rateLimited = (doc as unknown as { components: { responses: Record<string, { headers: object }> } })
      .components.responses.RateLimited!;
    expect(rateLimited.headers).toHaveProperty('Retry-After');
    // Every operation's every response is described (a $ref or a description).
    for (const [path, item] of Object.entries(doc.paths))
      for (const [method, operation] of Object.entries(item))
        for (const [status, response] of Object.entries(operation.responses))
          expect(response, `${method} ${path} ${status}`).toSatisfy(
            (r: Record<string, unknown>) => typeof r.$ref === 'string' || typeof r.description === 'string',
          );
  });
});

describe('response schemas', () => {
  it('name exactly the fields the routes answer with (feed, its items, trending, similar, categories, a market, writes)', async () => {
    const { t, doc } = await setUp();
    const schemas = doc.components.schemas;
    const fields = (name: string) => Object.keys(schemas[name]!.properties!).sort();
    const keys = (value: object) => Object.keys(value).sort();
    /** Every field sent is documented, and every field documented as required is sent. */
    const shaped = (value: object, name: string) => {
      expect(keys(value).filter((k) => !fields(name).includes(k))).toEqual([]);
      const required = (schemas[name] as { required?: string[] }).required ?? [];
      expect(required.filter((k) => !keys(value).includes(k))).toEqual([]);
    };
    const markets = cryptoAndSportsMarkets(8, {
      volume24h: (i) => 100 - i,
      openTime: new Date(TEST_NOW.getTime() - DAY_MS).toISOString(),
    });
    const put = await request(t.app).put('/v1/markets').set(auth).send({ markets }).expect(200);
    expect(keys(put.body)).toEqual(fields('UpsertResult'));
    const posted = await request(t.app)
      .post('/v1/interactions')
      .set(auth)
      .send({
        interactions: [
          { eventId: 'e1', userId: 'u1', ticker: 'M-1', type: 'click', ts: TEST_NOW.toISOString() },
        ],
      })
      .expect(200);
    expect(keys(posted.body)).toEqual(fields('InteractionResult'));

    const feed = (await request(t.app).get('/v1/users/u1/feed?limit=3').set(auth).expect(200)).body;
    expect(keys(feed)).toEqual(fields('Feed'));
    for (const item of feed.items) expect(keys(item)).toEqual(fields('FeedItem'));
    const trending = (await request(t.app).get('/v1/trending?limit=2').expect(200)).body;
    shaped(trending, 'Trending');
    const served = (await request(t.app).get('/v1/trending?limit=2&userId=u1').expect(200)).body;
    expect(keys(served)).toEqual(fields('Trending'));
    for (const item of trending.items) expect(keys(item)).toEqual(fields('MarketScore'));
    const similar = (await request(t.app).get('/v1/markets/M-1/similar').expect(200)).body;
    shaped(similar, 'Similar');
    const market = (await request(t.app).get('/v1/markets/M-1').expect(200)).body;
    expect(keys(market)).toEqual(fields('MarketDetails'));
    const categories = (await request(t.app).get('/v1/categories').expect(200)).body;
    expect(keys(categories)).toEqual(fields('Categories'));
    const preview = (
      await request(t.app).get('/v1/users/u1/feed/preview?ranker=trending&limit=2').set(auth).expect(200)
    ).body;
    expect(keys(preview)).toEqual(fields('FeedPreview'));
    const experiments = (await request(t.app).get('/v1/experiments').set(auth).expect(200)).body;
    expect(keys(experiments)).toEqual(fields('ExperimentList'));
    const error = (await request(t.app).get('/v1/markets/NOPE').expect(404)).body;
    expect(keys(error)).toEqual(fields('Error'));
  });
});
