import { randomBytes } from 'node:crypto';
import type { Document } from 'mongodb';
import { cursorReply, takeBatch } from './bson-builder.js';
import { CommandError } from './errors.js';

/**
 * Results: documents (immutable once stored), or documents already BSON-encoded (the replica's
 * output), which are sent as they are.
 */
export type ResultDocs = readonly (Document | Uint8Array)[];

/** A query's remaining results, paged out by getMore. */
interface OpenCursor {
  ns: string;
  docs: ResultDocs;
  position: number;
  lastUsed: number;
  /** find's noCursorTimeout: kept until exhausted or killed, however long it sits idle. */
  noTimeout: boolean;
}

/** MongoDB's default first batch when the client names none. */
const DEFAULT_FIRST_BATCH = 101;

export class CursorRegistry {
  private readonly open = new Map<bigint, OpenCursor>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    /** Idle cursors are closed after this long, as MongoDB's cursorTimeoutMillis. @defaultValue 10 minutes */
    private readonly idleMs = 10 * 60_000,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(idleMs, 60_000));
    this.sweeper.unref();
  }

  /** The reply to find/aggregate/listX: a first batch, and a cursor if more is left. */
  first(ns: string, docs: ResultDocs, batchSize?: number, singleBatch = false, noTimeout = false): Buffer {
    const max = batchSize && batchSize > 0 ? batchSize : DEFAULT_FIRST_BATCH;
    const { buffers, next } = takeBatch(docs, 0, max);
    let id = 0n;
    if (next < docs.length && !singleBatch) {
      id = randomBytes(8).readBigInt64LE(0) & 0x7fffffffffffffffn || 1n;
      this.open.set(id, { ns, docs, position: next, lastUsed: Date.now(), noTimeout });
    }
    return cursorReply('firstBatch', buffers, id, ns);
  }

  more(id: bigint, ns: string, batchSize?: number): Buffer {
    const cursor = this.open.get(id);
    if (!cursor || cursor.ns !== ns)
      throw new CommandError(43, 'CursorNotFound', `cursor id ${id} not found`);
    const { buffers, next } = takeBatch(
      cursor.docs,
      cursor.position,
      batchSize && batchSize > 0 ? batchSize : Number.MAX_SAFE_INTEGER,
    );
    cursor.position = next;
    cursor.lastUsed = Date.now();
    const done = next >= cursor.docs.length;
    if (done) this.open.delete(id);
    return cursorReply('nextBatch', buffers, done ? 0n : id, ns);
  }

  kill(ids: bigint[]): { killed: bigint[]; notFound: bigint[] } {
    const killed: bigint[] = [];
    const notFound: bigint[] = [];
    for (const id of ids) (this.open.delete(id) ? killed : notFound).push(id);
    return { killed, notFound };
  }

  close(): void {
    clearInterval(this.sweeper);
    this.open.clear();
  }

  private sweep(): void {
    const cutoff = Date.now() - this.idleMs;
    for (const [id, cursor] of this.open)
      if (cursor.lastUsed < cutoff && !cursor.noTimeout) this.open.delete(id);
  }
}
