/** Where a list was served: the personalised feed, a market's similar markets, or trending. */
export const SURFACES = ['feed', 'similar', 'trending'] as const;
export type Surface = (typeof SURFACES)[number];

/** What ranked a served feed: stored on each impression and click that names the feed by `feedId`. */
export interface FeedAttribution {
  userId: string;
  /** Absent on feeds served before surfaces were recorded: the feed. */
  surface?: Surface;
  ranker: string;
  rankerVersion: number;
  model: string | null;
  experiment: { key: string; variation: string } | null;
}

/**
 * Resolves `feedId`s to what ranked those feeds (the feed service, from its snapshots). Unknown or
 * expired feeds are left out of the map.
 */
export interface FeedAttributionLookup {
  attributions(feedIds: string[]): Promise<Map<string, FeedAttribution>>;
}
