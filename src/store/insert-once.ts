import {
  MongoBulkWriteError,
  type AnyBulkWriteOperation,
  type Collection,
  type Document,
  type Filter,
} from 'mongodb';
import { isDuplicateKeyError } from './write-errors.js';

/**
 * Stores each document at most once per key (a unique index on `keyFields` is the guarantee): the
 * documents whose key is not stored yet are inserted in one unordered bulk write, which is cheap on
 * every backend. Returns how many were stored now. The lookup only avoids most conflicts; a key
 * another writer stored meanwhile fails alone, as a duplicate.
 */
export async function insertOnce<T extends Document>(
  collection: Collection<T>,
  keyFields: (keyof T & string)[],
  docs: T[],
): Promise<number> {
  if (docs.length === 0) return 0;
  const keyOf = (doc: Document) => JSON.stringify(keyFields.map((f) => doc[f]));
  const [first, ...rest] = keyFields;
  const lookup: Document = { [first!]: { $in: [...new Set(docs.map((d) => d[first!]))] } };
  // A single value for the other fields narrows the lookup further (e.g. one experiment).
  for (const field of rest) {
    const values = new Set(docs.map((d) => d[field]));
    if (values.size === 1) lookup[field] = [...values][0];
  }
  const projection = Object.fromEntries([['_id', 0], ...keyFields.map((f) => [f, 1])]);
  const stored = await collection.find(lookup as Filter<T>, { projection }).toArray();
  const seen = new Set(stored.map(keyOf));
  const fresh: AnyBulkWriteOperation<T>[] = [];
  for (const doc of docs) {
    const key = keyOf(doc);
    if (seen.has(key)) continue;
    seen.add(key);
    fresh.push({ insertOne: { document: doc as never } });
  }
  try {
    return fresh.length ? (await collection.bulkWrite(fresh, { ordered: false })).insertedCount : 0;
  } catch (err) {
    // Another writer stored some of these keys after our lookup: the unordered insert stored the
    // rest, and a duplicate is exactly a key already stored once.
    if (err instanceof MongoBulkWriteError && isDuplicateKeyError(err)) return err.result.insertedCount;
    throw err;
  }
}
