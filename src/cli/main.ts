import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/env.js';
import { StoreConfigError } from '../store/open-store.js';
import { DataDirInUseError } from '../store/server/data-dir.js';
import { UsageError } from './errors.js';
import { SibylError } from '../errors.js';
import { registerDemo } from './commands/demo.js';
import { registerServe } from './commands/serve.js';
import { registerStore } from './commands/store.js';
import { registerExchange } from './commands/exchange.js';
import { registerTraffic } from './commands/traffic.js';
import { registerJobCommands } from './commands/jobs.js';
import { registerImport } from './commands/import.js';
import { registerSimulate } from './commands/simulate.js';
import { registerExperiments } from './commands/experiments.js';
import { registerEval } from './commands/eval.js';
import { registerTrain } from './commands/train.js';
import { registerModels } from './commands/models.js';
import { registerToken } from './commands/token.js';
import { registerReport } from './commands/report.js';

/** The `sibyl` command line. Each command lives in ./commands and registers itself here. */
export function buildProgram(): Command {
  const program = new Command('sibyl')
    .description('Personalized market feeds for prediction-market exchanges')
    .showHelpAfterError()
    .exitOverride();
  registerDemo(program);
  registerStore(program);
  registerExchange(program);
  registerTraffic(program);
  registerServe(program);
  registerJobCommands(program);
  registerImport(program);
  registerSimulate(program);
  registerExperiments(program);
  registerEval(program);
  registerTrain(program);
  registerModels(program);
  registerToken(program);
  registerReport(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    if (
      err instanceof ConfigError ||
      err instanceof StoreConfigError ||
      err instanceof DataDirInUseError ||
      err instanceof UsageError ||
      err instanceof SibylError
    ) {
      console.error(`sibyl: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    console.error(err);
    process.exitCode = 1;
  }
}
