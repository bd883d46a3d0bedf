import type { Command } from 'commander';
import { modelRegistryFromConfig } from '../../../models/registry/index.js';
import { DEFAULT_KIND, hasKind, listKinds } from '../../../models/kinds.js';
import { MODEL_STATUSES, type ModelDoc, type ModelStatus } from '../../domain/model-doc.js';
import type { ModelRegistry } from '../../../models/registry/registry.js';
import { withStore } from '../context.js';
import { UsageError } from '../errors.js';
import { formatMetrics } from './train.js';

const iso = (d: Date | undefined) => (d ? new Date(d).toISOString().replace(/\.\d+Z$/, 'Z') : '—');

/** The metric of the line the gate judged: the default ranker served with the model, or the bare model. */
function summary(doc: ModelDoc, metric: string): string {
  const value = doc.metrics?.[doc.comparisons?.subject ?? 'candidate']?.[metric];
  return [
    doc.version.padEnd(32),
    doc.status.padEnd(9),
    doc.kind.padEnd(12),
    iso(doc.createdAt).padEnd(20),
    (value === undefined ? '—' : value.toFixed(4)).padStart(10),
    doc.gate?.reason ?? doc.error ?? '',
  ].join(' ');
}

function describe(doc: ModelDoc): string {
  const { metrics, _id, ...rest } = doc as ModelDoc & { _id?: unknown };
  const lines = [JSON.stringify(rest, null, 2)];
  if (metrics) lines.push('', formatMetrics(metrics));
  return lines.join('\n');
}

async function withRegistry<R>(fn: (registry: ModelRegistry, metric: string) => Promise<R>): Promise<R> {
  return withStore({ embedded: true }, ({ config, store, logger }) =>
    fn(modelRegistryFromConfig(config, store, logger), config.MODEL_PROMOTION_METRIC),
  );
}

export function registerModels(program: Command): void {
  const models = program
    .command('models')
    .description('The model registry: list versions, show one, promote one by hand, roll back');

  models
    .command('list')
    .description('Model versions, newest first, with the gate metric and decision')
    .option('--status <status>', `only this status (${MODEL_STATUSES.join(', ')})`)
    .option('--kind <kind>', `only this kind (${listKinds().join(', ')})`)
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON', false)
    .action(async (opts: { status?: string; kind?: string; limit: string; json: boolean }) => {
      if (opts.status && !MODEL_STATUSES.includes(opts.status as ModelStatus)) {
        throw new UsageError(`--status: expected one of ${MODEL_STATUSES.join(', ')}`);
      }
      checkKind(opts.kind);
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit: expected a positive integer');
      await withRegistry(async (registry, metric) => {
        const docs = await registry.listModels({
          ...(opts.status ? { status: opts.status as ModelStatus } : {}),
          ...(opts.kind ? { kind: opts.kind } : {}),
          limit,
        });
        if (opts.json) {
          console.log(JSON.stringify(docs, null, 2));
          return;
        }
        if (!docs.length) {
          console.log('no models yet: `sibyl train` trains one');
          return;
        }
        const active = await registry.activeModels();
        console.log(
          `active: ${active.length ? active.map((d) => `${d.kind} ${d.version}`).join(', ') : 'none'}\n`,
        );
        console.log(
          `${'version'.padEnd(32)} ${'status'.padEnd(9)} ${'kind'.padEnd(12)} ${'created'.padEnd(20)} ${metric.padStart(10)} reason`,
        );
        for (const doc of docs) console.log(summary(doc, metric));
      });
    });

  models
    .command('show <version>')
    .description(
      'One version: data window, hyperparameters, split, gate decision and metrics per recommender',
    )
    .option('--json', 'print JSON', false)
    .action(async (version: string, opts: { json: boolean }) => {
      await withRegistry(async (registry) => {
        const doc = await registry.require(version);
        console.log(opts.json ? JSON.stringify(doc, null, 2) : describe(doc));
      });
    });

  models
    .command('promote <version>')
    .description('Make a version active by hand, bypassing the gate (it must load; failed models cannot)')
    .option('--reason <text>', 'why, kept with the model')
    .action(async (version: string, opts: { reason?: string }) => {
      await withRegistry(async (registry) => {
        const promoted = await registry.promoteManually(version, opts.reason);
        console.log(`${promoted.version} is ${promoted.status}`);
      });
    });

  models
    .command('rollback [version]')
    .description(
      "Make a previously active version active again (default: the one of --kind before the current one); other kinds' active models stay",
    )
    .option('--kind <kind>', `the kind to roll back (${listKinds().join(', ')})`, DEFAULT_KIND)
    .action(async (version: string | undefined, opts: { kind: string }) => {
      checkKind(opts.kind);
      await withRegistry(async (registry) => {
        const kind = version ? (await registry.require(version)).kind : opts.kind;
        const before = await registry.activeModel(kind);
        const active = await registry.rollback(version, { kind });
        console.log(`rolled back ${kind} from ${before?.version ?? 'none'} to ${active.version}`);
      });
    });
}

function checkKind(kind: string | undefined): void {
  if (kind !== undefined && !hasKind(kind))
    throw new UsageError(`--kind: expected one of ${listKinds().join(', ')}, got "${kind}"`);
}
