import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { z } from 'zod';
import {
  OUTPUT_FILES,
  SIMULATION_DEFAULTS,
  SIMULATION_LIMITS,
  defaultEnd,
  simulate,
  simulateToStore,
  writeSimulationFiles,
  type ProgressListener,
  type SimulationCounts,
  type SimulationOptions,
  type SimulationProgress,
} from '../../simulator/index.js';
import { withStore } from '../context.js';
import { UsageError } from '../errors.js';

interface SimulateFlags {
  seed: string;
  users: string;
  days: string;
  end?: string;
  out?: string;
  toStore?: boolean;
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(
      'Generate a seeded synthetic exchange (series, events, markets, users, interactions) into the store, or into files with --out',
    )
    .option(
      '--seed <n>',
      'random seed (same seed and --end: identical output)',
      String(SIMULATION_DEFAULTS.seed),
    )
    .option('--users <n>', 'number of users, user-1 … user-N', String(SIMULATION_DEFAULTS.users))
    .option('--days <n>', 'days of activity before --end', String(SIMULATION_DEFAULTS.days))
    .option(
      '--end <iso>',
      'end of the simulated window, e.g. 2026-11-22T00:00:00Z (default: start of today, UTC)',
    )
    .option('--out <dir>', `write ${Object.values(OUTPUT_FILES).join(', ')} to DIR`)
    .option(
      '--to-store',
      'write through the ingestion layer into the configured store (the default without --out)',
    )
    .action(async (flags: SimulateFlags) => {
      const options = parseFlags(flags);
      if (flags.out) {
        const out = flags.out;
        const sim = simulate(options);
        const counts = await withProgress(options.days, (onProgress) =>
          writeSimulationFiles(sim, out, onProgress),
        );
        summarize(options, sim.start, sim.end, counts, `files in ${out}`);
        return;
      }
      const { result, where } = await withStore({ embedded: true }, async ({ store }) => ({
        result: await withProgress(options.days, (onProgress) =>
          simulateToStore(store, { ...options, onProgress }),
        ),
        where: store.describe(),
      }));
      summarize(options, result.start, result.end, result.counts, where);
      const tastes = result.demoUser.categories
        .slice(0, 2)
        .map((c) => `${c.category} ${Math.round(c.share * 100)}%`);
      console.log(
        `  try ${result.demoUserId}: ${tastes.join(', ')}; follows ${result.demoUser.favouriteSeries.join(', ')}`,
      );
    });
}

function parseFlags(flags: SimulateFlags): Required<Omit<SimulationOptions, 'dynamics'>> {
  if (flags.out !== undefined && flags.toStore)
    throw new UsageError('use either --out DIR or --to-store, not both');
  return {
    seed: integerFlag('--seed', flags.seed, 0, 0xffffffff),
    users: integerFlag('--users', flags.users, 1, SIMULATION_LIMITS.users),
    days: integerFlag('--days', flags.days, 1, SIMULATION_LIMITS.days),
    end: flags.end === undefined ? defaultEnd() : dateFlag('--end', flags.end),
  };
}

function integerFlag(name: string, value: string, min: number, max: number): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

const isoDateTime = z.iso.datetime({ offset: true });

/** ISO-8601 with a zone (2026-11-22T00:00:00Z) or a bare date, read as midnight UTC. */
function dateFlag(name: string, value: string): Date {
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  if (!isoDateTime.safeParse(text).success) {
    throw new UsageError(
      `${name} must be an ISO-8601 date-time with a zone, e.g. 2026-11-22T00:00:00Z, got "${value}"`,
    );
  }
  return new Date(text);
}

/** Runs `task` with a progress bar on stderr (without a terminal, a line every few seconds instead). */
async function withProgress<T>(days: number, task: (onProgress: ProgressListener) => Promise<T>): Promise<T> {
  const bar = new SingleBar(
    {
      format: 'simulate |{bar}| day {value}/{total} | {interactions} interactions | {phase}',
      stream: process.stderr,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 5000,
    },
    Presets.shades_classic,
  );
  bar.start(days, 0, { phase: 'catalogue', interactions: '0' });
  try {
    return await task((p: SimulationProgress) =>
      bar.update(p.day, { phase: p.phase, interactions: p.interactions.toLocaleString('en-US') }),
    );
  } finally {
    bar.stop();
  }
}

function summarize(
  o: Required<Omit<SimulationOptions, 'dynamics'>>,
  start: Date,
  end: Date,
  c: SimulationCounts,
  where: string,
): void {
  const n = (x: number) => x.toLocaleString('en-US');
  console.log(
    `Simulated seed ${o.seed}, ${n(o.users)} users over ${o.days} days (${start.toISOString()} to ${end.toISOString()}):`,
  );
  console.log(
    `  ${n(c.series)} series, ${n(c.events)} events, ${n(c.markets)} markets, ${n(c.users)} users, ${n(c.interactions)} interactions → ${where}`,
  );
}
