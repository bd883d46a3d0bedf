import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { setUpExperiments } from '../../src/experiments/setup.js';
import { silentLogger } from '../../src/log/logger.js';
import { ensureIndexes } from '../../src/store/collections.js';
import { openTestStore } from '../helpers/store.js';
import { TEST_END } from '../helpers/fixed-clock.js';

const payload = (defaultValue: string) => ({
  status: 200,
  features: { 'feed-ranker': { defaultValue } },
  dateUpdated: TEST_END.toISOString(),
});

describe('experiment payload from a GrowthBook server', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('follows the server without restarts, and keeps the last good payload when it is wrong or away', async () => {
    let body: unknown = payload('trending');
    let status = 200;
    const paths: string[] = [];
    server = createServer((req, res) => {
      paths.push(req.url!);
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const apiHost = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const store = await openTestStore({ indexes: false });
    await ensureIndexes(store);
    const experiments = (await setUpExperiments(
      { dir: '/nonexistent', growthbook: { apiHost, clientKey: 'sdk-abc', refreshMs: 3_600_000 } },
      store,
      silentLogger,
    ))!;
    const source = () => experiments.status();
    const refresh = () => experiments.refresh();
    expect(paths).toEqual(['/api/features/sdk-abc']);
    expect(experiments.assigner.assign('u1', {}).ranker).toBe('trending');
    expect(source()).toBeUndefined();

    body = payload('no-such-ranker');
    await refresh();
    expect(experiments.assigner.assign('u1', {}).ranker).toBe('trending');
    expect(source()).toMatch(/refresh failed .*no-such-ranker.*serving the payload fetched at/);

    status = 503;
    await refresh();
    expect(source()).toMatch(/answered 503/);
    expect(experiments.assigner.assign('u1', {}).ranker).toBe('trending');

    status = 200;
    body = payload('popularity');
    await refresh();
    expect(experiments.assigner.assign('u1', {}).ranker).toBe('popularity');
    expect(source()).toBeUndefined();
    await experiments.close();
  });
});
