import { EventEmitter } from 'node:events';
import { CONFIG_DEFAULTS } from '../../src/config/env.js';
import type { Logger } from '../../src/log/logger.js';
import type { ModelDoc } from '../../src/domain/model-doc.js';
import { subscribeModelChanges, type ModelSubscription } from './notify.js';

export interface ActiveModelWatcherOptions {
  /** Where the active model is read from (a ModelRegistry). */
  registry: { activeModel(): Promise<ModelDoc | undefined> };
  /** With Redis, changes are noticed as soon as they are published; polling stays as a fallback. */
  redisUrl?: string;
  /** SIBYL_QUEUE_PREFIX. @defaultValue its default (CONFIG_DEFAULTS) */
  prefix?: string;
  /** MODEL_RELOAD_POLL_SECONDS. @defaultValue its default (CONFIG_DEFAULTS) */
  pollSeconds?: number;
  logger?: Logger;
}

interface WatcherEvents {
  /** The active model changed (to `undefined` when none is active any more). */
  change: [active: ModelDoc | undefined, previous: ModelDoc | undefined];
}

/**
 * Follows the active model for an API replica: subscribes to model-change messages when Redis is
 * configured and polls `activeModel()` every `pollSeconds` whatever happens (messages can be
 * missed across reconnects). Emits `change` whenever the active version differs from the last
 * one seen, including once at start when a model is active.
 */
export class ActiveModelWatcher extends EventEmitter<WatcherEvents> {
  private last: ModelDoc | undefined;
  private timer?: NodeJS.Timeout;
  private subscription?: ModelSubscription;
  private checking: Promise<void> = Promise.resolve();
  private running = false;

  constructor(private readonly options: ActiveModelWatcherOptions) {
    super();
  }

  /** The active model as last seen. */
  get current(): ModelDoc | undefined {
    return this.last;
  }

  /** Reads the active model once, then keeps watching. A Redis that cannot be reached leaves polling alone. */
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

  /** Reads the active model now (one read at a time) and emits `change` if it is another one. */
  check(): Promise<void> {
    this.checking = this.checking.then(async () => {
      try {
        const active = await this.options.registry.activeModel();
        if (active?.version === this.last?.version) {
          this.last = active;
          return;
        }
        const previous = this.last;
        this.last = active;
        this.emit('change', active, previous);
      } catch (err) {
        this.options.logger?.warn({ err }, 'model changes: could not read the active model');
      }
    });
    return this.checking;
  }
}
