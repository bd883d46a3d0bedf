import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixture, tempDir } from './helpers.js';

const bin = fileURLToPath(new URL('../../bin/sibyl.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('sibyl import', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    tmp = await tempDir();
  });
  afterEach(async () => {
    await tmp.cleanup();
  });

  /** Runs the CLI as a user would, on an embedded store persisted in the test's own directory. */
  function sibyl(...args: string[]): Promise<Run> {
    const env: NodeJS.ProcessEnv = { ...process.env, SIBYL_DATA_DIR: `${tmp.dir}/data`, LOG_LEVEL: 'silent' };
    delete env.MONGODB_URI;
    return new Promise((resolve) => {
      execFile('node', [bin, 'import', ...args], { env }, (err, stdout, stderr) => {
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      });
    });
  }

  it('imports a directory in dependency order, persists it, and stores nothing twice on a second run', async () => {
    const first = await sibyl('--dir', fixture('simulate-out'));
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /series\.jsonl \(series\): 2 read, 2 inserted, 0 updated, 0 rejected in [\d.]+s\n/,
    );
    expect(first.stdout).toMatch(
      /interactions\.csv \(interactions\): 7 read, 7 inserted, 0 duplicates, 0 rejected/,
    );
    expect(first.stdout.indexOf('series.jsonl')).toBeLessThan(first.stdout.indexOf('interactions.csv'));

    // A second process sees the first one's data.
    const second = await sibyl('--dir', fixture('simulate-out'));
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/markets\.jsonl \(markets\): 4 read, 0 inserted, 4 updated, 0 rejected/);
    expect(second.stdout).toMatch(
      /interactions\.csv \(interactions\): 7 read, 0 inserted, 7 duplicates, 0 rejected/,
    );
  });

  it('reports rejected records on stderr and exits with 1', async () => {
    await sibyl(fixture('kalshi-events.json'), fixture('kalshi-markets.json'));
    const path = await tmp.write(
      'interactions.csv',
      [
        'eventId,userId,ticker,type,ts',
        'a,user-1,KXFED-26DEC-T4.25,view,2026-11-20T10:00:00Z',
        'b,user-1,KXFED-26DEC-T4.25,like,2026-11-20T10:00:00Z',
        'c,user-1,KXFED-26DEC-T9.99,view,2026-11-20T10:00:00Z',
      ].join('\n'),
    );

    const run = await sibyl(path);

    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      [
        `${path}: line 3: type: Invalid option: expected one of "impression"|"view"|"click"|"watch"|"unwatch"|"trade"|"dismiss"`,
        `${path}: line 4: ticker: unknown market "KXFED-26DEC-T9.99"`,
        '',
      ].join('\n'),
    );
    expect(run.stdout).toMatch(
      /interactions\.csv \(interactions\): 3 read, 1 inserted, 0 duplicates, 2 rejected/,
    );
  });

  it('takes the record type from --type, and from --kind (its hidden, deprecated old name)', async () => {
    const page = await tmp.write(
      'page-1.jsonl',
      await readFile(fixture('simulate-out', 'series.jsonl'), 'utf8'),
    );

    const typed = await sibyl('--type', 'series', page);
    expect(typed.stderr).toBe('');
    expect(typed.code).toBe(0);
    expect(typed.stdout).toMatch(/page-1\.jsonl \(series\): 2 read, 2 inserted, 0 updated, 0 rejected/);

    const old = await sibyl('--kind', 'series', page);
    expect(old.code).toBe(0);
    expect(old.stderr).toBe('sibyl import: --kind is deprecated; use --type\n');
    expect(old.stdout).toMatch(/page-1\.jsonl \(series\): 2 read, 0 inserted, 2 updated, 0 rejected/);

    expect((await sibyl('--type', 'series', '--kind', 'markets', page)).code).toBe(2);
    const help = await sibyl('--help');
    expect(help.stdout).toMatch(/--type <type>/);
    expect(help.stdout).not.toMatch(/--kind/);
  });

  it('exits with 2, writing nothing, when a file cannot be imported', async () => {
    const unknown = await tmp.write('dump.csv', 'a,b\n1,2\n');

    const run = await sibyl(fixture('simulate-out', 'series.jsonl'), unknown);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/dump\.csv: cannot tell which type of records it holds/);
    expect(run.stdout).toBe('');
    expect(existsSync(`${tmp.dir}/data`)).toBe(false);
    expect((await sibyl()).code).toBe(2);
  });
});
