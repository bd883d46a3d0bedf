import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpExperiments, type Experiments } from '../../src/experiments/setup.js';
import { silentLogger } from '../../src/log/logger.js';
import { openTestStore } from '../helpers/store.js';
import { JOB_NAMES } from '../../jobs/job-types.js';
import { INTERACTION_TYPES, MARKET_STATUSES } from '../../src/domain/schemas.js';
import type { CollectionName } from '../../src/store/collections.js';
import { auth, makeTestApi, type TestApi } from '../helpers/api.js';
import { putBitcoinSeriesAndEvent } from '../helpers/markets.js';
import { DAY_MS, HOUR_MS, TEST_END, TEST_NOW } from '../helpers/fixed-clock.js';
import { deeplyNested, jsonValue, mutated, NASTY_STRINGS } from './inputs.js';

/**
 * The API fuzzed (#23): every write and read route gets generated bodies, paths, queries, headers
 * and encodings. Whatever comes in, the answer is never a 5xx, a refused write stores nothing (the
 * store is read back after every case and compared with before), an accepted batch is stored whole,
 * and what is stored keeps the invariants the rest of Sibyl relies on. Seeded: the same cases on
 * every run.
 */

const SEED = 23;
const CLOSE = new Date(TEST_END.getTime() + 3 * DAY_MS).toISOString();
const COLLECTIONS = [
  'series',
  'events',
  'markets',
  'users',
  'interactions',
  'models',
  'experiment_rules',
  'experiment_overrides',
] as const;
const KEY_OF: Record<string, string> = {
  series: 'ticker',
  events: 'eventTicker',
  markets: 'ticker',
  users: 'userId',
  interactions: 'eventId',
};

const documented = JSON.parse(
  await readFile(
    fileURLToPath(new URL('../exchange/fixtures/kalshi-documented.json', import.meta.url)),
    'utf8',
  ),
).rest as { market: Record<string, unknown> };

let t: TestApi;
let experiments: Experiments;
let cases = 0;
let n = 0;
/** A key no earlier case used, so that what a case stored is told apart from the rest. */
const fresh = (prefix: string) => `${prefix}-${++n}`;

/** Every document of the collections that writes touch, bookkeeping included. */
async function fingerprint(): Promise<string> {
  const parts = await Promise.all(
    COLLECTIONS.map((name) =>
      t.store
        .collection(name)
        .find({}, { projection: { _id: 0 } })
        .toArray(),
    ),
  );
  return JSON.stringify(parts.map((docs) => docs.map((d) => JSON.stringify(d)).sort()));
}

/** What Sibyl relies on of stored documents, whatever was sent. */
async function expectStoreInvariants(): Promise<void> {
  const markets = await t.store.collection('markets').find({}).toArray();
  for (const m of markets) {
    expect(typeof m.title === 'string' && m.title.length > 0, `market ${m.ticker} title`).toBe(true);
    expect(m.closeTime, `market ${m.ticker} closeTime`).toBeInstanceOf(Date);
    expect(MARKET_STATUSES).toContain(m.status);
    if (m.openTime) expect(m.closeTime.getTime()).toBeGreaterThanOrEqual(m.openTime.getTime());
    expect(typeof m.category === 'string' || m.category === undefined).toBe(true);
  }
  for (const u of await t.store.collection('users').find({}).toArray()) {
    expect(Object.getPrototypeOf(u.attributes)).toBe(Object.prototype);
    for (const key of Object.keys(u.attributes))
      expect(key.includes('.') || key.startsWith('$') || key === '__proto__', `attribute ${key}`).toBe(false);
  }
  for (const i of await t.store.collection('interactions').find({}).toArray()) {
    expect(INTERACTION_TYPES).toContain(i.type);
    expect(Math.abs(i.ts.getTime() - TEST_NOW.getTime())).toBeLessThanOrEqual(30 * DAY_MS);
  }
}

/**
 * One case: the request is sent, its answer must not be a 5xx, a refusal must leave the store as
 * it was and carry the error body, and `stored` (given) checks what an acceptance wrote.
 */
