import type { InteractionType } from '../domain/schemas.js';

import type { Surface } from '../domain/attribution.js';

export { SURFACES, type Surface } from '../domain/attribution.js';

/** What the report reads of a stored interaction. */
export interface ReportEvent {
  eventId: string;
  userId: string;
  ticker: string;
  type: InteractionType;
  ts: Date;
  receivedAt: Date;
  feedId?: string;
  position?: number;
  /** What served the feed the event names, stamped at ingestion (src/ingest/ingest.ts). */
  attribution?: {
    surface?: Surface;
    ranker: string;
    rankerVersion?: number;
    model: string | null;
    experiment: { key: string; variation: string } | null;
  };
  /** Set at ingestion when the named feed was served to someone else. */
  feedIssue?: 'served_to_another_user';
  contractsHundredths?: number;
  notionalMicros?: number;
}

/** How trades are attributed. */
export interface AttributionSettings {
  /** A feed exposure counts for this long before a trade. @defaultValue 24 */
  windowHours: number;
  /** Only clicks count (click-through); otherwise impressions too (view-through). @defaultValue false */
  clickThroughOnly: boolean;
}

/** The served feed a trade is attributed to: the last touch. */
export interface Touch {
  /** The exposure's eventId. */
  eventId: string;
  type: 'impression' | 'click';
  ts: Date;
  feedId: string;
  surface: Surface;
  position: number | null;
  ranker: string;
  rankerVersion: number | null;
  model: string | null;
  experiment: string | null;
  variation: string | null;
}

/** Reason codes of the report's exceptions (docs/reports.md). */
export const EXCEPTION_REASONS = [
  /** An impression, click or trade names a feedId Sibyl cannot resolve (never served, or expired before it arrived). */
  'unknown_feed',
  /** An impression, click or trade names a feed served to another user. */
  'feed_of_another_user',
  /** A trade names a feed whose exposure of that market came only after the trade. */
  'exposure_after_trade',
  /** A trade of a market the catalogue does not know. */
  'unknown_market',
  /** An event of the day that arrived after the day's cutoff. */
  'arrived_after_cutoff',
  /** A trade stored without contracts or price (written around the API): counted with no money. */
  'missing_money',
] as const;
export type ExceptionReason = (typeof EXCEPTION_REASONS)[number];

export interface ReportException {
  reason: ExceptionReason;
  eventId: string;
  type: InteractionType;
  userId: string;
  ticker: string;
  feedId: string | null;
}
