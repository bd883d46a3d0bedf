import type { Logger } from '../log/logger.js';
import type { RankerAssigner } from './assignment/ranker-assigner.js';
import { validatePayload, type Definitions } from './definitions/validate.js';

export interface GrowthBookSourceOptions {
  apiHost: string;
  clientKey: string;
  /** How often to fetch the payload. @defaultValue 30000 */
  refreshMs?: number;
  fetch?: typeof fetch;
}

/**
 * Keeps a RankerAssigner on the payload of a GrowthBook server (`GET {host}/api/features/{key}`),
 * polled without restarts. A payload that fails validation, or a server that cannot be reached,
 * never replaces the last good payload; `status()` says so for /readyz.
 */
export class GrowthBookSource {
  private timer?: NodeJS.Timeout;
  private lastGood?: { definitions: Definitions; at: Date };
  private lastError?: { message: string; at: Date };

  constructor(
    private readonly assigner: RankerAssigner,
    private readonly logger: Logger,
    private readonly options: GrowthBookSourceOptions,
  ) {}

  get url(): string {
    return `${this.options.apiHost.replace(/\/+$/, '')}/api/features/${encodeURIComponent(this.options.clientKey)}`;
  }

  /** Fetches once now, then on the interval. Resolves whether or not the first fetch worked. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs ?? 30_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The definitions from the last good payload, if any arrived. */
  definitions(): Definitions | undefined {
    return this.lastGood?.definitions;
  }

  /** Undefined when the latest fetch succeeded; otherwise what failed and what is being served. */
  status(): string | undefined {
    if (!this.lastError) return undefined;
    const serving = this.lastGood
      ? `serving the payload fetched at ${this.lastGood.at.toISOString()}`
      : 'serving the local definitions';
    return `GrowthBook refresh failed at ${this.lastError.at.toISOString()} (${this.lastError.message}); ${serving}`;
  }

  async refresh(): Promise<void> {
    try {
      const res = await (this.options.fetch ?? fetch)(this.url, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`${this.url} answered ${res.status}`);
      const body = (await res.json()) as Record<string, unknown>;
      const payload = {
        features: body.features ?? {},
        ...(body.savedGroups ? { savedGroups: body.savedGroups } : {}),
      };
      const definitions = validatePayload(payload, this.url);
      await this.assigner.setPayload(definitions.payload, this.url);
      this.lastGood = { definitions, at: new Date() };
      this.lastError = undefined;
    } catch (err) {
      this.lastError = { message: err instanceof Error ? err.message : String(err), at: new Date() };
      this.logger.warn(
        { err, url: this.url },
        'GrowthBook payload refresh failed; keeping the last good payload',
      );
    }
  }
}
