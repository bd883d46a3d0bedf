import { MongoClient, type Collection, type Db, type Document, type MongoClientOptions } from 'mongodb';
import type { CollectionName } from '../domain/collections.js';
import type { Store } from './types.js';

export interface MongoStoreOptions {
  /** How `describe()` names the server. @defaultValue the URI without credentials */
  label?: string;
  /** Also run on close (the in-process `sibyl store` of `--embedded`). */
  onClose?: () => Promise<void>;
}

export class MongoStore implements Store {
  /**
   * Client options every Sibyl process uses. The server assigns `_id`s (the driver would otherwise
   * write them into the callers' objects).
   */
  static readonly clientOptions: MongoClientOptions = {
    serverSelectionTimeoutMS: 5_000,
    appName: 'sibyl',
    forceServerObjectId: true,
  };

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly label: string,
    private readonly onClose: () => Promise<void>,
  ) {}

  static async connect(uri: string, dbName: string, options: MongoStoreOptions = {}): Promise<MongoStore> {
    const client = new MongoClient(uri, MongoStore.clientOptions);
    await client.connect();
    const label = options.label ?? `MongoDB ${uri.replace(/\/\/[^@/]*@/, '//***@')}`;
    return new MongoStore(client, client.db(dbName), `${label} db=${dbName}`, async () => {
      await client.close();
      await options.onClose?.();
    });
  }

  /** A store on a client someone else owns (tests share one); `dropOnClose` drops the database. */
  static over(client: MongoClient, dbName: string, options: { dropOnClose?: boolean } = {}): MongoStore {
    const db = client.db(dbName);
    return new MongoStore(client, db, `db=${dbName}`, async () => {
      if (options.dropOnClose) await db.dropDatabase();
    });
  }

  collection<T extends Document = Document>(name: CollectionName): Collection<T> {
    return this.db.collection<T>(name);
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  /** Drops the whole database: for tests that make a throwaway one. */
  async dropDatabase(): Promise<void> {
    await this.db.dropDatabase();
  }

  async close(): Promise<void> {
    await this.onClose();
  }

  describe(): string {
    return this.label;
  }
}
