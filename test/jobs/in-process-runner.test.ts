import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import type { Processor } from '../../jobs/processors.js';
import { InProcessJobRunner } from '../../jobs/runners/in-process-runner.js';
import type { JobName, JobStatus } from '../../jobs/job-types.js';
import { silentLogger } from '../../src/log/logger.js';

function processors(overrides: Partial<Record<JobName, Processor>>): Record<JobName, Processor> {
  const idle: Processor = async () => 'ok';
  return {
    'refresh-features': idle,
    'rebuild-features': idle,
    'sync-markets': idle,
    nightly: idle,
    train: idle,
    evaluate: idle,
    promote: idle,
    'daily-report': idle,
    ...overrides,
  };
}

async function settled(runner: InProcessJobRunner, id: string): Promise<JobStatus> {
  for (;;) {
    const s = await runner.status(id);
    if (s?.state === 'completed' || s?.state === 'failed') return s;
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('in-process job runner', () => {
  it('joins a trigger to an identical pending job and runs one job per queue at a time', async () => {
    let running = 0;
    let maxRunning = 0;
    const slow: Processor = async () => {
      maxRunning = Math.max(maxRunning, ++running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return 'done';
    };
    const runner = new InProcessJobRunner(
      processors({ 'rebuild-features': slow, 'refresh-features': slow }),
      silentLogger,
      1,
    );
    const [a, b] = await Promise.all([
      runner.trigger('rebuild-features'),
      runner.trigger('rebuild-features'),
    ]);
    expect(b).toEqual({ id: a.id, name: 'rebuild-features', deduplicated: true });
    const c = await runner.trigger('refresh-features');
    expect((await settled(runner, a.id)).state).toBe('completed');
    expect((await settled(runner, c.id)).state).toBe('completed');
    expect(maxRunning).toBe(1);
    await runner.close();
  });

  it('joins only a trigger that asks for the same thing: another payload is another job', async () => {
    const dates: unknown[] = [];
    const report: Processor = async (ctx) => {
      await new Promise((r) => setTimeout(r, 20));
      dates.push((ctx.data as { date?: string }).date);
      return 'reported';
    };
    const runner = new InProcessJobRunner(processors({ 'daily-report': report }), silentLogger, 1);
    const first = await runner.trigger('daily-report', { date: '2026-11-20' });
    const again = await runner.trigger('daily-report', { date: '2026-11-20' });
    const other = await runner.trigger('daily-report', { date: '2026-11-21' });
    expect(again).toEqual({ id: first.id, name: 'daily-report', deduplicated: true });
    expect(other.deduplicated).toBe(false);
    expect(other.id).not.toBe(first.id);
    expect((await settled(runner, other.id)).state).toBe('completed');
    expect(dates).toEqual(['2026-11-20', '2026-11-21']);
    await runner.close();
  });

  it('retries with backoff, and gives up at once on unrecoverable errors', async () => {
    let calls = 0;
    const runner = new InProcessJobRunner(
      processors({
        'sync-markets': async () => {
          if (++calls < 3) throw new Error('flaky');
          return 'synced';
        },
        nightly: async () => {
          throw new UnrecoverableError('bad input');
        },
      }),
      silentLogger,
      1,
    );
    const flaky = await settled(runner, (await runner.trigger('sync-markets')).id);
    expect(flaky).toMatchObject({ state: 'completed', attemptsMade: 3, result: 'synced' });
    const bad = await settled(runner, (await runner.trigger('nightly')).id);
    expect(bad).toMatchObject({ state: 'failed', attemptsMade: 1, error: 'bad input' });
    await runner.close();
  });
});
