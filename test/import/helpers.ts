import { afterEach, beforeEach } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureIndexes, type CollectionName } from '../../src/store/collections.js';
import type { Document, Store } from '../../src/store/types.js';
import { openTestStore } from '../helpers/store.js';

export const fixture = (...parts: string[]) =>
  fileURLToPath(new URL(['fixtures', ...parts].join('/'), import.meta.url));

/** A fresh in-memory store with Sibyl's indexes. */
export async function memoryStore(): Promise<Store> {
  const store = await openTestStore({ indexes: false });
  await ensureIndexes(store);
  return store;
}

/** A temporary directory for files a test writes; `cleanup` removes it. */
export async function tempDir(): Promise<{
  dir: string;
  write: (name: string, text: string) => Promise<string>;
  cleanup: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'sibyl-import-'));
  return {
    dir,
    write: async (name, text) => {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A collection's documents without bookkeeping (`_id`, timestamps), sorted by `key`. */
export async function stored(store: Store, name: CollectionName, key: string): Promise<Document[]> {
  const docs = await store
    .collection(name)
    .find(
      {},
      {
        projection: { _id: 0, createdAt: 0, updatedAt: 0, receivedAt: 0, lastSeenAt: 0 },
        sort: { [key]: 1 },
      },
    )
    .toArray();
  return docs;
}

/** A fresh memory store and temporary directory for each test of the enclosing describe. */
export function importFixturePerTest(): {
  store: () => Store;
  tmp: () => Awaited<ReturnType<typeof tempDir>>;
} {
  let store: Store | undefined;
  let tmp: Awaited<ReturnType<typeof tempDir>> | undefined;
  beforeEach(async () => {
    store = await memoryStore();
    tmp = await tempDir();
  });
  afterEach(async () => {
    await store?.close();
    await tmp?.cleanup();
  });
  return { store: () => store!, tmp: () => tmp! };
}
