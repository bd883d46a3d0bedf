import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BSON, type Document } from 'mongodb';
import type { Logger } from 'pino';
import { CommandError } from '../errors.js';
import type { FromReplica, ReplicaWorkerData, ToReplica } from './messages.js';

/** The replica thread is gone (crashed, or failed to load): the caller runs the work itself. */
export class ReplicaUnavailable extends Error {
  override name = 'ReplicaUnavailable';
}

/** The thread's module, as TypeScript under tsx/vitest or compiled JavaScript in dist/. */
const EXTENSION = extname(fileURLToPath(import.meta.url));
const ENTRY = new URL(`./replica-worker${EXTENSION}`, import.meta.url);
/** Under TypeScript the thread registers tsx first, as bin/sibyl.js does for the main thread. */
const TSX = EXTENSION === '.ts' ? tsxEsmApi() : undefined;

/** tsx's ESM entry (its CommonJS twin cannot register hooks from a worker's eval code). */
function tsxEsmApi(): string {
  if (typeof import.meta.resolve === 'function') return import.meta.resolve('tsx/esm/api');
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  return pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
}
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) { const m = await import(workerData.tsx); (m.register ?? m.default.register)(); }
  await import(workerData.entry);
})();
`;

/** A pipeline's output as it arrives: BSON documents end to end, `ends[i]` where document i stops. */
export class PackedDocs {
  constructor(
    private readonly bytes: Uint8Array,
    private readonly ends: Uint32Array,
  ) {}

  get length(): number {
    return this.ends.length;
  }

  /** Documents `from` to `to` (exclusive), each a view into the buffer. */
  slice(from = 0, to = this.ends.length): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = from; i < Math.min(to, this.ends.length); i++)
      out.push(this.bytes.subarray(i === 0 ? 0 : this.ends[i - 1], this.ends[i]));
    return out;
  }
}

interface Pending {
  resolve: (docs: PackedDocs) => void;
  reject: (err: unknown) => void;
}

/**
 * The server's side of its read replica (replica-worker.ts): a worker thread holding a copy of
 * every database, fed each committed write, that runs long aggregations so that the server's own
 * event loop keeps answering other clients (docs/architecture.md, "Storage: MongoDB": long
 * aggregations never hold up other clients).
 */
export class Replica {
  /** Resolves when the copy is loaded; never rejects (a failed load makes the replica unusable). */
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private usable = true;

  constructor(data: ReplicaWorkerData, logger: Logger) {
    this.worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: { ...data, entry: ENTRY.href, tsx: TSX },
    });
    this.worker.unref();
    let loaded!: () => void;
    this.ready = new Promise((resolve) => (loaded = resolve));
    this.worker.on('message', (message: FromReplica) => {
      if (message.t === 'ready') {
        logger.info({ docs: message.docs, ms: message.ms }, 'store replica ready');
        loaded();
      } else if (message.t === 'load-failed') {
        logger.error(
          { err: message.message },
          'store replica failed to load; long pipelines run on the server',
        );
        this.lose();
        loaded();
      } else {
        const pending = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.t === 'result') pending?.resolve(new PackedDocs(message.bytes, message.ends));
        else
          pending?.reject(
            message.code
              ? new CommandError(message.code, message.codeName!, message.message)
              : new Error(message.message),
          );
      }
    });
    this.worker.on('error', (err) => {
      logger.error({ err }, 'store replica crashed; long pipelines run on the server');
      this.lose();
      loaded();
    });
    this.worker.on('exit', () => {
      this.lose();
      loaded();
    });
  }

  get available(): boolean {
    return this.usable;
  }

  /** A committed write's ops (BSON documents), in commit order. */
  apply(db: string, ops: readonly Uint8Array[]): void {
    if (!this.usable || ops.length === 0) return;
    const bytes = Buffer.concat(ops);
    this.post({ t: 'ops', db, bytes });
  }

  /**
   * The output of `pipeline` (reading stages only) over `db.coll`, as BSON documents, reading every
   * write committed before the call. Rejects with ReplicaUnavailable if the thread is gone.
   */
  async aggregate(db: string, coll: string, pipeline: Document[]): Promise<PackedDocs> {
    await this.ready;
    if (!this.usable) throw new ReplicaUnavailable('store replica is not running');
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ t: 'aggregate', id, db, coll, pipeline: BSON.serialize({ p: pipeline }) });
    });
  }

  async close(): Promise<void> {
    this.usable = false;
    await this.worker.terminate();
  }

  private post(message: ToReplica): void {
    this.worker.postMessage(message);
  }

  private lose(): void {
    this.usable = false;
    for (const pending of this.pending.values())
      pending.reject(new ReplicaUnavailable('store replica stopped'));
    this.pending.clear();
  }
}
