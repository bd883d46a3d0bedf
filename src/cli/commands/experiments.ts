import type { Command } from 'commander';
import { DefinitionError, formatIssue } from '../../experiments/definitions/issues.js';
import { DEFAULT_DEFINITIONS_DIR, loadDefinitions } from '../../experiments/definitions/load.js';
import type { Definitions, ExperimentSummary } from '../../experiments/definitions/validate.js';
import { reportResults } from '../../experiments/report.js';
import { withStore } from '../context.js';
import { UsageError } from '../errors.js';
import { formatResults } from './format-results.js';

/** Exit code when the definitions are invalid (usage mistakes exit 2, through UsageError). */
const EXIT_INVALID = 1;

export function registerExperiments(program: Command): void {
  const experiments = program
    .command('experiments')
    .description(`Check and show the experiment definitions in ${DEFAULT_DEFINITIONS_DIR}/`);

  experiments
    .command('validate')
    .description('Validate every definition file; print each issue (file, feature, rule, field) and exit 1')
    .option('--dir <dir>', 'directory of definition files', DEFAULT_DEFINITIONS_DIR)
    .action(async (opts: { dir: string }) => {
      const definitions = await load(opts.dir);
      if (!definitions) return;
      const features = Object.keys(definitions.payload.features).length;
      console.log(`ok: ${features} features, ${definitions.experiments.length} experiments`);
    });

  experiments
    .command('list')
    .description('List the experiments: key, feature, variations with weights, coverage, targeting')
    .option('--dir <dir>', 'directory of definition files', DEFAULT_DEFINITIONS_DIR)
    .action(async (opts: { dir: string }) => {
      const definitions = await load(opts.dir);
      if (!definitions) return;
      if (!definitions.experiments.length) console.log(`no experiments in ${opts.dir}`);
      for (const experiment of definitions.experiments) console.log(describeExperiment(experiment));
    });

  experiments
    .command('results <key>')
    .description(
      'Per-variation exposed users, CTR, trade conversion, trades per user; lift vs control with 95% CI, p-value, chance to beat control; SRM check',
    )
    .option('--dir <dir>', 'directory of definition files', DEFAULT_DEFINITIONS_DIR)
    .option(
      '--url <url>',
      "a running Sibyl API to ask (e.g. the demo's http://localhost:8080): its experiments, edits made in the dashboard included, and its data",
    )
    .option('--key <key>', 'API key for --url (default: SIBYL_API_KEY)')
    .option('--json', 'print the full results as JSON', false)
    .action(async (key: string, opts: { dir: string; url?: string; key?: string; json: boolean }) => {
      if (opts.url) {
        const report = await resultsFromApi(opts.url, key, opts.key ?? process.env.SIBYL_API_KEY);
        console.log(opts.json ? JSON.stringify(report, null, 2) : formatResults(report));
        return;
      }
      const definitions = await load(opts.dir);
      if (!definitions) return;
      await withStore({ embedded: true }, async ({ store }) => {
        const report = await reportResults(store, definitions, key);
        console.log(opts.json ? JSON.stringify(report, null, 2) : formatResults(report));
      });
    });
}

type Report = Awaited<ReturnType<typeof reportResults>>;

/** The running service's results (GET /v1/experiments/{key}/results), or a UsageError saying why not. */
async function resultsFromApi(base: string, key: string, apiKey: string | undefined): Promise<Report> {
  if (!apiKey) throw new UsageError('--url needs an API key: pass --key or set SIBYL_API_KEY');
  let url: URL;
  try {
    url = new URL(
      `v1/experiments/${encodeURIComponent(key)}/results`,
      base.endsWith('/') ? base : `${base}/`,
    );
  } catch {
    throw new UsageError(`--url: not a URL: ${base}`);
  }
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` } });
  } catch (err) {
    throw new UsageError(`--url: cannot reach ${url.origin} (${(err as Error).message})`);
  }
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  if (!res.ok)
    throw new UsageError(`${url.origin} answered ${res.status}: ${body?.error?.message ?? res.statusText}`);
  return body as Report;
}

/** The definitions, or undefined after printing their issues and setting the exit code. */
async function load(dir: string): Promise<Definitions | undefined> {
  try {
    return await loadDefinitions(dir);
  } catch (err) {
    if (err instanceof DefinitionError) {
      for (const issue of err.issues) console.log(formatIssue(issue));
      process.exitCode = EXIT_INVALID;
      return undefined;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`no such directory: ${dir}`);
    throw err;
  }
}

/** `ranker-trending-vs-popularity (feed-ranker): popularity 50%, trending 50%; coverage 100%` */
function describeExperiment(experiment: ExperimentSummary): string {
  const split = experiment.variations
    .map(
      (value, i) =>
        `${typeof value === 'string' ? value : JSON.stringify(value)} ${percent(experiment.weights[i] ?? 0)}`,
    )
    .join(', ');
  const parts = [
    `${experiment.key} (${experiment.feature}): ${split}`,
    `coverage ${percent(experiment.coverage)}`,
  ];
  if (experiment.condition) parts.push(`if ${JSON.stringify(experiment.condition)}`);
  if (experiment.namespace) {
    const [id, start, end] = experiment.namespace;
    parts.push(`namespace ${id} [${start}, ${end})`);
  }
  return parts.join('; ');
}

function percent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}
