import type { PersistentRecommender, Recommender, RecommenderKind, ServingModel } from './core/types.js';
import { bprKind } from './bpr-mf/kind.js';
import { easeKind } from './ease/kind.js';
import { twoTowerKind } from './two-tower/kind.js';

/**
 * The kinds of persistent model the registry can train and load, by name: the two-tower
 * (`two-tower`), EASE (`ease`) and BPR-MF (`bpr-mf`); artifacts name their kind in their manifest.
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
registerKind(easeKind);
registerKind(bprKind);

/**
 * Serving forms of the fitted models among `recommenders`, by kind name (kinds without `serve`, and
 * baselines, are skipped): what the served rankers of an offline evaluation rank with.
 */
export async function servingModels(
  recommenders: Iterable<Recommender>,
  version: string,
): Promise<Map<string, ServingModel>> {
  const out = new Map<string, ServingModel>();
  for (const [name, model] of fittedByKind(recommenders)) {
    const kind = kinds.get(name);
    if (kind?.serve) out.set(name, await kind.serve(version, model, () => new Promise(setImmediate)));
  }
  return out;
}

/** The persistent models among `recommenders` (baselines have no kind), the first of each kind. */
export function fittedByKind(recommenders: Iterable<Recommender>): Map<string, PersistentRecommender> {
  const out = new Map<string, PersistentRecommender>();
  for (const rec of recommenders) {
    const kind = (rec as Partial<PersistentRecommender>).kind;
    if (kind !== undefined && !out.has(kind)) out.set(kind, rec as PersistentRecommender);
  }
  return out;
}
