import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { registerSimulate } from '../../src/cli/commands/simulate.js';
import { UsageError } from '../../src/cli/errors.js';
import { CSV_HEADER } from '../../src/simulator/index.js';
import { openEmbeddedStore } from '../../src/store/embedded-store.js';

const dir = mkdtempSync(join(tmpdir(), 'sibyl-sim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sibyl(...args: string[]): Promise<string> {
  const program = new Command('sibyl').exitOverride();
  registerSimulate(program);
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await program.parseAsync(['node', 'sibyl', 'simulate', ...args]);
    return log.mock.calls.map((c) => c.join(' ')).join('\n');
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

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
      '2026-11-22',
      '--out',
      out,
    );
    for (const f of ['series.jsonl', 'events.jsonl', 'markets.jsonl', 'users.jsonl', 'interactions.csv']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    expect(readFileSync(join(out, 'interactions.csv'), 'utf8').startsWith(CSV_HEADER)).toBe(true);
    expect(summary).toMatch(
      /Simulated seed 5, 40 users over 2 days \(2026-11-20T00:00:00.000Z to 2026-11-22T00:00:00.000Z\)/,
    );
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
        const summary = await sibyl(
          '--seed',
          '5',
          '--users',
          '30',
          '--days',
          '2',
          '--end',
          '2026-11-22T00:00:00Z',
        );
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
    [['--end', 'yesterday'], /--end must be an ISO-8601 date-time/],
    [['--end', '2026-11-22T00:00:00'], /--end must be an ISO-8601 date-time with a zone/],
    [['--out', 'x', '--to-store'], /either --out DIR or --to-store/],
  ])('rejects %j with a usage error', async (args, message) => {
    const run = sibyl(...args);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(message);
  });
});
