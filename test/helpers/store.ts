import { randomUUID } from 'node:crypto';
import { MongoClient, type Collection, type Document } from 'mongodb';
import { ensureIndexes, type CollectionName } from '../../src/store/collections.js';
import { MongoStore } from '../../src/store/mongo-store.js';
import type { Store } from '../../src/store/types.js';
import { StoreServer } from '../../src/store/server/store-server.js';

/**
 * Stores for tests: each a fresh database on one memory-only `sibyl store` per test worker, reached
 * through the official driver like every Sibyl process reaches storage (so the suite runs the
 * production code path, only the server differs).
 */

let shared: Promise<{ server: StoreServer; client: MongoClient }> | undefined;

function sharedServer() {
  shared ??= (async () => {
    const server = await StoreServer.start({ port: 0 });
    const client = new MongoClient(server.uri, MongoStore.clientOptions);
    await client.connect();
    return { server, client };
  })();
  return shared;
}

/** A fresh, empty database with Sibyl's indexes. `close()` drops it. */
export async function openTestStore(options: { indexes?: boolean } = {}): Promise<MongoStore> {
  const { client } = await sharedServer();
  const store = MongoStore.over(client, `test_${randomUUID().slice(0, 12)}`, { dropOnClose: true });
  if (options.indexes !== false) await ensureIndexes(store);
  return store;
}

/**
 * A collection outside Sibyl's registry (src/domain/collections.ts), for tests of the store itself:
 * `Store.collection` takes registry names only.
 */
export function scratchCollection<T extends Document = Document>(store: Store, name: string): Collection<T> {
  return store.collection<T>(name as CollectionName);
}

/** The shared server's connection string, for tests that start processes against it. */
export async function testStoreUri(): Promise<string> {
  return (await sharedServer()).server.uri;
}
