import {
  MongoBulkWriteError,
  MongoClient,
  MongoServerError,
  type Collection,
  type Db,
  type MongoClientOptions,
} from 'mongodb';
import {
  DuplicateKeyError,
  type BulkOp,
  type Cursor,
  type Document,
  type Filter,
  type FindOptions,
  type IndexDef,
  type Store,
  type StoreCollection,
  type Update,
  type WriteResult,
} from './types.js';
import { indexName } from './engine/types.js';

/**
 * Pass-through to the driver; the only translation is MongoDB's duplicate-key error to ours. (The
 * `as never` casts meet the driver's deeply generic signatures with our structurally equal types.)
 */
class MongoCollection<T extends Document> implements StoreCollection<T> {
  constructor(private readonly c: Collection<T>) {}

  get name(): string {
    return this.c.collectionName;
  }

  find(filter: Filter<T>, options: FindOptions = {}): Cursor<T> {
    return this.c.find(filter, options) as unknown as Cursor<T>;
  }

  findOne(filter: Filter<T>, options: Omit<FindOptions, 'limit'> = {}): Promise<T | null> {
    return this.c.findOne(filter, options) as Promise<T | null>;
  }

  countDocuments(filter: Filter<T> = {}): Promise<number> {
    return this.c.countDocuments(filter);
  }

  async insertMany(docs: T[]): Promise<number> {
    if (docs.length === 0) return 0;
    // The driver adds _id to the documents it is given; callers' objects stay untouched.
    const copies = docs.map((d) => ({ ...d }));
    return translate(this.name, async () => (await this.c.insertMany(copies as never[])).insertedCount);
  }

  updateOne(filter: Filter<T>, update: Update<T>, options: { upsert?: boolean } = {}): Promise<WriteResult> {
    return translate(this.name, async () =>
      toResult(await this.c.updateOne(filter, update as never, options)),
    );
  }

  updateMany(filter: Filter<T>, update: Update<T>, options: { upsert?: boolean } = {}): Promise<WriteResult> {
    return translate(this.name, async () =>
      toResult(await this.c.updateMany(filter, update as never, options)),
    );
  }

  async bulkWrite(ops: BulkOp<T>[]): Promise<WriteResult> {
    if (ops.length === 0) return toResult({});
    return translate(this.name, async () => {
      const r = await this.c.bulkWrite(ops as never[], { ordered: false });
      return {
        matchedCount: r.matchedCount,
        modifiedCount: r.modifiedCount,
        upsertedCount: r.upsertedCount,
        insertedCount: r.insertedCount,
        deletedCount: r.deletedCount,
      };
    });
  }

  async deleteMany(filter: Filter<T>): Promise<number> {
    return (await this.c.deleteMany(filter)).deletedCount;
  }

  aggregate<R extends Document = Document>(pipeline: Document[]): Cursor<R> {
    return this.c.aggregate<R>(pipeline, { allowDiskUse: true }) as unknown as Cursor<R>;
  }

  createIndex(def: IndexDef): Promise<string> {
    return this.c.createIndex(def.keys, { unique: def.unique ?? false, name: indexName(def) });
  }
}

function toResult(r: Partial<WriteResult>): WriteResult {
  return {
    matchedCount: r.matchedCount ?? 0,
    modifiedCount: r.modifiedCount ?? 0,
    upsertedCount: r.upsertedCount ?? 0,
    insertedCount: r.insertedCount ?? 0,
    deletedCount: r.deletedCount ?? 0,
  };
}

async function translate<R>(collection: string, fn: () => Promise<R>): Promise<R> {
  try {
    return await fn();
  } catch (err) {
    // An unordered bulk write reports one error or several; only duplicates means the rest was written.
    const bulkErrors = err instanceof MongoBulkWriteError ? [err.writeErrors].flat() : [];
    if (
      err instanceof MongoBulkWriteError &&
      bulkErrors.length > 0 &&
      bulkErrors.every((e) => e.code === 11000)
    ) {
      const duplicate = new DuplicateKeyError(collection, String(err.errmsg ?? ''), null);
      duplicate.written = {
        matchedCount: err.result.matchedCount,
        modifiedCount: err.result.modifiedCount,
        upsertedCount: err.result.upsertedCount,
        insertedCount: err.result.insertedCount,
        deletedCount: err.result.deletedCount,
      };
      throw duplicate;
    }
    if (err instanceof MongoServerError && err.code === 11000) {
      throw new DuplicateKeyError(collection, String(err.errmsg ?? ''), err.keyValue ?? null);
    }
    throw err;
  }
}

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

  collection<T extends Document = Document>(name: string): StoreCollection<T> {
    return new MongoCollection<T>(this.db.collection<T>(name));
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
