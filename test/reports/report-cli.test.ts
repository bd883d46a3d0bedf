import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, tempDir } from '../import/helpers.js';

const bin = fileURLToPath(new URL('../../bin/sibyl.js', import.meta.url));
/** Everything imported is received by then, whatever today is; 2026-11-20 has long ended. */
const AS_OF = '2100-01-01T00:00:00Z';

describe('sibyl report daily', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const sibyl = (...args: string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env, SIBYL_DATA_DIR: `${tmp.dir}/data`, LOG_LEVEL: 'silent' };
    delete env.MONGODB_URI;
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('node', [bin, ...args], { env }, (err, stdout, stderr) => {
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      });
    });
  };
  beforeAll(async () => {
    tmp = await tempDir();
    expect((await sibyl('import', '--dir', fixture('simulate-out'))).code).toBe(0);
  });
  afterAll(() => tmp.cleanup());

  it('builds the day, prints its tie-out and exceptions, and keeps one version on a rerun', async () => {
    const first = await sibyl('report', 'daily', '--date', '2026-11-20', '--as-of', AS_OF);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /^Daily report 2026-11-20 v1 \(new\) — reconciled; 2026-11-20T05:00:00.000Z to 2026-11-21T05:00:00.000Z \(00:00 America\/New_York\)/,
    );
    // ev-3: 10 contracts at $0.33, organic (the feed its user saw, feed-a, was never served by Sibyl).
    expect(first.stdout).toContain('organic     1 trades, 10.00 contracts, $3.300000');
    expect(first.stdout).toContain('total       1 trades, 10.00 contracts, $3.300000');
    expect(first.stdout).toContain('tie-out     attributed + organic = total');
    // Imported a week later: every event of the day arrived after its cutoff.
    expect(first.stdout).toMatch(
      /unknown_feed 2, feed_of_another_user 0, exposure_after_trade 0, unknown_market 0, arrived_after_cutoff 3, missing_money 0/,
    );

    const again = await sibyl('report', 'daily', '--date', '2026-11-20', '--as-of', AS_OF, '--csv');
    expect(again.code).toBe(0);
    expect(again.stdout.trim().split('\n').slice(-1)).toEqual(['total,,,,,,,,,,,1,1,10.00,3.300000,']);
    const json = JSON.parse(
      (await sibyl('report', 'daily', '--date', '2026-11-20', '--as-of', AS_OF, '--json')).stdout,
    );
    expect(json).toMatchObject({ version: 1, status: 'reconciled' });
  });

  it('refuses a bad date, and a day that has not ended', async () => {
    const bad = await sibyl('report', 'daily', '--date', '2026-02-30', '--as-of', AS_OF);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a date: 2026-02-30/);
    const early = await sibyl('report', 'daily', '--date', '2026-11-20', '--as-of', '2026-11-20T12:00:00Z');
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/has not ended/);
  });
});