async function probe(
  label: string,
  send: () => request.Test,
  stored?: () => Promise<void>,
): Promise<request.Response> {
  label = label.slice(0, 200);
  const before = await fingerprint();
  const res = await send();
  cases++;
  expect(res.status, `${label}: ${JSON.stringify(res.body)?.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.body?.error?.code, `${label}: error body`).toEqual(expect.any(String));
    expect(await fingerprint(), `${label}: a refused request changed the store`).toBe(before);
  } else if (stored) {
    await stored();
  }
  return res;
}

/** Every item of an accepted batch is in the store (a batch is stored whole or not at all). */
function storedWhole(kind: string, items: unknown[]) {
  return async () => {
    const key = KEY_OF[kind]!;
    const keys = items.map((item) => (item as Record<string, unknown>)[key]);
    const found = await t.store.collection(kind as CollectionName).countDocuments({ [key]: { $in: keys } });
    expect(found, `${kind}: accepted batch stored whole`).toBe(new Set(keys).size);
    await expectStoreInvariants();
  };
}

/** A valid item of each batch route, with fresh keys. */
const VALID: Record<string, () => Record<string, unknown>> = {
  series: () => ({ ticker: fresh('KXS'), title: 'A series', category: 'Crypto', tags: ['a'] }),
  events: () => ({ eventTicker: fresh('KXE'), seriesTicker: 'KXBTC', title: 'An event' }),
  markets: () => ({
    ticker: fresh('KXM'),
    eventTicker: 'KXBTC-26NOV22',
    title: 'A market',
    status: 'open',
    openTime: new Date(TEST_END.getTime() - DAY_MS).toISOString(),
    closeTime: CLOSE,
    yesBid: 0.4,
  }),
  users: () => ({ userId: fresh('fuzz-user'), attributes: { tier: 'gold', beta: true } }),
  interactions: () => ({
    eventId: fresh('ev'),
    userId: 'fuzz-user',
    ticker: 'KXBTC-26NOV22-T1',
    type: 'click',
    ts: new Date(TEST_NOW.getTime() - HOUR_MS).toISOString(),
  }),
};
const ROUTE: Record<string, ['put' | 'post', string]> = {
  series: ['put', '/v1/series'],
  events: ['put', '/v1/events'],
  markets: ['put', '/v1/markets'],
  users: ['put', '/v1/users'],
  interactions: ['post', '/v1/interactions'],
};
const BATCHES = Object.keys(ROUTE);

const write = (kind: string) => {
  const [method, path] = ROUTE[kind]!;
  return request(t.app)[method](path).set(auth);
};

/** A percent-encoded path segment, also for strings encodeURIComponent refuses (lone surrogates). */
const segment = (s: string) => {
  try {
    return encodeURIComponent(s) || '%20';
  } catch {
    return '%ED%A0%80';
  }
};

describe('API fuzz (#23): no 5xx, no partial stores', () => {
  beforeAll(async () => {
    const store = await openTestStore({ indexes: false });
    // The repository's experiment definitions, so that the experiment routes exist to be fuzzed.
    experiments = (await setUpExperiments(
      { dir: 'experiments', overridesRefreshMs: 3_600_000 },
      store,
      silentLogger,
      {
        now: () => TEST_NOW,
      },
    ))!;
    t = await makeTestApi({ store, experiments, assignment: experiments.assigner });
    await putBitcoinSeriesAndEvent(t.app);
    await request(t.app)
      .put('/v1/markets')
      .set(auth)
      .send({ markets: [{ ...VALID.markets!(), ticker: 'KXBTC-26NOV22-T1' }] })
      .expect(200);
  });

  it.each(BATCHES)(
    '%s: a valid item beside a mutated one, or a body of any shape (40 cases)',
    async (kind) => {
      const valid = VALID[kind]!;
      const body = fc.oneof(
        { weight: 4, arbitrary: mutated(valid()).map((bad) => ({ [kind]: [valid(), bad] })) },
        { weight: 1, arbitrary: jsonValue.map((value) => ({ [kind]: [valid(), value] })) },
        { weight: 1, arbitrary: jsonValue },
        { weight: 1, arbitrary: jsonValue.map((extra) => ({ [kind]: [valid()], extra })) },
      );
      await fc.assert(
        fc.asyncProperty(body, async (sent) => {
          // Fresh keys per run: re-create the valid item(s) so that shrinking replays stay distinct.
          const items = (sent as Record<string, unknown>)?.[kind];
          await probe(
            `${kind} ${JSON.stringify(sent)?.slice(0, 200)}`,
            () => write(kind).send(sent as object),
            () => (Array.isArray(items) ? storedWhole(kind, items)() : expectStoreInvariants()),
          );
        }),
        { seed: SEED, numRuns: 40, endOnFailure: true },
      );
    },
  );

  it('markets: patches of a stored market and Kalshi objects, mutated (30 cases)', async () => {
    const patch = { ticker: 'KXBTC-26NOV22-T1', status: 'paused', lastPrice: 0.5 };
    const kalshi = { ...documented.market, event_ticker: 'KXBTC-26NOV22', title: '' };
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated(patch), mutated(kalshi)), async (bad) => {
        const good = { ...kalshi, ticker: fresh('KXK') };
        await probe(
          `markets ${JSON.stringify(bad)?.slice(0, 200)}`,
          () => write('markets').send({ markets: [good, bad] }),
          () => storedWhole('markets', [good])(),
        );
      }),
      { seed: SEED, numRuns: 30, endOnFailure: true },
    );
  });

  it('job triggers, promotions and rollbacks with any name and invalid payloads (30 cases)', async () => {
    const name = fc.oneof(fc.constantFrom(...JOB_NAMES), fc.constantFrom(...NASTY_STRINGS.slice(0, 30)));
    // Payloads are strict objects, so an unknown key keeps every case invalid: no job runs.
    const payload = fc.oneof(
      fc.dictionary(fc.string({ maxLength: 6 }), jsonValue, { maxKeys: 3 }).map((o) => ({ ...o, fuzz: 1 })),
      fc.array(jsonValue, { maxLength: 3 }),
    );
    const action = fc.oneof(
      fc.record({ path: name.map((s) => `/v1/jobs/${segment(s)}`), body: payload }),
      fc.record({ path: name.map((s) => `/v1/models/${segment(s)}/promote`), body: jsonValue }),
      fc.record({ path: fc.constant('/v1/models/rollback'), body: jsonValue }),
    );
    await fc.assert(
      fc.asyncProperty(action, async ({ path, body }) => {
        const res = await probe(`POST ${path}`, () =>
          request(t.app)
            .post(path)
            .set(auth)
            .set('Content-Type', 'application/json')
            .send(JSON.stringify(body) ?? 'null'),
        );
        if (path.startsWith('/v1/jobs/')) expect(res.status).toBeGreaterThanOrEqual(400);
      }),
      { seed: SEED, numRuns: 30, endOnFailure: true },
    );
  });

  it('every read route with any path segment and query (70 cases)', async () => {
    const text = fc.oneof(fc.constantFrom(...NASTY_STRINGS), fc.string({ unit: 'binary', maxLength: 20 }));
    const query = fc
      .array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom('limit', 'cursor', 'category', 'attr.tier', 'attr.__proto__', 'status', 'name'),
            text,
          ),
          text,
        ),
        { maxLength: 4 },
      )
      .map((pairs) => pairs.map(([k, v]) => `${segment(k)}=${segment(v)}`).join('&'));
    const path = fc.oneof(
      text.map((s) => `/v1/users/${segment(s)}/feed`),
      fc.constant('/v1/trending'),
      fc.constant('/v1/categories'),
      text.map((s) => `/v1/markets/${segment(s)}`),
      text.map((s) => `/v1/markets/${segment(s)}/similar`),
      fc.constant('/v1/models'),
      text.map((s) => `/v1/models/${segment(s)}`),
      text.map((s) => `/v1/jobs/${segment(s)}`),
      fc.constant('/v1/job-runs'),
      fc.constant('/v1/experiments'),
      fc.constantFrom(
        '/healthz',
        '/readyz',
        '/openapi.json',
        '/v1/users/%ED%A0%80/feed',
        '/v1/%',
        '/v1/users/a%2Fb/feed',
      ),
    );
    await fc.assert(
      fc.asyncProperty(path, query, async (p, q) => {
        const url = q ? `${p}?${q}` : p;
        const res = await probe(`GET ${url}`, () => request(t.app).get(url).set(auth));
        expect(res.headers['content-type'] ?? '', url).toMatch(/json|text\/plain/);
      }),
      { seed: SEED, numRuns: 70, endOnFailure: true },
    );
  });

  describe.each(BATCHES)('%s: encodings, content types and sizes', (kind) => {
    const json = () => JSON.stringify({ [kind]: [VALID[kind]!()] });
    const raw = (contentType: string | undefined, body: string | Buffer, encoding?: string) => () => {
      let req = write(kind);
      if (contentType) req = req.set('Content-Type', contentType);
      if (encoding) req = req.set('Content-Encoding', encoding);
      // Sent as the bytes given: superagent would otherwise JSON-encode a Buffer under a JSON type.
      return req.serialize((b: unknown) => b as string).send(body as string);
    };

    it('answers each with a 2xx or a 4xx and stores nothing on a 4xx (16 cases)', async () => {
      const ok = async (label: string, send: () => request.Test) =>
        probe(`${kind} ${label}`, send, expectStoreInvariants);
      expect((await ok('gzip', raw('application/json', gzipSync(json()), 'gzip'))).status).toBe(200);
      expect((await ok('charset', raw('application/json; charset=utf-8', json()))).status).toBe(200);
      expect((await ok('+json', raw('application/vnd.sibyl+json', json()))).status).toBe(200);
      expect((await ok('text/plain', raw('text/plain', json()))).status).toBe(415);
      expect((await ok('form', raw('application/x-www-form-urlencoded', `${kind}=1`))).status).toBe(415);
      expect((await ok('gzip garbage', raw('application/json', 'not gzip', 'gzip'))).status).toBe(400);
      expect((await ok('unknown encoding', raw('application/json', json(), 'x-fuzz'))).status).toBe(415);
      expect((await ok('latin1', raw('application/json; charset=latin1', json()))).status).toBe(415);
      expect((await ok('malformed', raw('application/json', `{"${kind}": [`))).status).toBe(400);
      expect((await ok('null', raw('application/json', 'null'))).status).toBe(400);
      expect((await ok('1e400', raw('application/json', `{"${kind}": [1e400]}`))).status).toBe(422);
      expect(
        (await ok('deep', raw('application/json', `{"${kind}": ${deeplyNested(20_000)}}`))).status,
      ).toBeLessThan(500);
      expect(
        (await ok('6 MB', raw('application/json', `{"${kind}": ["${'x'.repeat(6 * 1024 * 1024)}"]}`))).status,
      ).toBe(413);
      const many = JSON.stringify({ [kind]: Array.from({ length: 1001 }, () => VALID[kind]!()) });
      expect((await ok('1001 items', raw('application/json', many))).status).toBe(413);
      expect((await ok('empty', raw('application/json', `{"${kind}": []}`))).status).toBe(422);
      expect(
        (await ok('no key', raw(undefined, json().replace('{', '{"x":1,')))).status,
      ).toBeGreaterThanOrEqual(400);
    });
  });

  it('experiment rules, coverage, results and feed previews with any key, rule and ranker (30 cases)', async () => {
    const rule = {
      name: 'Fuzzed',
      variations: ['popularity', 'trending'],
      weights: [0.5, 0.5],
      coverage: 0,
      hashAttribute: 'id',
      hashVersion: 2,
    };
    const key = fc.oneof(
      fc.constantFrom('fuzzed-experiment', 'trending-vs-popularity'),
      fc.constantFrom(...NASTY_STRINGS.slice(0, 30)),
    );
    const action = fc.oneof(
      fc.record({
        method: fc.constant('put' as const),
        path: key.map((k) => `/v1/experiments/${segment(k)}`),
        body: mutated(rule),
      }),
      fc.record({
        method: fc.constant('put' as const),
        path: key.map((k) => `/v1/experiments/${segment(k)}/coverage`),
        body: jsonValue,
      }),
      fc.record({
        method: fc.constant('get' as const),
        path: key.map((k) => `/v1/experiments/${segment(k)}/results`),
        body: fc.constant(undefined),
      }),
      fc.record({
        method: fc.constant('get' as const),
        path: fc
          .tuple(
            fc.constantFrom(...NASTY_STRINGS.slice(0, 20)),
            fc.constantFrom('popularity', 'two-tower', '__proto__', 'x'.repeat(300), ''),
          )
          .map(([user, ranker]) => `/v1/users/${segment(user)}/feed/preview?ranker=${segment(ranker)}`),
        body: fc.constant(undefined),
      }),
    );
    await fc.assert(
      fc.asyncProperty(action, async ({ method, path, body }) => {
        await probe(`${method} ${path}`, () => {
          const req = request(t.app)[method](path).set(auth);
          return body === undefined
            ? req
            : req.set('Content-Type', 'application/json').send(JSON.stringify(body) ?? 'null');
        });
      }),
      { seed: SEED, numRuns: 30, endOnFailure: true },
    );
  });

  afterAll(() => experiments.close());

  it('ran at least 300 cases', () => {
    // The issue asks for 300; the count is what ran, not what was planned.
    expect(cases).toBeGreaterThanOrEqual(300);
  });
});
