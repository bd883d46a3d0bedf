import Emittery from 'emittery';

/** Where a change was stored: through this process, or through another replica (relayed over Redis). */
export type ChangeOrigin = 'local' | 'replica';

export interface UsersChange {
  /** Users whose feed context (history, attributes) the write changed. */
  userIds: string[];
  origin: ChangeOrigin;
}

export interface CatalogueChange {
  origin: ChangeOrigin;
  tickers?: string[];
}

/**
 * What ingestion stored, as named events. Subscribers are the serving side: the user-context cache
 * (invalidation), the market catalogue (reload) and the cross-replica relay. `emit` resolves once
 * every subscriber has handled the event, so a write is answered only after its effects are in place.
 */
export interface IngestEventMap {
  /** Interactions were stored. `userIds` lists users with signal (impressions alone change no context). */
  interactionsStored: UsersChange;
  /** Users' targeting attributes were stored. */
  usersStored: UsersChange;
  /**
   * Series, events or markets were stored. `tickers` names markets whose state changed (listed,
   * paused, closed, settled), when the writer knows them.
   */
  catalogueStored: CatalogueChange;
}

export type IngestEvents = Emittery<IngestEventMap>;

export function createIngestEvents(): IngestEvents {
  return new Emittery<IngestEventMap>();
}

/** The user-change events, for subscribers that treat them alike (cache invalidation, the relay). */
export const USER_CHANGE_EVENTS = ['interactionsStored', 'usersStored'] as const;
