import { ChildRole, type ChildRoleOptions } from './child-role.js';

/** Thrown by `step` when the supervisor stops while the step runs: not a failure of the step. */
export class SupervisorStopping extends Error {
  constructor() {
    super('the demo is stopping');
  }
}

/**
 * The demo's children: long-running roles (restarted when they crash) and one-off steps, all
 * stopped together, in the reverse order of their start (the store last: the others flush their
 * writes to it as they stop), on Ctrl-C/SIGTERM or when a step fails.
 */
export class Supervisor {
  private readonly children: ChildRole[] = [];
  private stopped: Promise<void> | undefined;

  constructor(
    /** Runs once every child has exited (temporary directories…). */
    private readonly cleanup: () => Promise<void> = async () => {},
    private readonly print: (line: string) => void = (line) => console.log(line),
  ) {}

  get stopping(): boolean {
    return this.stopped !== undefined;
  }

  /** Starts a long-running role, restarted when it crashes. */
  start(options: Omit<ChildRoleOptions, 'restart'>): ChildRole {
    return this.track(new ChildRole({ print: this.print, ...options, restart: true }));
  }

  /** Runs a one-off step to its end; rejects if it fails, or with SupervisorStopping if stopped meanwhile. */
  async step(options: Omit<ChildRoleOptions, 'restart'>, failure: string): Promise<void> {
    const child = this.track(new ChildRole({ print: this.print, ...options, restart: false }));
    const code = await child.exited();
    if (this.stopping) throw new SupervisorStopping();
    if (code !== 0) throw new Error(failure);
  }

  /** Stops every child (once; later calls wait for the same stop), then cleans up. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      for (const child of [...this.children].reverse()) await child.stop();
      await this.cleanup();
    })();
    return this.stopped;
  }

  /** Kills every child at once: the last resort of an exit that cannot wait for a clean stop. */
  killAll(): void {
    for (const child of this.children) child.killNow();
  }

  /** Ctrl-C, SIGTERM or SIGHUP stops everything and exits 0; a second one exits at once. */
  stopOnSignals(): void {
    const onSignal = () => {
      if (this.stopping) process.exit(1);
      this.print('demo  | stopping');
      this.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    // `on`, not `once`: a second signal must reach the handler, or Node's default would kill the
    // process without its exit handlers (which kill the children and remove temporary directories).
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  }

  private track(child: ChildRole): ChildRole {
    if (this.stopping) throw new SupervisorStopping();
    this.children.push(child.start());
    return child;
  }
}
