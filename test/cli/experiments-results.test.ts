import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/experiments/definitions/load.js';
import { openEmbeddedStore } from '../../src/store/embedded-store.js';
import { API_KEY, listenTestApi } from '../helpers/api.js';
import { HOUR_MS, TEST_NOW } from '../helpers/fixed-clock.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/sibyl.js');

describe('sibyl experiments results', () => {
  it('prints per-variation results and the sample-ratio check for a defined experiment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sibyl-exp-'));
    try {
      const store = await openEmbeddedStore({ dir });
      const at = new Date(TEST_NOW.getTime() - 2 * HOUR_MS);
      await store.collection('exposures').insertMany(
        Array.from({ length: 40 }, (_, i) => ({
          userId: `u${i}`,
          experimentId: 'ranker-two-tower-vs-popularity',
          variationId: String(i % 2),
          timestamp: at,
        })),
      );
      await store.close();
      const { MONGODB_URI: _m, ...env } = process.env;
      const { stdout } = await run(
        process.execPath,
        [BIN, 'experiments', 'results', 'ranker-two-tower-vs-popularity'],
        {
          env: { ...env, SIBYL_DATA_DIR: dir, LOG_LEVEL: 'silent' },
        },
      );
      expect(stdout).toMatch(/ranker-two-tower-vs-popularity \(running\), control = variation 0/);
      expect(stdout).toMatch(/^0 popularity\s+20 /m);
      expect(stdout).toMatch(/^1 two-tower\s+20 /m);
      expect(stdout).toMatch(/sample ratio: χ² = 0\.00, p = 1\.00 \(ok\)/);
      await expect(
        run(process.execPath, [BIN, 'experiments', 'results', 'nope'], {
          env: { ...env, SIBYL_DATA_DIR: dir, LOG_LEVEL: 'silent' },
        }),
      ).rejects.toMatchObject({ stderr: expect.stringMatching(/No experiment "nope"/) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('asks a running API with --url: the service’s data, not ./data', async () => {
    const definitions = await loadDefinitions('experiments');
    const api = await listenTestApi({ experiments: { definitions: () => definitions } });
    const dir = await mkdtemp(join(tmpdir(), 'sibyl-exp-empty-'));
    try {
      const at = new Date(TEST_NOW.getTime() - 2 * HOUR_MS);
      await api.store.collection('exposures').insertMany(
        Array.from({ length: 30 }, (_, i) => ({
          userId: `u${i}`,
          experimentId: 'ranker-two-tower-vs-popularity',
          variationId: String(i % 3 === 0 ? 1 : 0),
          timestamp: at,
        })),
      );
      const { MONGODB_URI: _m, ...env } = process.env;
      // SIBYL_DATA_DIR is empty: the counts can only come from the API's store.
      const cli = (args: string[], extra: Record<string, string> = {}) =>
        run(process.execPath, [BIN, 'experiments', 'results', 'ranker-two-tower-vs-popularity', ...args], {
          env: { ...env, SIBYL_DATA_DIR: dir, LOG_LEVEL: 'silent', ...extra },
        });
      const { stdout } = await cli(['--url', api.url], { SIBYL_API_KEY: API_KEY });
      expect(stdout).toMatch(/^0 popularity\s+20 /m);
      expect(stdout).toMatch(/^1 two-tower\s+10 /m);
      await expect(cli(['--url', api.url, '--key', 'wrong'])).rejects.toMatchObject({
        stderr: expect.stringMatching(/answered 401/),
      });
      await expect(cli(['--url', api.url])).rejects.toMatchObject({
        stderr: expect.stringMatching(/--url needs an API key/),
      });
    } finally {
      await api.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
