import { SibylError } from '../errors.js';
import type { CatalogueSnapshot } from './catalogue/market-catalogue.js';

/** `GET /v1/categories`: every known category with its open markets, most first. */
export function categoryCounts(catalogue: CatalogueSnapshot): { name: string; openMarkets: number }[] {
  const open = new Map<string, number>();
  for (const m of catalogue.markets) open.set(m.categoryKey, (open.get(m.categoryKey) ?? 0) + 1);
  return [...catalogue.categories]
    .map(([key, name]) => ({ name, openMarkets: open.get(key) ?? 0 }))
    .sort((a, b) => b.openMarkets - a.openMarkets || a.name.localeCompare(b.name));
}

/**
 * A filter on a category nobody has heard of is a typo, not a wish for an empty feed: a 400 naming
 * the categories there are. Matching ignores case, as the filter does.
 */
export function checkCategories(catalogue: CatalogueSnapshot, requested: string[]): void {
  const unknown = requested.filter((c) => !catalogue.categories.has(c.toLowerCase()));
  if (unknown.length === 0) return;
  const allowed = [...catalogue.categories.values()]
    .sort((a, b) => a.localeCompare(b))
    .map((c) => `"${c}"`)
    .join(', ');
  throw new SibylError(
    'invalid_request',
    `Invalid query: unknown ${unknown.length > 1 ? 'categories' : 'category'}`,
    unknown.map((c) => ({ path: 'query.category', message: `unknown category "${c}"; one of ${allowed}` })),
  );
}
