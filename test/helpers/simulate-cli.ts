import { Command } from 'commander';
import { vi } from 'vitest';
import { registerSimulate } from '../../src/cli/commands/simulate.js';

/**
 * Runs `sibyl simulate …` in this process and returns what it printed. Without --end the command
 * simulates up to today, so `args` must hold one (TEST_END); ESLint keeps tests from running the
 * command any other way (eslint.config.js); this module is the one exception.
 */
export async function sibylSimulate(...args: string[]): Promise<string> {
  if (!args.some((a) => a === '--end' || a.startsWith('--end=')))
    throw new TypeError('tests must pass --end to sibyl simulate (use TEST_END)');
  const program = new Command('sibyl').exitOverride();
  registerSimulate(program);
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await program.parseAsync(['node', 'sibyl', 'simulate', ...args]);
    return log.mock.calls.map((c) => c.join(' ')).join('\n');
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}
