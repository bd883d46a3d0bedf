import type { ServingModel } from '../../../models/core/types.js';
import type { CatalogueSnapshot } from '../catalogue/market-catalogue.js';
import { rankFeed, type RankedItem, type RankRequest } from './rank-feed.js';
import type { RankerConfig } from '../rankers/ranker-config.js';
import type { UserContext } from '../user/user-context.js';

/** Per catalogue snapshot, the list every user the pipeline knows nothing about gets, per ranker and filter. */
const shared = new WeakMap<CatalogueSnapshot, Map<string, RankedItem[]>>();

/**
 * Whether nothing personal enters this user's ranking: no history, no affinities, no dismissals,
 * and not a user the model was trained on. Every such user gets the same list from a ranker.
 */
export function isAnonymous(user: UserContext, model: ServingModel | undefined): boolean {
  return (
    user.history.length === 0 &&
    user.dismissed.size === 0 &&
    user.categoryAffinity.size === 0 &&
    user.seriesAffinity.size === 0 &&
    !model?.knowsUser(user.userId)
  );
}

/**
 * `rankFeed`, with the lists of anonymous users (new visitors: a third of feed requests in the
 * benchmark's mix) ranked once per catalogue snapshot, ranker, model and filter and shared. Lists
 * are never mutated after ranking, so sharing them is safe; markets that close meanwhile are
 * dropped when pages are served, as for any snapshot.
 */
export function rankWithSharing(
  catalogue: CatalogueSnapshot,
  user: UserContext,
  req: RankRequest,
  config: RankerConfig,
  model?: ServingModel,
): RankedItem[] {
  if (!isAnonymous(user, model)) return rankFeed(catalogue, user, req, config, model);
  const key = [config.name, config.version, model?.version ?? '', req.maxPerEvent, ...req.categories].join(
    '|',
  );
  let lists = shared.get(catalogue);
  if (!lists) shared.set(catalogue, (lists = new Map()));
  let items = lists.get(key);
  if (!items) lists.set(key, (items = rankFeed(catalogue, user, req, config, model)));
  return items;
}
