import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ApiMetrics } from '../../src/api/metrics.js';
import { loadConfig } from '../../src/config/env.js';
import { silentLogger } from '../../src/log/logger.js';
import { composeApi } from '../../src/server/api-composition.js';
import { NoQueueJobRunner } from '../../jobs/runners/no-queue-runner.js';
import { auth, makeTestApi } from '../helpers/api.js';
import { HOUR_MS, TEST_END } from '../helpers/fixed-clock.js';
import { openTestStore } from '../helpers/store.js';
import { seedInteractions } from '../jobs/fixture.js';

/** The value of one sample in a Prometheus text exposition, if it is there. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('/metrics', () => {
  it('asks for METRICS_API_KEY when one is set, and only that key', async () => {
    const scraper = 'scraper-key-0123456789';
    const t = await makeTestApi({ config: { METRICS_API_KEY: scraper } });
    expect((await request(t.app).get('/metrics')).status).toBe(401);
    expect((await request(t.app).get('/metrics').set(auth)).status).toBe(401);
    const ok = await request(t.app).get('/metrics').set('Authorization', `Bearer ${scraper}`);
    expect(ok.status).toBe(200);
    expect(ok.text).toMatch(/sibyl_http_request_duration_seconds/);
  });

  it('shows job runs by job and outcome, and the active model with its offline quality and the promotion decisions', async () => {
    const t = await makeTestApi({ now: new Date(TEST_END.getTime() + HOUR_MS) });
    await seedInteractions(t.store);
    const { body } = await request(t.app).post('/v1/jobs/rebuild-features').set(auth).send({}).expect(202);
    for (let i = 0; ; i++) {
      const status = (await request(t.app).get(body.status).set(auth)).body;
      if (status.state === 'completed') break;
      if (i > 400) throw new Error(`job did not finish: ${JSON.stringify(status)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const model = (version: string, status: string, extra = {}) => ({
      version,
      kind: 'two-tower',
      status,
      dataWindow: { from: TEST_END, to: TEST_END },
      seed: 1,
      hyperparameters: {},
      testFraction: 0.1,
      artifactDir: `/nowhere/${version}`,
      createdAt: TEST_END,
      ...extra,
    });
    await t.store.collection('models').insertMany([
      model('tt-a', 'retired'),
      model('tt-b', 'rejected'),
      model('tt-c', 'active', {
        promotionSeq: 2,
        metrics: { candidate: { 'ndcg@10': 0.3125, 'recall@10': 0.5 }, popularity: { 'ndcg@10': 0.2 } },
      }),
      model('e-d', 'active', { kind: 'ease', promotionSeq: 3, metrics: { candidate: { 'ndcg@10': 0.25 } } }),
    ]);

    const text = (await request(t.app).get('/metrics').expect(200)).text;
    expect(sample(text, 'sibyl_job_runs', 'job="rebuild-features",outcome="completed"')).toBe(1);
    expect(
      sample(text, 'sibyl_job_last_duration_seconds', 'job="rebuild-features",outcome="completed"'),
    ).toBeGreaterThanOrEqual(0);
    expect(
      sample(text, 'sibyl_job_last_end_timestamp_seconds', 'job="rebuild-features",outcome="completed"'),
    ).toBeGreaterThan(0);
    // One active model per kind: the two-tower's and EASE's, each with its own offline metrics.
    expect(sample(text, 'sibyl_model_active_info', 'version="tt-c",kind="two-tower"')).toBe(1);
    expect(sample(text, 'sibyl_model_active_info', 'version="e-d",kind="ease"')).toBe(1);
    const offline = (kind: string, metric: string) =>
      sample(text, 'sibyl_model_active_offline_metric', `kind="${kind}",metric="${metric}"`);
    expect(offline('two-tower', 'ndcg@10')).toBe(0.3125);
    expect(offline('two-tower', 'recall@10')).toBe(0.5);
    expect(offline('ease', 'ndcg@10')).toBe(0.25);
    expect(sample(text, 'sibyl_model_decisions', 'decision="promoted"')).toBe(3);
    expect(sample(text, 'sibyl_model_decisions', 'decision="rejected"')).toBe(1);
    expect(sample(text, 'sibyl_models', 'status="active"')).toBe(2);
  });

  it('counts experiment exposures by experiment and variation, and ingested items', async () => {
    const store = await openTestStore();
    const config = { ...loadConfig({ SIBYL_API_KEYS: 'k' }), SIBYL_EXPERIMENTS_DIR: 'experiments' };
    const api = await composeApi({
      config,
      store,
      logger: silentLogger,
      jobs: new NoQueueJobRunner(),
      model: { current: () => undefined },
      metrics: new ApiMetrics(false),
      requestLogging: false,
    });
    await api.catalogue.reload();
    // As a server asks (an API key): anonymous asks for never-seen ids are no exposures.
    for (let i = 0; i < 20; i++)
      await request(api.app).get(`/v1/users/user-${i}/feed`).set('Authorization', 'Bearer k').expect(200);
    // A user's second feed is not a second exposure.
    await request(api.app).get('/v1/users/user-0/feed').set('Authorization', 'Bearer k').expect(200);
    await request(api.app)
      .put('/v1/series')
      .set('Authorization', 'Bearer k')
      .send({ series: [{ ticker: 'KXTEST', title: 'Test', category: 'Economics' }] });
    const text = (await request(api.app).get('/metrics').expect(200)).text;
    const exposures = text
      .split('\n')
      .filter((l) =>
        l.startsWith('sibyl_experiment_exposures_total{experiment="ranker-two-tower-vs-popularity"'),
      )
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    expect(exposures).toBe(20);
    expect(text).toMatch(/sibyl_ingested_items_total\{kind="series",outcome="stored"\} 1/);
    await api.close();
    await store.close();
  });
});
