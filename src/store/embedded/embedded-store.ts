import { StoreUnavailableError } from '../unavailable.js';
import type { Document, Store } from '../types.js';
import { EmbeddedCollection, type EmbeddedHost } from './collection.js';
import {
  acquireDirLock,
  listCollectionFiles,
  readCollectionFile,
  writeCollectionFile,
} from './persistence.js';

export interface EmbeddedStoreOptions {
  /** Directory to load from and checkpoint to; omit for a store that lives only in memory. */
  dir?: string;
  /** Checkpoint dirty collections this often (ms); 0 disables. @defaultValue 30000 */
  checkpointIntervalMs?: number;
}

/**
 * In-process stand-in for a MongoDB database (see DESIGN.md, "Embedded store"). Data lives in
 * memory and is snapshotted per collection at checkpoints and on close.
 */
export class EmbeddedStore implements Store, EmbeddedHost {
  readonly kind = 'embedded' as const;
  private readonly collections = new Map<string, EmbeddedCollection>();
  private readonly dirty = new Set<string>();
  private timer?: NodeJS.Timeout;
  private unlock?: () => Promise<void>;
  private closed = false;

  private constructor(private readonly dir: string | undefined) {}

  static async open(options: EmbeddedStoreOptions = {}): Promise<EmbeddedStore> {
    const store = new EmbeddedStore(options.dir);
    if (options.dir) {
      store.unlock = await acquireDirLock(options.dir);
      try {
        for (const name of listCollectionFiles(options.dir)) {
          store.collection(name).load(readCollectionFile(options.dir, name));
        }
      } catch (err) {
        await store.unlock();
        throw err;
      }
      const interval = options.checkpointIntervalMs ?? 30_000;
      if (interval > 0) {
        store.timer = setInterval(() => void store.checkpoint(), interval);
        store.timer.unref();
      }
    }
    return store;
  }

  collection<T extends Document = Document>(name: string): EmbeddedCollection<T> {
    let coll = this.collections.get(name);
    if (!coll) {
      coll = new EmbeddedCollection(name, this);
      this.collections.set(name, coll);
    }
    return coll as unknown as EmbeddedCollection<T>;
  }

  rawDocs(name: string): Document[] {
    return this.collection(name).raw();
  }

  markDirty(name: string): void {
    this.dirty.add(name);
  }

  async ping(): Promise<void> {
    if (this.closed) throw new StoreUnavailableError('embedded store is closed');
  }

  async checkpoint(): Promise<void> {
    if (!this.dir) return;
    for (const name of [...this.dirty]) {
      this.dirty.delete(name);
      writeCollectionFile(this.dir, name, this.collection(name).raw());
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    await this.checkpoint();
    this.closed = true;
    await this.unlock?.();
  }

  describe(): string {
    return this.dir ? `embedded store at ${this.dir}` : 'embedded store (memory only)';
  }
}
