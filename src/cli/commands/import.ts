import { InvalidArgumentError, Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { ImportFileError } from '../../ingest/import/import-error.js';
import { importSource, type ImportProgress, type ImportResult } from '../../ingest/import/import-file.js';
import type { ImportSource } from '../../ingest/import/import-source.js';
import { RECORD_TYPES, type RecordType } from '../../ingest/import/record-types.js';
import { planDirectory, planImport } from '../../ingest/import/plan.js';
import { formatIssues, formatSummary } from '../../ingest/import/report.js';
import type { Store } from '../../store/types.js';
import { withStore } from '../context.js';
import { UsageError } from '../errors.js';

interface ImportCommandOptions {
  type?: RecordType;
  /** The old name of --type, kept (hidden) so that scripts written for it still run. */
  kind?: RecordType;
  dir?: string;
  batchSize: number;
  progress: boolean;
}

/** Exit codes: some records were rejected (or a file could not be read); interrupted by Ctrl-C. */
const EXIT_REJECTED = 1;
const EXIT_INTERRUPTED = 130;

export function registerImport(program: Command): void {
  program
    .command('import')
    .description(
      'Import series, events, markets, users or interactions from JSONL, CSV or JSON files (Kalshi API shapes too)',
    )
    .argument(
      '[files...]',
      "files to import; each one's record type comes from its name unless --type is given",
    )
    .addOption(new Option('--type <type>', 'what the files hold').choices(RECORD_TYPES))
    .addOption(new Option('--kind <type>', 'deprecated: --type').choices(RECORD_TYPES).hideHelp())
    .option(
      '--dir <dir>',
      'import every series, events, markets, users and interactions file of DIR, in that order',
    )
    .option('--batch-size <n>', 'records validated and written together', positiveInt, 5000)
    .option('--no-progress', 'no progress bar on stderr')
    .addHelpText(
      'after',
      `
Bad records are skipped and reported (file, line, field); the exit code is then 1.
Importing a file again stores nothing twice. Uses MongoDB when MONGODB_URI is set,
else the embedded store under SIBYL_DATA_DIR.

Examples:
  sibyl import --dir ./sim                  # what \`sibyl simulate --out ./sim\` wrote
  sibyl import --type markets kalshi-page-1.json kalshi-page-2.json
  sibyl import interactions-2026-05.csv`,
    )
    .action(async (files: string[], opts: ImportCommandOptions) => {
      const sources = await plan(files, opts);
      process.exitCode = await withStore({ embedded: true }, ({ store }) => runImport(store, sources, opts));
    });
}

async function plan(files: string[], opts: ImportCommandOptions): Promise<ImportSource[]> {
  const type = recordTypeOption(opts);
  if (opts.dir !== undefined && files.length) throw new UsageError('give either files or --dir, not both');
  if (opts.dir !== undefined && type)
    throw new UsageError('--type applies to files; --dir tells record types by file name');
  try {
    if (opts.dir === undefined) {
      if (!files.length) throw new UsageError('nothing to import: give files or --dir');
      return await planImport(files, type);
    }
    const { sources, skipped } = await planDirectory(opts.dir);
    for (const path of skipped)
      console.error(
        `sibyl import: skipping ${path} (not a series, events, markets, users or interactions file)`,
      );
    if (!sources.length)
      throw new UsageError(`no series, events, markets, users or interactions files in ${opts.dir}`);
    return sources;
  } catch (err) {
    throw err instanceof ImportFileError ? new UsageError(err.message) : err;
  }
}

/** --type, or its deprecated name --kind (with a note on stderr); both only if they agree. */
function recordTypeOption(opts: ImportCommandOptions): RecordType | undefined {
  if (opts.kind === undefined) return opts.type;
  if (opts.type !== undefined && opts.type !== opts.kind)
    throw new UsageError(`--kind (the old name of --type) says ${opts.kind}, --type says ${opts.type}`);
  console.error('sibyl import: --kind is deprecated; use --type');
  return opts.kind;
}

/** Imports the files in order; a file that cannot be read stops the run, as later files may depend on it. */
async function runImport(store: Store, sources: ImportSource[], opts: ImportCommandOptions): Promise<number> {
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.once('SIGINT', onSigint);
  let exitCode = 0;
  try {
    for (const source of sources) {
      const started = performance.now();
      let result: ImportResult;
      try {
        result = await withProgressBar(opts.progress, source, (onProgress) =>
          importSource(store, source, { batchSize: opts.batchSize, onProgress, signal: interrupt.signal }),
        );
      } catch (err) {
        if (!(err instanceof ImportFileError)) throw err;
        console.error(`sibyl import: ${err.message}`);
        return EXIT_REJECTED;
      }
      for (const line of formatIssues(result)) console.error(line);
      console.log(formatSummary(result, (performance.now() - started) / 1000));
      if (result.rejected > 0) exitCode = EXIT_REJECTED;
      if (result.aborted) return EXIT_INTERRUPTED;
    }
    return exitCode;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** A bar over the file's bytes on stderr when it is a terminal; issues are printed once it is gone. */
async function withProgressBar<R>(
  enabled: boolean,
  source: ImportSource,
  run: (onProgress?: (p: ImportProgress) => void) => Promise<R>,
): Promise<R> {
  if (!enabled || !process.stderr.isTTY) return run();
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${source.path} [{bar}] {percentage}% | {records} records | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(source.bytes, 0, { records: 0 });
  try {
    return await run((p) => bar.update(p.bytesRead, { records: p.read.toLocaleString('en-US') }));
  } finally {
    bar.stop();
  }
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}
