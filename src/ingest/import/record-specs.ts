import type { z } from 'zod';
import { eventInput, interactionInput, marketInput, seriesInput, userInput } from '../../domain/schemas.js';
import type { FieldIssue } from '../../errors.js';
import type { Store } from '../../store/types.js';
import {
  writeEvents,
  writeMarkets,
  writeSeries,
  writeUsers,
  type UpsertResult,
} from '../catalogue-writer.js';
import { findUnknownMarkets, writeInteractions } from '../interaction-writer.js';
import type { RecordType } from './record-types.js';

/** What a written batch did: catalogue records are upserted by key, interactions stored once per eventId. */
export interface WriteCounts {
  inserted: number;
  /** Catalogue and user records that already existed and were updated. */
  updated: number;
  /** Interactions whose eventId was already stored. */
  duplicates: number;
}

/** How one record type is validated and written: the same schemas and writers as the API's ingestion. */
export interface RecordSpec {
  schema: z.ZodType;
  write(store: Store, items: unknown[]): Promise<WriteCounts>;
  /** Issues for valid items naming something the store does not have. */
  checkReferences?(
    store: Store,
    valid: { index: number; value: unknown }[],
    name: string,
  ): Promise<FieldIssue[]>;
}

/** Items reaching `write` and `checkReferences` are this schema's own output: the one place they are typed back. */
function recordSpec<S extends z.ZodType>(
  schema: S,
  write: (store: Store, items: z.output<S>[]) => Promise<WriteCounts>,
  checkReferences?: (
    store: Store,
    valid: { index: number; value: z.output<S> }[],
    name: string,
  ) => Promise<FieldIssue[]>,
): RecordSpec {
  return {
    schema,
    write: (store, items) => write(store, items as z.output<S>[]),
    ...(checkReferences && {
      checkReferences: (store, valid, name) =>
        checkReferences(store, valid as { index: number; value: z.output<S> }[], name),
    }),
  };
}

const upserted = (r: UpsertResult): WriteCounts => ({
  inserted: r.inserted,
  updated: r.updated,
  duplicates: 0,
});

export const RECORD_SPECS: Record<RecordType, RecordSpec> = {
  series: recordSpec(seriesInput, async (store, items) => upserted(await writeSeries(store, items))),
  events: recordSpec(eventInput, async (store, items) => upserted(await writeEvents(store, items))),
  markets: recordSpec(marketInput, async (store, items) => upserted(await writeMarkets(store, items))),
  users: recordSpec(userInput, async (store, items) => upserted(await writeUsers(store, items))),
  interactions: recordSpec(
    interactionInput,
    async (store, items) => {
      const r = await writeInteractions(store, items);
      return { inserted: r.inserted, updated: 0, duplicates: r.duplicates };
    },
    findUnknownMarkets,
  ),
};
