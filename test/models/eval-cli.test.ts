import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { UsageError } from '../../src/cli/errors.js';
import { ensureIndexes } from '../../src/store/collections.js';
import { simulateToStore, TEST_END } from '../helpers/simulation.js';
import { openEmbeddedStore } from '../../src/store/embedded-store.js';

/** Runs `sibyl eval …` in this process and returns what it printed on stdout. */
async function sibylEval(...args: string[]): Promise<string> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  try {
    await buildProgram().parseAsync(['node', 'sibyl', 'eval', '--no-progress', ...args]);
    return lines.join('\n');
  } finally {
    log.mockRestore();
  }
}

describe('sibyl eval', () => {
  let dir: string;
  let csv: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sibyl-eval-'));
    // 60 users in three groups over 10 items each, one interaction an hour (epoch seconds), the
    // last at TEST_END.
    const rows = ['user,item,time,strength'];
    let t = TEST_END.getTime() / 1000 - 360 * 3600;
    for (let round = 0; round < 6; round++) {
      for (let u = 0; u < 60; u++) {
        const group = u % 3;
        rows.push(`user-${u},m${group}-${(u * 7 + round * 3) % 10},${(t += 3600)},${1 + (round % 2)}`);
      }
    }
    csv = join(dir, 'interactions.csv');
    await writeFile(csv, rows.join('\n') + '\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const fileArgs = () => [
    '--interactions',
    csv,
    '--user-col',
    'user',
    '--item-col',
    'item',
    '--time-col',
    'time',
  ];

  it('prints every recommender’s metrics and the split as JSON', async () => {
    const out = await sibylEval(...fileArgs(), '--weight-col', 'strength', '--k', '5', '--json');
    const report = JSON.parse(out) as {
      rankers: Record<string, Record<string, number>>;
      recommenders: Record<string, Record<string, number>>;
      split: Record<string, unknown>;
      blends: Record<string, { weights: Record<string, number>; validation: Record<string, unknown> }>;
      comparisons: {
        ranker: string;
        users: number;
        against: Record<string, { mean: number; low: number; high: number }>;
      };
    };
    expect(Object.keys(report)).toEqual(['rankers', 'recommenders', 'split', 'blends', 'comparisons']);
    // Every served ranker, the model-based ones ranking with the two-tower, EASE and BPR-MF fitted
    // in this run.
    expect(Object.keys(report.rankers)).toEqual([
      'popularity',
      'trending',
      'category-affinity',
      'popularity-global',
      'two-tower',
      'ease',
      'bpr-mf',
    ]);
    expect(Object.keys(report.recommenders)).toEqual([
      'popularity',
      'popularity-recency',
      'trending',
      'category-affinity',
      'item-knn',
      'bpr-mf',
      'ease',
      'two-tower',
    ]);
    for (const metrics of [...Object.values(report.rankers), ...Object.values(report.recommenders)]) {
      expect(Object.keys(metrics)).toEqual([
        'ndcg@5',
        'ndcg@5_low',
        'ndcg@5_high',
        'recall@5',
        'hr@5',
        'mrr',
        'coverage',
        'train_seconds',
      ]);
      for (const [key, value] of Object.entries(metrics)) {
        expect(value).toBeGreaterThanOrEqual(0);
        if (key !== 'train_seconds') expect(value).toBeLessThanOrEqual(1);
      }
    }
    expect(report.recommenders.popularity!['hr@5']).toBeGreaterThan(0);
    for (const metrics of [...Object.values(report.rankers), ...Object.values(report.recommenders)]) {
      expect(metrics['ndcg@5_low']).toBeLessThanOrEqual(metrics['ndcg@5']!);
      expect(metrics['ndcg@5_high']).toBeGreaterThanOrEqual(metrics['ndcg@5']!);
    }
    // The served pipeline finds what the groups share: far better than a feed of random items.
    expect(report.rankers.popularity!['hr@5']).toBeGreaterThan(0);
    expect(report.split).toMatchObject({
      kind: 'temporal',
      testFraction: 0.2,
      inputRows: 360,
      users: 60,
      items: 30,
    });
    expect(report.split.trainRows).toBeGreaterThan(0);
    expect(report.split.evaluatedUsers).toBeGreaterThan(0);
    // The default served ranker's blend is learned on the training window's last rows, ending at
    // the cut: the test period is never seen.
    const blend = report.blends['two-tower']!;
    expect(Object.keys(blend.weights)).toEqual([
      'model',
      'popularity',
      'recency',
      'trend',
      'freshness',
      'closingSoon',
      'categoryAffinity',
      'seriesAffinity',
      'neighbours',
      'siblings',
    ]);
    expect(blend.validation.to).toBe(report.split.cutoff);
    expect(Date.parse(blend.validation.from as string)).toBeLessThan(
      Date.parse(report.split.cutoff as string),
    );
    for (const ndcg of [blend.validation.ndcgHand, blend.validation.ndcgFitted]) {
      expect(ndcg).toBeGreaterThanOrEqual(0);
      expect(ndcg).toBeLessThanOrEqual(1);
    }
    // It is compared with every other line, paired over the same users.
    expect(report.comparisons.ranker).toBe('two-tower');
    expect(report.comparisons.users).toBe(report.split.evaluatedUsers);
    expect(Object.keys(report.comparisons.against)).toEqual([
      'served popularity',
      'served trending',
      'served category-affinity',
      'served popularity-global',
      'served ease',
      'served bpr-mf',
      ...Object.keys(report.recommenders),
    ]);
    for (const [name, d] of Object.entries(report.comparisons.against)) {
      const line = name.startsWith('served ') ? report.rankers[name.slice(7)]! : report.recommenders[name]!;
      expect(d.mean).toBeCloseTo(report.rankers['two-tower']!['ndcg@5']! - line['ndcg@5']!, 5);
      expect(d.low).toBeLessThanOrEqual(d.mean);
      expect(d.high).toBeGreaterThanOrEqual(d.mean);
    }
  });

  it('prints a table for a subset of recommenders and leave-last-out', async () => {
    const out = await sibylEval(
      ...fileArgs(),
      '--split',
      'leave-last-out',
      '--recommenders',
      'popularity,item-knn',
      '--rankers',
      'popularity',
    );
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^split: leave-last-out, cut /);
    expect(out).toMatch(/^served rankers \(the feed's pipeline\):$/m);
    expect(out).toMatch(/^recommender\s+ndcg@10\s+95% CI\s+recall@10\s+hr@10\s+mrr\s+coverage\s+train s$/m);
    expect(out).toMatch(/^popularity\s+\d\.\d{4}\s+\d\.\d{4}–\d\.\d{4}/m);
    expect(out).toMatch(/^popularity\s+\d\.\d{4}/m);
    expect(out).toMatch(/^item-knn\s+\d\.\d{4}/m);
    expect(out).not.toMatch(/^ease/m);
  });

  it('says which weights the learned blend serves, and why', async () => {
    const json = JSON.parse(
      await sibylEval(...fileArgs(), '--recommenders', 'two-tower', '--rankers', 'two-tower', '--json'),
    ) as { blends: Record<string, { validation: Record<string, unknown> }> };
    const { learned, outOfBagGain } = json.blends['two-tower']!.validation as {
      learned: boolean;
      outOfBagGain: { mean: number; low: number; high: number; users: number };
    };
    // The ascended weights serve exactly when their gain on the users the bags left out is above zero.
    expect(outOfBagGain.users).toBeGreaterThan(0);
    expect(outOfBagGain.low).toBeLessThanOrEqual(outOfBagGain.mean);
    expect(learned).toBe(outOfBagGain.low > 0);
    const out = await sibylEval(...fileArgs(), '--recommenders', 'two-tower', '--rankers', 'two-tower');
    expect(out).toMatch(/^learned blends \(fitted on the training window before the cut\):$/m);
    expect(out).toMatch(
      learned
        ? /^ {2}two-tower: ascended from the configured weights \(out of bag \+\d\.\d{4} \[\+\d\.\d{4}, [+-]\d\.\d{4}\] over \d+ users\); \d+ validation users$/m
        : /^ {2}two-tower: the \S+ weights \(the ascent's out of bag [+-]\d\.\d{4} .*: not beyond doubt\); \d+ validation users$/m,
    );
    expect(out).toMatch(/^ {4}model \d/m);
  });

  it('names the flag of a bad option', async () => {
    const bad = (args: string[], message: RegExp) =>
      expect(sibylEval(...args)).rejects.toSatisfy(
        (e: unknown) => e instanceof UsageError && message.test(e.message),
      );
    await bad([...fileArgs(), '--k', '0'], /^--k must be an integer from 1/);
    await bad([...fileArgs(), '--test-fraction', '1.5'], /^--test-fraction must be a number between 0 and 1/);
    await bad([...fileArgs(), '--split', 'random'], /^--split must be temporal or leave-last-out/);
    await bad(
      [...fileArgs(), '--recommenders', 'popularity,oracle'],
      /^--recommenders: unknown "oracle"; known: popularity,/,
    );
    await bad([...fileArgs(), '--rankers', 'oracle'], /^--rankers: unknown "oracle"; known: popularity,/);
    await bad(['--interactions', csv, '--user-col', 'user'], /^--interactions needs --item-col, --time-col$/);
    await bad([...fileArgs(), '--cold-start'], /^--cold-start needs market content/);
    await bad(
      ['--interactions', csv, '--user-col', 'u', '--item-col', 'item', '--time-col', 'time'],
      /no column "u" \(--user-col\)/,
    );
  });

  it('evaluates the store’s interactions, with a cold-start section over new markets', async () => {
    const data = join(dir, 'data');
    const store = await openEmbeddedStore({ dir: data });
    await ensureIndexes(store);
    await simulateToStore(store, { seed: 3, users: 60, days: 6, end: TEST_END });
    await store.close();
    vi.stubEnv('SIBYL_DATA_DIR', data);
    vi.stubEnv('MONGODB_URI', '');
    vi.stubEnv('LOG_LEVEL', 'silent');
    try {
      const out = await sibylEval(
        '--to',
        TEST_END.toISOString(),
        '--recommenders',
        'popularity,category-affinity',
        '--cold-start',
        '--json',
      );
      const report = JSON.parse(out) as Record<string, Record<string, Record<string, unknown>>>;
      expect(Object.keys(report)).toEqual(['rankers', 'recommenders', 'split', 'cold_start']);
      // No model fitted in this run: the model-based served ranker is left out.
      expect(Object.keys(report.rankers!)).toEqual([
        'popularity',
        'trending',
        'category-affinity',
        'popularity-global',
      ]);
      expect(Object.keys(report.recommenders!)).toEqual(['popularity', 'category-affinity']);
      expect(Object.keys(report.cold_start!)).toEqual(['popularity', 'category-affinity', 'split']);
      expect(report.cold_start!.split).toMatchObject({ kind: 'cold-start', testFraction: 0.2 });
      expect(report.cold_start!.split!.newItems).toBeGreaterThan(0);
      for (const name of ['popularity', 'category-affinity']) {
        expect(Object.keys(report.cold_start![name]!)).toEqual([
          'ndcg@10',
          'ndcg@10_low',
          'ndcg@10_high',
          'recall@10',
          'hr@10',
          'mrr',
          'coverage',
          'train_seconds',
        ]);
      }
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
