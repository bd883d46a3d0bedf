import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ActiveModelWatcher, ModelDoc } from '../../models/registry/index.js';
import type { PersistentRecommender, ServingModel } from '../../models/core/types.js';
import { getKind } from '../../models/kinds.js';
import type { Logger } from '../log/logger.js';

/** The model the feed ranks with, held in memory; `undefined` until one is active and loaded. */
export interface ActiveModelSource {
  current(): ServingModel | undefined;
}

/**
 * Follows the registry's active model: each change is loaded in the background and swapped in
 * with one assignment, so a request sees either the old model or the new one, never a mix, and
 * requests in flight finish on the model they started with. A model that fails to load leaves the
 * previous one serving.
 */
export class ActiveModel implements ActiveModelSource {
  private serving: ServingModel | undefined;
  private loading: Promise<void> = Promise.resolve();

  constructor(
    private readonly load: (version: string) => Promise<PersistentRecommender>,
    private readonly logger?: Logger,
    /**
     * Runs on a loaded model before it is swapped in (e.g. the current catalogue's market vectors);
     * requests keep being served on the previous model until it resolves.
     */
    private readonly prepare?: (serving: ServingModel) => void | Promise<void>,
  ) {}

  current(): ServingModel | undefined {
    return this.serving;
  }

  /** Loads `doc`'s artifact (or drops the model when none is active any more). */
  follow(doc: ModelDoc | undefined): Promise<void> {
    this.loading = this.loading.then(async () => {
      if (!doc) {
        this.serving = undefined;
        this.logger?.warn('no active model: model-based rankers serve their fallback');
        return;
      }
      if (doc.version === this.serving?.version) return;
      try {
        const model = await this.load(doc.version);
        const kind = getKind(model.kind);
        if (!kind.serve) {
          this.logger?.warn({ version: doc.version, kind: doc.kind }, 'active model kind is not servable');
          return;
        }
        const serving = await kind.serve(doc.version, model, () => nextTurn());
        const blends = Object.entries(doc.blends ?? {}).map(
          ([ranker, fit]) => [ranker, fit.weights] as const,
        );
        if (blends.length) serving.blends = Object.fromEntries(blends);
        await this.prepare?.(serving);
        this.serving = serving;
        this.logger?.info({ version: doc.version }, 'model loaded for serving');
      } catch (err) {
        this.logger?.error(
          { err, version: doc.version },
          'model failed to load; the previous one keeps serving',
        );
      }
    });
    return this.loading;
  }

  /** Subscribes to a watcher (which emits once at start when a model is active). */
  watch(watcher: ActiveModelWatcher): void {
    watcher.on('change', (doc) => void this.follow(doc));
  }
}
