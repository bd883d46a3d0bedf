import type { Logger } from '../log/logger.js';
import { insertOnce } from '../store/insert-once.js';
import type { Document, Store } from '../store/types.js';

/** An exposure in GrowthBook's assignment shape: who saw which variation of which experiment, when. */
export interface Exposure {
  userId: string;
  experimentId: string;
  variationId: string;
  timestamp: Date;
}

export interface ExposureLogOptions {
  /** Flush when this many exposures wait. @defaultValue 500 */
  maxBatch?: number;
  /** Flush at least this often (ms). @defaultValue 1000 */
  flushIntervalMs?: number;
  /** Exposures waiting beyond this are dropped (and counted) rather than growing memory while the store is down. @defaultValue 100000 */
  maxPending?: number;
  /** Recently logged (user, experiment) pairs remembered to skip repeats before they reach the store. @defaultValue 100000 */
  recentCapacity?: number;
  /** Told of each exposure taken in (repeats skipped), e.g. to count it. */
  onRecorded?: (exposure: Exposure) => void;
}

/**
 * Logs exposures off the request path: `record` only buffers; a timer writes batches. Each
 * (experiment, user) is stored once, with its first exposure (inserted once per key of a unique
 * index), so a user's later feeds and other API replicas never duplicate it. A failed write is
 * logged and retried with the next batch; it never reaches a feed request.
 */
export class ExposureLog {
  private pending: Exposure[] = [];
  private readonly recent = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  /** Exposures dropped because the buffer was full (the store was unreachable for long). */
  dropped = 0;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly options: ExposureLogOptions = {},
  ) {
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 1000);
    this.timer.unref();
  }

  record(exposure: Exposure): void {
    const key = `${exposure.experimentId}\u0000${exposure.userId}`;
    if (this.recent.has(key)) return;
    this.recent.add(key);
    if (this.recent.size > (this.options.recentCapacity ?? 100_000)) {
      this.recent.delete(this.recent.values().next().value!);
    }
    this.options.onRecorded?.(exposure);
    if (this.pending.length >= (this.options.maxPending ?? 100_000)) {
      this.dropped++;
      return;
    }
    this.pending.push(exposure);
    if (this.pending.length >= (this.options.maxBatch ?? 500)) void this.flush();
  }

  /** Writes everything buffered so far (one flush at a time). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writePending());
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async writePending(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      await insertOnce(
        this.store.collection<Document>('exposures'),
        ['userId', 'experimentId'],
        batch.map((e) => ({ ...e })),
      );
    } catch (err) {
      // Keep them for the next flush; a retry stores nothing twice.
      this.pending = [...batch, ...this.pending];
      this.logger.warn({ err, pending: this.pending.length }, 'exposure write failed; will retry');
    }
  }
}
