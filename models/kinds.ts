import type { PersistentRecommender, Recommender, RecommenderKind, ServingModel } from './core/types.js';
import { twoTowerKind } from './two-tower/kind.js';

/**
 * The kinds of persistent model the registry can train and load, by name. Model modules register
 * themselves here (the two-tower as `two-tower`); artifacts name their kind in their manifest.
 */
const kinds = new Map<string, RecommenderKind>();

/** The kind trained when none is asked for. */
export const DEFAULT_KIND = 'two-tower';

/** Adds (or replaces) a kind. */
export function registerKind(kind: RecommenderKind): void {
  kinds.set(kind.kind, kind);
}

/** Removes a kind (tests). */
export function unregisterKind(name: string): void {
  kinds.delete(name);
}

/** The kind named `name`; throws an UnknownKindError naming the registered ones otherwise. */
export function getKind(name: string): RecommenderKind {
  const kind = kinds.get(name);
  if (!kind) throw new UnknownKindError(name, listKinds());
  return kind;
}

export function hasKind(name: string): boolean {
  return kinds.has(name);
}

export function listKinds(): string[] {
  return [...kinds.keys()].sort();
}

export class UnknownKindError extends Error {
  override name = 'UnknownKindError';
  constructor(
    readonly kind: string,
    readonly known: string[],
  ) {
    super(`Unknown model kind "${kind}"; registered kinds: ${known.length ? known.join(', ') : '(none)'}`);
  }
}

registerKind(twoTowerKind);

/**
 * Serving forms of the fitted models among `recommenders`, by kind name (kinds without `serve`, and
 * baselines, are skipped): what the served rankers of an offline evaluation rank with.
 */
export async function servingModels(
  recommenders: Iterable<Recommender>,
  version: string,
): Promise<Map<string, ServingModel>> {
  const out = new Map<string, ServingModel>();
  for (const rec of recommenders) {
    const kindName = (rec as Partial<PersistentRecommender>).kind;
    const kind = kindName !== undefined ? kinds.get(kindName) : undefined;
    if (!kind?.serve || out.has(kind.kind)) continue;
    out.set(
      kind.kind,
      await kind.serve(version, rec as PersistentRecommender, () => new Promise(setImmediate)),
    );
  }
  return out;
}
