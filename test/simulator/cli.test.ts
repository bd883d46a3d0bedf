import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/cli/errors.js';
import { CSV_HEADER } from '../../src/simulator/index.js';
import { openEmbeddedStore } from '../../src/store/embedded-store.js';
import { DAY_MS, TEST_END } from '../helpers/fixed-clock.js';
import { sibylSimulate as sibyl } from '../helpers/simulate-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sibyl-sim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** TEST_END as --end takes it: the full ISO form, and the bare date (midnight UTC). */
const END_ISO = TEST_END.toISOString();
const END_DAY = END_ISO.slice(0, 10);

describe('sibyl simulate', () => {
  it('writes the five files with --out and reports what it made', async () => {
    const out = join(dir, 'run');
    const summary = await sibyl(
      '--seed',
      '5',
      '--users',
      '40',
      '--days',
      '2',
      '--end',
      END_DAY,
      '--out',
      out,
    );
    for (const f of ['series.jsonl', 'events.jsonl', 'markets.jsonl', 'users.jsonl', 'interactions.csv']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    expect(readFileSync(join(out, 'interactions.csv'), 'utf8').startsWith(CSV_HEADER)).toBe(true);
    const start = new Date(TEST_END.getTime() - 2 * DAY_MS).toISOString();
    expect(summary).toContain(`Simulated seed 5, 40 users over 2 days (${start} to ${END_ISO})`);
    expect(summary).toMatch(/40 users, [\d,]+ interactions → files in/);
  });

  // Through withStore and SIBYL_DATA_DIR, as a separate `sibyl serve` would then load it.
  it.skipIf(process.env.MONGODB_URI)(
    'writes into the embedded store under SIBYL_DATA_DIR by default',
    async () => {
      const dataDir = join(dir, 'data');
      vi.stubEnv('SIBYL_DATA_DIR', dataDir);
      vi.stubEnv('LOG_LEVEL', 'silent');
      try {
        const summary = await sibyl('--seed', '5', '--users', '30', '--days', '2', '--end', END_ISO);
        expect(summary).toMatch(/30 users, [\d,]+ interactions → sibyl store at/);
        expect(summary).toMatch(/try user-\d+: /);
      } finally {
        vi.unstubAllEnvs();
      }
      const reopened = await openEmbeddedStore({ dir: dataDir });
      try {
        expect(await reopened.collection('users').countDocuments()).toBe(30);
        expect(await reopened.collection('interactions').countDocuments()).toBeGreaterThan(100);
      } finally {
        await reopened.close();
      }
    },
  );

  it.each([
    [['--users', '0'], /--users must be an integer from 1/],
    [['--users', '12abc'], /--users must be an integer/],
    [['--days', '-3'], /--days must be an integer from 1/],
    [['--seed', '1.5'], /--seed must be an integer/],
    [['--out', 'x', '--to-store'], /either --out DIR or --to-store/],
  ])('rejects %j with a usage error', async (args, message) => {
    const run = sibyl('--end', END_ISO, ...args);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(message);
  });

  it.each([
    ['yesterday', /--end must be an ISO-8601 date-time/],
    // TEST_END without its zone.
    [END_ISO.slice(0, 19), /--end must be an ISO-8601 date-time with a zone/],
  ])('rejects --end %s with a usage error', async (end, message) => {
    const run = sibyl('--end', end);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(message);
  });

  it('is run by tests only with an explicit --end, so no test simulates up to today', async () => {
    await expect(sibyl('--seed', '5', '--users', '1', '--days', '1')).rejects.toThrow(
      /tests must pass --end to sibyl simulate/,
    );
  });
});
