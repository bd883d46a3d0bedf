import { describe, expect, it } from 'vitest';
import type { JobStatus } from '../../jobs/job-types.js';
import { loadConfig } from '../../src/config/env.js';
import { silentLogger } from '../../src/log/logger.js';
import { startWorker } from '../../src/server/worker.js';
import { ensureIndexes } from '../../src/store/collections.js';
import { openTestStore } from '../helpers/store.js';

const KEY = 'worker-metrics-key-0123';

describe("the worker's own metrics", () => {
  it('count and time every job attempt by job and outcome, behind METRICS_API_KEY', async () => {
    const store = await openTestStore({ indexes: false });
    await ensureIndexes(store);
    const config = {
      ...loadConfig({ METRICS_API_KEY: KEY, SIBYL_WORKER_METRICS_PORT: '0', HOST: '127.0.0.1' }),
      SIBYL_EXPERIMENTS_DIR: '/nonexistent-experiments',
    };
    const worker = await startWorker(config, store, silentLogger);
    try {
      const finished = async (id: string): Promise<JobStatus> => {
        for (;;) {
          const status = await worker.runner.status(id);
          if (status?.state === 'completed' || status?.state === 'failed') return status;
          await new Promise((r) => setTimeout(r, 10));
        }
      };
      expect((await finished((await worker.runner.trigger('sync-markets')).id)).state).toBe('completed');
      // A payload that can never work fails once, for good.
      const bad = await worker.runner.trigger('evaluate', { version: 'no-such-version' });
      expect((await finished(bad.id)).state).toBe('failed');

      expect(worker.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect((await fetch(worker.metricsUrl!)).status).toBe(401);
      const res = await fetch(worker.metricsUrl!, { headers: { authorization: `Bearer ${KEY}` } });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toMatch(/^sibyl_job_attempts_total\{job="sync-markets",outcome="completed"\} 1$/m);
      expect(text).toMatch(/^sibyl_job_attempts_total\{job="evaluate",outcome="failed_final"\} 1$/m);
      expect(text).toMatch(/^sibyl_job_duration_seconds_count\{job="sync-markets",outcome="completed"\} 1$/m);
    } finally {
      await worker.close();
      await store.close();
    }
  });
});
