import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const BIN = join(import.meta.dirname, '../bin/sibyl.js');

export interface SibylProcess {
  child: ChildProcess;
  /** The first capture of the ready pattern. */
  ready: string;
  stop(): Promise<void>;
}

/** `sibyl <args>` as a process, once a line of its output (stdout or stderr) matches `ready`. */
export async function startSibyl(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<SibylProcess> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const found = await new Promise<string>((resolve, reject) => {
    for (const stream of [child.stdout!, child.stderr!])
      createInterface({ input: stream }).on('line', (line) => {
        const match = ready.exec(line);
        if (match) resolve(match[1] ?? line);
      });
    child.once('exit', (code) => reject(new Error(`sibyl ${args[0]} exited with ${code}`)));
  });
  return {
    child,
    ready: found,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
