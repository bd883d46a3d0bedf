import type { FieldIssue } from '../errors.js';
import type { InteractionInput } from '../domain/schemas.js';
import { coll } from '../store/collections.js';
import type { AnyBulkWriteOperation, Document, Store } from '../store/types.js';
import { isDuplicateKeyError } from '../store/write-errors.js';
import { itemPath } from './batch.js';
import { insertOnce } from '../store/insert-once.js';

export interface InteractionWriteResult {
  received: number;
  inserted: number;
  /** Items whose eventId was already stored (or repeated within the batch): stored once. */
  duplicates: number;
}

/** Issues for interactions that name a market the catalogue does not have. */
export async function findUnknownMarkets(
  store: Store,
  items: { index: number; value: InteractionInput }[],
  name = 'interactions',
): Promise<FieldIssue[]> {
  const tickers = [...new Set(items.map((i) => i.value.ticker))];
  if (tickers.length === 0) return [];
  const known = await coll(store, 'markets')
    .find({ ticker: { $in: tickers } }, { projection: { _id: 0, ticker: 1 } })
    .toArray();
  const knownSet = new Set(known.map((m) => m.ticker));
  return items
    .filter((i) => !knownSet.has(i.value.ticker))
    .map((i) => ({
      index: i.index,
      path: itemPath(name, i.index, ['ticker']),
      message: `unknown market "${i.value.ticker}"`,
      reference: true as const,
    }));
}

/** Stores interactions exactly once per eventId: replaying a batch never stores anything twice. */
export async function writeInteractions(
  store: Store,
  items: InteractionInput[],
  now = new Date(),
): Promise<InteractionWriteResult> {
  if (items.length === 0) return { received: 0, inserted: 0, duplicates: 0 };
  const inserted = await insertOnce(
    store.collection<Document>('interactions'),
    ['eventId'],
    items.map((item) => ({ ...item, receivedAt: now })),
  );
  await touchUsers(store, items, now);
  return { received: items.length, inserted, duplicates: items.length - inserted };
}

/** Users are known from their first interaction on; `lastSeenAt` tracks their latest. */
async function touchUsers(store: Store, items: InteractionInput[], now: Date): Promise<void> {
  const latest = new Map<string, Date>();
  for (const item of items) {
    const seen = latest.get(item.userId);
    if (!seen || item.ts > seen) latest.set(item.userId, item.ts);
  }
  const ops: AnyBulkWriteOperation<Document>[] = [...latest].map(([userId, ts]) => ({
    updateOne: {
      filter: { userId },
      update: {
        $setOnInsert: { attributes: {}, createdAt: now },
        $set: { updatedAt: now },
        $max: { lastSeenAt: ts },
      },
      upsert: true,
    },
  }));
  // Two writers upserting one new user race on the unique userId: the loser's retry updates.
  const users = store.collection('users');
  try {
    await users.bulkWrite(ops, { ordered: false });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    await users.bulkWrite(ops, { ordered: false });
  }
}
