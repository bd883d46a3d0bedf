import { EventEmitter } from 'node:events';
import { CONFIG_DEFAULTS } from '../../src/config/env.js';
import type { Logger } from '../../src/log/logger.js';
import type { ModelDoc } from '../../src/domain/model-doc.js';
import { subscribeModelChanges, type ModelSubscription } from './notify.js';

export interface ActiveModelWatcherOptions {
  /** Where the active models are read from (a ModelRegistry). */
  registry: { activeModels(): Promise<ModelDoc[]> };
  /** With Redis, changes are noticed as soon as they are published; polling stays as a fallback. */
  redisUrl?: string;
  /** SIBYL_QUEUE_PREFIX. @defaultValue its default (CONFIG_DEFAULTS) */
  prefix?: string;
  /** MODEL_RELOAD_POLL_SECONDS. @defaultValue its default (CONFIG_DEFAULTS) */
  pollSeconds?: number;
  logger?: Logger;
}

interface WatcherEvents {
  /** The active model of `kind` changed (to `undefined` when none of that kind is active any more). */
  change: [active: ModelDoc | undefined, previous: ModelDoc | undefined, kind: string];
}

/**
 * Follows the active models (one per kind) for an API replica: subscribes to model-change
 * messages when Redis is configured and polls `activeModels()` every `pollSeconds` whatever
 * happens (messages can be missed across reconnects). Emits `change` for each kind whose active
 * version differs from the last one seen, including once per kind at start.
 */
export class ActiveModelWatcher extends EventEmitter<WatcherEvents> {
  private last = new Map<string, ModelDoc>();
  private timer?: NodeJS.Timeout;
  private subscription?: ModelSubscription;
  private checking: Promise<void> = Promise.resolve();
  private running = false;

  constructor(private readonly options: ActiveModelWatcherOptions) {
    super();
  }

  /** The active models as last seen, one per kind. */
  get current(): ModelDoc[] {
    return [...this.last.values()];
  }

  /** Reads the active models once, then keeps watching. A Redis that cannot be reached leaves polling alone. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.check();
    if (this.options.redisUrl) {
      try {
        this.subscription = await subscribeModelChanges(this.options.redisUrl, () => void this.check(), {
          prefix: this.options.prefix,
        });
      } catch (err) {
        this.options.logger?.warn({ err }, 'model changes: no pub/sub, polling only');
      }
    }
    if (!this.running) {
      await this.subscription?.close();
      return;
    }
    this.timer = setInterval(
      () => void this.check(),
      (this.options.pollSeconds ?? CONFIG_DEFAULTS.MODEL_RELOAD_POLL_SECONDS) * 1000,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.subscription?.close();
    this.subscription = undefined;
    await this.checking;
  }

  /** Reads the active models now (one read at a time) and emits `change` for each kind that changed. */
  check(): Promise<void> {
    this.checking = this.checking.then(async () => {
      try {
        const now = new Map((await this.options.registry.activeModels()).map((doc) => [doc.kind, doc]));
        const previous = this.last;
        this.last = now;
        for (const kind of new Set([...previous.keys(), ...now.keys()])) {
          const before = previous.get(kind);
          const after = now.get(kind);
          if (before?.version !== after?.version) this.emit('change', after, before, kind);
        }
      } catch (err) {
        this.options.logger?.warn({ err }, 'model changes: could not read the active models');
      }
    });
    return this.checking;
  }
}
