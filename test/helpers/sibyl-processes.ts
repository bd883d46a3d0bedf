import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { spawnAtTestEnd } from './process-clock.js';

const BIN = join(import.meta.dirname, '../../bin/sibyl.js');

/**
 * `sibyl` commands as child processes at the suite's clock, without the environment's store or
 * Redis (each test says which it wants), logging at info; `killAll` ends those still running.
 */
export function sibylProcesses() {
  const children: ChildProcessWithoutNullStreams[] = [];
  return {
    /** Every process started, in order. */
    children: children as readonly ChildProcessWithoutNullStreams[],
    sibyl(args: string[], env: Record<string, string>): ChildProcessWithoutNullStreams {
      const { MONGODB_URI: _a, REDIS_URL: _b, ...base } = process.env;
      const child = spawnAtTestEnd(process.execPath, [BIN, ...args], { ...base, LOG_LEVEL: 'info', ...env });
      children.push(child);
      return child;
    },
    killAll(): void {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Resolves with the first capture of `pattern` in the child's output (stdout and stderr). */
export function waitForOutput(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr])
      createInterface({ input: stream }).on('line', (line) => {
        const match = pattern.exec(line);
        if (match) resolve(match[1] ?? line);
      });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before ${pattern}`)));
  });
}
