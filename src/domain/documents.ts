import type { Surface } from './attribution.js';
import type { EventInput, InteractionInput, MarketInput, SeriesInput, UserInput } from './schemas.js';

/** Stored documents: validated input plus bookkeeping. Dates are Dates in both backends. */
interface Stamped {
  createdAt: Date;
  updatedAt: Date;
}

export type SeriesDoc = SeriesInput & Stamped;
export type EventDoc = EventInput & Stamped;
export type MarketDoc = MarketInput & Stamped;
export type UserDoc = Required<Pick<UserInput, 'userId'>> & {
  attributes: Record<string, string | number | boolean>;
  createdAt: Date;
  updatedAt: Date;
  /** Latest interaction timestamp seen for this user. */
  lastSeenAt?: Date;
};
export type InteractionDoc = InteractionInput & {
  /** When Sibyl stored it: watermark for incremental feature refreshes. */
  receivedAt: Date;
  /** For interactions with a `feedId`: the ranker, model version and experiment that served that feed. */
  attribution?: {
    /** Where the feed was served (absent before surfaces were recorded: the feed). */
    surface?: Surface;
    ranker: string;
    /** The ranker configuration's version (src/feed/rankers/rankers.ts). */
    rankerVersion?: number;
    model: string | null;
    experiment: { key: string; variation: string } | null;
  };
  /** The named feed was served to another user: the event is not attributed (an exception in reports). */
  feedIssue?: 'served_to_another_user';
};
