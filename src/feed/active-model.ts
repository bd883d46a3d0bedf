import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ActiveModelWatcher, ModelDoc } from '../../models/registry/index.js';
import type { PersistentRecommender, ServingModel } from '../../models/core/types.js';
import { getKind } from '../../models/kinds.js';
import type { Logger } from '../log/logger.js';

/** The models the feed ranks with, one per kind, held in memory. */
export interface ActiveModelSource {
  /** The loaded model of `kind`; `undefined` until one of that kind is active and loaded. */
  current(kind: string): ServingModel | undefined;
}

/**
 * Follows the registry's active models, one per kind: each change is loaded in the background and
 * swapped in with one assignment, so a request sees either the old model of a kind or the new
 * one, never a mix, and requests in flight finish on the model they started with. A model that
 * fails to load leaves the previous one of its kind serving; other kinds are never touched.
 */
export class ActiveModel implements ActiveModelSource {
  private readonly serving = new Map<string, ServingModel>();
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

  current(kind: string): ServingModel | undefined {
    return this.serving.get(kind);
  }

  /** Loads `doc`'s artifact as the model of `kind` (or drops that kind's model when none is active any more). */
  follow(kind: string, doc: ModelDoc | undefined): Promise<void> {
    this.loading = this.loading.then(async () => {
      if (!doc) {
        this.serving.delete(kind);
        this.logger?.warn({ kind }, 'no active model of this kind: its rankers serve their fallback');
        return;
      }
      if (doc.version === this.serving.get(kind)?.version) return;
      try {
        const model = await this.load(doc.version);
        const modelKind = getKind(model.kind);
        if (!modelKind.serve) {
          this.logger?.warn({ version: doc.version, kind: doc.kind }, 'active model kind is not servable');
          return;
        }
        const serving = await modelKind.serve(doc.version, model, () => nextTurn());
        const blends = Object.entries(doc.blends ?? {}).map(
          ([ranker, fit]) => [ranker, fit.weights] as const,
        );
        if (blends.length) serving.blends = Object.fromEntries(blends);
        await this.prepare?.(serving);
        this.serving.set(kind, serving);
        this.logger?.info({ version: doc.version, kind }, 'model loaded for serving');
      } catch (err) {
        this.logger?.error(
          { err, version: doc.version, kind },
          'model failed to load; the previous one of its kind keeps serving',
        );
      }
    });
    return this.loading;
  }

  /** Subscribes to a watcher (which emits once per active kind at start). */
  watch(watcher: ActiveModelWatcher): void {
    watcher.on('change', (doc, _previous, kind) => void this.follow(kind, doc));
  }
}
