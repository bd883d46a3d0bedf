import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { formatLine } from './log-lines.js';

/** The `sibyl` executable this process was started as: children run the same build. */
const BIN = process.argv[1]!;

export interface ChildRoleOptions {
  role: string;
  args: string[];
  /** Appended to `args` on the first start only (a one-off trigger a restart must not repeat). */
  firstStartArgs?: string[];
  env: NodeJS.ProcessEnv;
  /** Restart when it exits unexpectedly (long-running roles); one-off steps just report. */
  restart: boolean;
  /** Every output line, raw, for the supervisor to watch (ready markers). */
  onLine?: (line: string) => void;
  print?: (line: string) => void;
}

/**
 * One role of the demo (`sibyl <args>`) as a child process: its output shown compactly, restarted
 * with a growing delay if it crashes, stopped with SIGTERM.
 */
export class ChildRole {
  private child?: ChildProcess;
  private stopping = false;
  private restarts = 0;
  private exitWaiters: ((code: number | null) => void)[] = [];

  constructor(private readonly options: ChildRoleOptions) {}

  start(): this {
    const { role, args, env } = this.options;
    const print = this.options.print ?? ((line: string) => console.log(line));
    const once = this.child ? [] : (this.options.firstStartArgs ?? []);
    const child = spawn(process.execPath, [BIN, ...args, ...once], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    print(`${role.padEnd(6)}| started (pid ${child.pid})`);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.options.onLine?.(line);
        const shown = formatLine(role, line);
        if (shown) print(shown);
      });
    }
    child.once('exit', (code, signal) => {
      const waiters = this.exitWaiters;
      this.exitWaiters = [];
      for (const resolve of waiters) resolve(code);
      if (this.stopping || !this.options.restart) return;
      const delay = Math.min(30_000, 500 * 2 ** this.restarts++);
      print(`${role.padEnd(6)}| exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`);
      setTimeout(() => !this.stopping && this.start(), delay).unref();
    });
    return this;
  }

  /** Resolves with the exit code of the current process. */
  exited(): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null)
      return Promise.resolve(this.child?.exitCode ?? null);
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  /** Kills the process at once (SIGKILL), for an exit that cannot wait; it is not restarted. */
  killNow(): void {
    this.stopping = true;
    if (this.child && this.child.exitCode === null && this.child.signalCode === null)
      this.child.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    const done = this.exited();
    this.child.kill('SIGTERM');
    await done;
  }
}
