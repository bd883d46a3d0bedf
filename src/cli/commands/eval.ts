import type { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import type { InteractionLog, ItemContent } from '../../../models/core/types.js';
import { InteractionFileError, readInteractionCsv } from '../../../models/data/csv.js';
import { loadTrainingData } from '../../../models/data/from-store.js';
import {
  fitAndEvaluate,
  pairedDifference,
  type Contender,
  type ContenderResult,
} from '../../../models/eval/fit-and-evaluate.js';
import { RECOMMENDERS, RECOMMENDER_LIST, type RecommenderEntry } from '../../../models/eval/recommenders.js';
import {
  coldStartSplit,
  makeSplit,
  testHorizonMs,
  type EvalSplit,
  type SplitInfo,
} from '../../../models/eval/split.js';
import { bootstrapMean, type Interval } from '../../../models/eval/bootstrap.js';
import { servingModels } from '../../../models/kinds.js';
import { servedRankerContenders } from '../../feed/offline/served-ranker.js';
import { fitServedBlends, type BlendFit } from '../../feed/offline/blend-fit.js';
import { DEFAULT_RANKER, rankerNames } from '../../feed/rankers/rankers.js';
import { withStore } from '../context.js';
import { UsageError } from '../errors.js';

interface EvalFlags {
  interactions?: string;
  userCol?: string;
  itemCol?: string;
  timeCol?: string;
  weightCol?: string;
  sep: string;
  from?: string;
  to?: string;
  split: string;
  testFraction: string;
  k: string;
  recommenders?: string;
  rankers?: string;
  seed: string;
  coldStart: boolean;
  json: boolean;
  progress: boolean;
}

interface EvalSettings {
  split: 'temporal' | 'leave-last-out';
  testFraction: number;
  k: number;
  seed: number;
  recommenders: RecommenderEntry[];
  /** Served rankers to evaluate through the feed's pipeline. */
  rankers: string[];
  coldStart: boolean;
}

/**
 * One line of the report: the metrics at k, the 95% bootstrap interval of nDCG@k over evaluated
 * users (`ndcg@k_low`, `ndcg@k_high`) and the training time.
 */
type RecommenderReport = Record<string, number>;

export interface EvalReport {
  /** Served rankers, scored through the feed's own pipeline (src/feed/offline/served-ranker.ts). */
  rankers: Record<string, RecommenderReport>;
  /** Offline recommenders: baselines and models. */
  recommenders: Record<string, RecommenderReport>;
  split: SplitInfo;
  /** Learned blends of the model-based served rankers, by ranker (fitted before the cut). */
  blends?: Record<string, BlendFit>;
  /**
   * The default served ranker against every other line: the mean per-user difference of nDCG@k
   * and its paired bootstrap 95% interval (the same users, the same resamples).
   */
  comparisons?: { ranker: string; users: number; against: Record<string, Interval> };
  cold_start?: Record<string, RecommenderReport | SplitInfo>;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description(
      'Train every baseline (and model) on one split of an interaction log and compare ranking metrics',
    )
    .option('--interactions <file>', 'a CSV of interactions with a header row (default: the store)')
    .option('--user-col <name>', 'user id column of --interactions')
    .option('--item-col <name>', 'item id column of --interactions')
    .option('--time-col <name>', 'time column: epoch seconds, epoch milliseconds or ISO-8601')
    .option('--weight-col <name>', 'interaction weight column (default: every row weighs 1)')
    .option('--sep <char>', 'field separator of --interactions', ',')
    .option('--from <iso>', 'store data: first interaction time to use (default: all)')
    .option('--to <iso>', 'store data: interactions strictly before this time (default: now)')
    .option('--split <kind>', 'temporal or leave-last-out', 'temporal')
    .option('--test-fraction <f>', 'temporal split: share of (deduplicated) rows held out, by time', '0.2')
    .option('--k <n>', 'cut-off of nDCG, recall, hit rate and coverage', '10')
    .option(
      '--recommenders <names>',
      `comma-separated subset of: ${RECOMMENDER_LIST.map((r) => r.name).join(', ')}`,
    )
    .option(
      '--rankers <names>',
      `served rankers to evaluate through the feed's pipeline (default all, or none): ${rankerNames().join(', ')}`,
    )
    .option('--seed <n>', 'random seed of the trained models', '42')
    .option('--cold-start', 'store data: also evaluate on markets first seen after the cut', false)
    .option('--json', 'print the report as JSON', false)
    .option('--no-progress', 'no progress bar on stderr')
    .addHelpText(
      'after',
      `
Protocol: (user, item) pairs are deduplicated (earliest time, summed weight) and sorted by time.
temporal holds out the pairs at or after the time at quantile 1 − f; leave-last-out holds out each
user's last pair. Test pairs whose user or item has no training pair are dropped. Every recommender is
scored on every candidate item (never sampled) except the user's own training items.

Examples:
  sibyl eval --json                                   # the store (simulate or import first)
  sibyl eval --interactions ratings.csv --user-col userId --item-col movieId \\
    --time-col timestamp --split temporal --test-fraction 0.2 --k 10 --json`,
    )
    .action(async (flags: EvalFlags) => {
      const settings = parseFlags(flags);
      const data = await loadData(flags);
      const report = await runEvaluation(data.log, data.content, settings, flags.progress);
      if (flags.json) console.log(JSON.stringify(report, null, 2));
      else for (const line of formatReport(report, settings.k)) console.log(line);
    });
}

function parseFlags(flags: EvalFlags): EvalSettings {
  if (flags.split !== 'temporal' && flags.split !== 'leave-last-out')
    throw new UsageError(`--split must be temporal or leave-last-out, got "${flags.split}"`);
  const testFraction = Number(flags.testFraction);
  if (flags.testFraction.trim() === '' || !(testFraction > 0 && testFraction < 1))
    throw new UsageError(
      `--test-fraction must be a number between 0 and 1 (exclusive), got "${flags.testFraction}"`,
    );
  const k = integerFlag('--k', flags.k, 1, 10_000);
  const seed = integerFlag('--seed', flags.seed, 0, 0xffffffff);
  let recommenders = [...RECOMMENDER_LIST];
  if (flags.recommenders !== undefined) {
    const names = flags.recommenders
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = names.filter((n) => !RECOMMENDERS.has(n));
    if (unknown.length || !names.length)
      throw new UsageError(
        `--recommenders: unknown ${unknown.map((n) => `"${n}"`).join(', ') || 'empty list'}; known: ${RECOMMENDER_LIST.map((r) => r.name).join(', ')}`,
      );
    recommenders = [...new Set(names)].map((n) => RECOMMENDERS.get(n)!);
  }
  const rankers = parseRankers(flags.rankers);
  const file = flags.interactions;
  const columnFlags: [string, string | undefined][] = [
    ['--user-col', flags.userCol],
    ['--item-col', flags.itemCol],
    ['--time-col', flags.timeCol],
  ];
  if (file !== undefined) {
    const missing = columnFlags.filter(([, v]) => v === undefined).map(([f]) => f);
    if (missing.length) throw new UsageError(`--interactions needs ${missing.join(', ')}`);
    if (flags.from !== undefined || flags.to !== undefined)
      throw new UsageError('--from and --to select store data; filter the --interactions file instead');
    if (flags.coldStart)
      throw new UsageError(
        '--cold-start needs market content, which only store data has; drop --interactions',
      );
    if (flags.sep.length !== 1 && flags.sep !== '\\t')
      throw new UsageError(`--sep must be one character, got "${flags.sep}"`);
  } else {
    const given = [...columnFlags, ['--weight-col', flags.weightCol] as [string, string | undefined]]
      .filter(([, v]) => v !== undefined)
      .map(([f]) => f);
    if (given.length)
      throw new UsageError(`${given.join(', ')} ${given.length > 1 ? 'apply' : 'applies'} to --interactions`);
  }
  return { split: flags.split, testFraction, k, seed, recommenders, rankers, coldStart: flags.coldStart };
}

function parseRankers(flag: string | undefined): string[] {
  if (flag === undefined) return rankerNames();
  if (flag.trim() === 'none') return [];
  const names = [
    ...new Set(
      flag
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  const unknown = names.filter((n) => !rankerNames().includes(n));
  if (unknown.length || !names.length)
    throw new UsageError(
      `--rankers: unknown ${unknown.map((n) => `"${n}"`).join(', ') || 'empty list'}; known: ${rankerNames().join(', ')}, or none`,
    );
  return names;
}

function integerFlag(name: string, value: string, min: number, max: number): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
  return n;
}

function dateFlag(name: string, value: string): Date {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`${name} must be an ISO-8601 date-time, got "${value}"`);
  return new Date(ms);
}

async function loadData(flags: EvalFlags): Promise<{ log: InteractionLog; content?: ItemContent[] }> {
  if (flags.interactions !== undefined) {
    try {
      const log = await readInteractionCsv(flags.interactions, {
        userCol: flags.userCol!,
        itemCol: flags.itemCol!,
        timeCol: flags.timeCol!,
        ...(flags.weightCol !== undefined ? { weightCol: flags.weightCol } : {}),
        sep: flags.sep === '\\t' ? '\t' : flags.sep,
      });
      if (log.user.length === 0) throw new UsageError(`${flags.interactions}: no interactions`);
      return { log };
    } catch (err) {
      throw err instanceof InteractionFileError ? new UsageError(err.message) : err;
    }
  }
  const window: { from?: Date; to: Date } = { to: flags.to ? dateFlag('--to', flags.to) : new Date() };
  if (flags.from !== undefined) window.from = dateFlag('--from', flags.from);
  // Like features and train: the embedded store under SIBYL_DATA_DIR unless MONGODB_URI is set.
  const data = await withStore({ embedded: true }, ({ store }) => loadTrainingData(store, window));
  if (data.log.user.length === 0)
    throw new UsageError(
      'no positive interactions in the store for that window (run `sibyl simulate` or `sibyl import` first, or give --interactions)',
    );
  return data;
}

/** Trains and evaluates each recommender on the split (and the cold-start split when asked). */
export async function runEvaluation(
  log: InteractionLog,
  content: ItemContent[] | undefined,
  settings: EvalSettings,
  progress = true,
): Promise<EvalReport> {
  const splitOptions = content ? { content } : {};
  const split = makeSplit(log, {
    ...splitOptions,
    kind: settings.split,
    testFraction: settings.testFraction,
  });
  const bar = progressBar(progress);
  try {
    const main = await evaluateAll(split, settings, bar, '');
    // Served rankers rank with the models fitted above, as the feed ranks with the active one,
    // and a model-based ranker with the blend a retrain would learn before the cut.
    const fitted = [...main.fitted.values()].map((r) => r.recommender);
    const models = await servingModels(fitted, 'eval');
    const horizonMs = testHorizonMs(split.info);
    const blends = await fitServedBlends(split.train, fitted, {
      ...(horizonMs !== undefined ? { horizonMs } : {}),
      rankers: settings.rankers,
      seed: settings.seed,
      k: settings.k,
      onProgress: (f, stage) => bar?.update(Math.round(f * 100), { recommender: 'served blend', stage }),
    });
    const weights = new Map([...blends].map(([name, fit]) => [name, fit.weights]));
    const served = await fitAndEvaluate(servedRankerContenders(models, settings.rankers, weights), split, {
      k: settings.k,
      seed: settings.seed,
      onProgress: (f, name, stage) =>
        bar?.update(Math.round(f * 100), { recommender: `served ${name}`, stage }),
    });
    const report: EvalReport = {
      rankers: reportsOf(served, settings.seed),
      recommenders: main.reports,
      split: split.info,
      ...(blends.size ? { blends: Object.fromEntries(blends) } : {}),
    };
    const comparisons = compareDefault(served, main.fitted, settings.k, settings.seed);
    if (comparisons) report.comparisons = comparisons;
    if (settings.coldStart) {
      const cold = coldStartSplit(log, { ...splitOptions, testFraction: settings.testFraction });
      // The cold-start split trains on exactly the temporal split's rows: reuse those fits.
      const fitted = settings.split === 'temporal' ? main : undefined;
      const coldReports = await evaluateAll(cold, settings, bar, 'cold-start ', fitted);
      report.cold_start = { ...coldReports.reports, split: cold.info };
    }
    return report;
  } finally {
    bar?.stop();
  }
}

interface Evaluated {
  reports: Record<string, RecommenderReport>;
  fitted: Map<string, ContenderResult>;
}

async function evaluateAll(
  split: EvalSplit,
  settings: EvalSettings,
  bar: SingleBar | undefined,
  label: string,
  reuse?: Evaluated,
): Promise<Evaluated> {
  const contenders = settings.recommenders.map((entry): Contender => {
    const earlier = reuse?.fitted.get(entry.name);
    return earlier
      ? { name: entry.name, recommender: earlier.recommender, fitted: { trainSeconds: earlier.trainSeconds } }
      : { name: entry.name, recommender: entry.create() };
  });
  const fitted = await fitAndEvaluate(contenders, split, {
    k: settings.k,
    seed: settings.seed,
    onProgress: (f, name, stage) =>
      bar?.update(Math.round(f * 100), { recommender: `${label}${name}`, stage }),
  });
  return { reports: reportsOf(fitted, settings.seed), fitted };
}

/** Report lines: metrics rounded, nDCG's bootstrap interval beside it, training time. */
function reportsOf(results: Map<string, ContenderResult>, seed: number): Record<string, RecommenderReport> {
  const reports: Record<string, RecommenderReport> = {};
  for (const [name, result] of results) {
    const line: RecommenderReport = {};
    for (const [key, value] of Object.entries(result.metrics)) {
      line[key] = round(value, 6);
      if (key.startsWith('ndcg@')) {
        const ci = bootstrapMean(result.perUser[key]!, { seed });
        line[`${key}_low`] = round(ci.low, 6);
        line[`${key}_high`] = round(ci.high, 6);
      }
    }
    line.train_seconds = round(result.trainSeconds ?? 0, 3);
    reports[name] = line;
  }
  return reports;
}

/** The default served ranker's paired differences with every other served ranker and recommender. */
function compareDefault(
  served: Map<string, ContenderResult>,
  recommenders: Map<string, ContenderResult>,
  k: number,
  seed: number,
): EvalReport['comparisons'] {
  const metric = `ndcg@${k}`;
  const ours = served.get(DEFAULT_RANKER);
  if (!ours?.perUser[metric]) return undefined;
  const against: Record<string, Interval> = {};
  const others = [
    ...[...served]
      .filter(([name]) => name !== DEFAULT_RANKER)
      .map(([name, r]) => [`served ${name}`, r] as const),
    ...recommenders,
  ];
  for (const [name, other] of others) {
    const d = pairedDifference(ours, other, metric, seed)!;
    against[name] = { mean: round(d.mean, 6), low: round(d.low, 6), high: round(d.high, 6) };
  }
  return { ranker: DEFAULT_RANKER, users: ours.perUser[metric].length, against };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function progressBar(enabled: boolean): SingleBar | undefined {
  if (!enabled || !process.stderr.isTTY) return undefined;
  const bar = new SingleBar(
    {
      format: 'eval |{bar}| {percentage}% {recommender} {stage}',
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    Presets.shades_classic,
  );
  bar.start(100, 0, { recommender: '', stage: 'split' });
  return bar;
}

/** The report as a table per split. */
export function formatReport(report: EvalReport, k: number): string[] {
  const lines = [...splitLines(report.split)];
  if (Object.keys(report.rankers).length > 0)
    lines.push("served rankers (the feed's pipeline):", ...recommenderTable(report.rankers, k), '');
  lines.push(...recommenderTable(report.recommenders, k));
  const sign = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(4);
  if (report.comparisons) {
    const { ranker, users, against } = report.comparisons;
    const width = Math.max(...Object.keys(against).map((n) => n.length));
    lines.push('', `served ${ranker} against each, paired over ${users} users (Δ ndcg@${k}, 95% CI):`);
    for (const [name, d] of Object.entries(against)) {
      const verdict = d.low > 0 ? 'ahead' : d.high < 0 ? 'behind' : 'not distinguishable';
      lines.push(`  ${name.padEnd(width)}  ${sign(d.mean)}  [${sign(d.low)}, ${sign(d.high)}]  ${verdict}`);
    }
  }
  if (report.blends) {
    lines.push('', 'learned blends (fitted on the training window before the cut):');
    for (const [name, fit] of Object.entries(report.blends)) {
      const { start = 'configured', learned, outOfBagGain: g, users } = fit.validation;
      const weights = Object.entries(fit.weights)
        .filter(([, w]) => w !== 0)
        .map(([term, w]) => `${term} ${Math.round(w * 100) / 100}`)
        .join(', ');
      const oob = g
        ? `out of bag ${sign(g.mean)} [${sign(g.low)}, ${sign(g.high)}] over ${g.users} users`
        : '';
      const serves =
        learned === false
          ? `the ${start} weights (the ascent's ${oob}: not beyond doubt)`
          : `ascended from the ${start} weights${oob ? ` (${oob})` : ''}`;
      lines.push(`  ${name}: ${serves}; ${users} validation users`, `    ${weights}`);
    }
  }
  if (report.cold_start) {
    const { split, ...recommenders } = report.cold_start;
    lines.push('', 'cold start (new markets only):', ...splitLines(split as SplitInfo));
    lines.push(...recommenderTable(recommenders as Record<string, RecommenderReport>, k));
  }
  return lines;
}

function splitLines(s: SplitInfo): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  const fraction = s.testFraction !== undefined ? `, test fraction ${s.testFraction}` : '';
  return [
    `split: ${s.kind}${fraction}, cut ${s.cutoff}`,
    `  ${n(s.inputRows)} rows, ${n(s.pairs)} pairs: ${n(s.trainRows)} train, ${n(s.testRows)} test (${n(s.droppedTestRows)} dropped)`,
    `  ${n(s.users)} users (${n(s.evaluatedUsers)} evaluated), ${n(s.items)} items (${n(s.trainItems)} in training${s.newItems !== undefined ? `, ${n(s.newItems)} new` : ''})`,
    '',
  ];
}

function recommenderTable(lines: Record<string, RecommenderReport>, k: number): string[] {
  const ndcg = `ndcg@${k}`;
  const columns: [string, (m: RecommenderReport) => string][] = [
    [ndcg, (m) => (m[ndcg] ?? 0).toFixed(4)],
    ['95% CI', (m) => `${(m[`${ndcg}_low`] ?? 0).toFixed(4)}–${(m[`${ndcg}_high`] ?? 0).toFixed(4)}`],
    ...[`recall@${k}`, `hr@${k}`, 'mrr', 'coverage'].map((c): [string, (m: RecommenderReport) => string] => [
      c,
      (m) => (m[c] ?? 0).toFixed(4),
    ]),
    ['train s', (m) => (m.train_seconds ?? 0).toFixed(2)],
  ];
  const nameWidth = Math.max('recommender'.length, ...Object.keys(lines).map((r) => r.length));
  const widths = columns.map(([h]) => Math.max(h.length, 8));
  const row = (name: string, cells: string[]) =>
    [name.padEnd(nameWidth), ...cells.map((c, i) => c.padStart(widths[i]!))].join('  ');
  return [
    row(
      'recommender',
      columns.map(([h]) => h),
    ),
    ...Object.entries(lines).map(([name, m]) =>
      row(
        name,
        columns.map(([, cell]) => cell(m)),
      ),
    ),
  ];
}
