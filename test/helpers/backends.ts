import { afterEach, beforeEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import { MongoStore } from '../../src/store/mongo-store.js';
import { ensureIndexes } from '../../src/store/collections.js';
import type { Store } from '../../src/store/types.js';
import { openTestStore } from './store.js';

export interface Backend {
  name: string;
  /** A fresh, empty store with Sibyl's indexes; `dispose` drops it. */
  open(): Promise<{ store: Store; dispose: () => Promise<void> }>;
}

const mongoUri = process.env.MONGODB_URI;

/**
 * Every server this machine can test, each through the official driver: `sibyl store` always,
 * MongoDB when MONGODB_URI is set.
 */
export const backends: Backend[] = [
  {
    name: 'sibyl store',
    async open() {
      const store = await openTestStore();
      return { store, dispose: () => store.close() };
    },
  },
];

if (mongoUri) {
  backends.push({
    name: 'mongodb',
    async open() {
      const dbName = `sibyl_test_${randomUUID().slice(0, 8)}`;
      const store = await MongoStore.connect(mongoUri, dbName);
      await ensureIndexes(store);
      return {
        store,
        dispose: async () => {
          await store.dropDatabase();
          await store.close();
        },
      };
    },
  });
} else {
  console.warn('[storage] MONGODB_URI is not set: the contract suite runs against sibyl store only.');
}

/** A fresh store from `backend` for each test, dropped after it: call inside a describe, read the store in tests. */
export function storePerTest(backend: Backend): () => Store {
  let current: { store: Store; dispose: () => Promise<void> } | undefined;
  beforeEach(async () => {
    current = await backend.open();
  });
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });
  return () => current!.store;
}
