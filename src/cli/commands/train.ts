import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { hasKind, listKinds } from '../../../models/kinds.js';
import type { Metrics } from '../../domain/model-doc.js';
import { modelPipelineFromConfig, type PromoteResult } from '../../../jobs/model-pipeline/index.js';
import { withStore } from '../context.js';
import { UsageError } from '../errors.js';

interface TrainOptions {
  kind?: string;
  windowDays?: string;
  testFraction?: string;
  seed?: string;
  promote: boolean;
  json: boolean;
}

function numberOption(
  value: string | undefined,
  name: string,
  check: (n: number) => boolean,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${name}: invalid value "${value}"`);
  return n;
}

/** Rankers as rows, metrics as columns. */
export function formatMetrics(metrics: Record<string, Metrics>): string {
  const names = Object.keys(metrics);
  const columns = [...new Set(names.flatMap((n) => Object.keys(metrics[n]!)))];
  const width = Math.max(9, ...names.map((n) => n.length));
  const lines = [['ranker'.padEnd(width), ...columns.map((c) => c.padStart(12))].join(' ')];
  for (const name of names) {
    const row = metrics[name]!;
    lines.push(
      [
        name.padEnd(width),
        ...columns.map((c) => (row[c] === undefined ? '—' : row[c]!.toFixed(4)).padStart(12)),
      ].join(' '),
    );
  }
  return lines.join('\n');
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description(
      'Train a candidate model, evaluate it against the active model and the baselines on one temporal split, and promote it if it passes the gate (the nightly jobs, in this process)',
    )
    .option('--kind <kind>', 'model kind (default: two-tower)')
    .option('--window-days <days>', 'days of interactions to train on (default: MODEL_TRAIN_WINDOW_DAYS)')
    .option('--test-fraction <f>', 'share of the latest interactions held out (default: MODEL_TEST_FRACTION)')
    .option('--seed <n>', 'random seed', '42')
    .option('--no-promote', 'train and evaluate only; leave the candidate for `sibyl models promote`')
    .option('--json', 'print the result as JSON', false)
    .action(async (opts: TrainOptions) => {
      const windowDays = numberOption(opts.windowDays, 'window-days', (n) => n > 0);
      const testFraction = numberOption(opts.testFraction, 'test-fraction', (n) => n > 0 && n < 1);
      const seed = numberOption(opts.seed, 'seed', Number.isInteger);
      if (opts.kind && !hasKind(opts.kind)) {
        throw new UsageError(`--kind: unknown model kind "${opts.kind}"; kinds: ${listKinds().join(', ')}`);
      }
      // Like features, a one-off step: the embedded store under SIBYL_DATA_DIR unless MONGODB_URI is set.
      await withStore({ embedded: true }, async ({ config, store, logger }) => {
        const pipeline = modelPipelineFromConfig(config, store, logger);
        const kind = opts.kind ?? pipeline.settings.kind;
        if (!hasKind(kind)) {
          throw new UsageError(
            `model kind "${kind}" is not available; kinds: ${listKinds().join(', ') || '(none)'}`,
          );
        }
        const chainId = `cli-${new Date().toISOString()}-${randomBytes(3).toString('hex')}`;
        const bar = new SingleBar(
          { format: 'train |{bar}| {percentage}% {stage}', hideCursor: true },
          Presets.shades_classic,
        );
        const phase = (from: number, to: number) => (fraction: number, stage: string) =>
          bar.update(Math.round(100 * (from + (to - from) * fraction)), { stage });
        bar.start(100, 0, { stage: '' });
        let trained;
        let evaluated;
        let decision: PromoteResult | undefined;
        try {
          trained = await pipeline.train(
            {
              chainId,
              kind,
              ...(seed !== undefined ? { seed } : {}),
              ...(windowDays !== undefined ? { windowDays } : {}),
              ...(testFraction !== undefined ? { testFraction } : {}),
            },
            phase(0, 0.7),
          );
          evaluated = await pipeline.evaluate({ version: trained.version }, phase(0.7, 0.97));
          if (opts.promote) decision = await pipeline.promote({ version: trained.version }, phase(0.97, 1));
          bar.update(100, { stage: 'done' });
        } finally {
          bar.stop();
        }
        const result = {
          version: trained.version,
          kind: trained.kind,
          status: decision?.status ?? evaluated.status,
          decision: decision ? { decision: decision.decision, reason: decision.reason } : null,
          trainSeconds: trained.trainSeconds,
          split: evaluated.split,
          metrics: evaluated.metrics,
        };
        if (opts.json) {
          console.log(JSON.stringify(result, null, 2));
          return;
        }
        console.log(`model ${result.version} (${result.kind}): ${result.status}`);
        if (decision)
          console.log(`${decision.decision === 'promote' ? 'promoted' : 'rejected'}: ${decision.reason}`);
        else
          console.log(`not promoted (--no-promote): \`sibyl models promote ${result.version}\` to serve it`);
        if (evaluated.metrics) console.log(`\n${formatMetrics(evaluated.metrics)}`);
      });
    });
}
