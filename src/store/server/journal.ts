import { open, readdir, readFile, rm, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { BSON, type Document, type Long } from 'mongodb';
import { decode } from './bson-codec.js';
import { bsonString, document, element, int64 } from './bson-builder.js';

/**
 * The write-ahead journal of `sibyl store`: every acknowledged write's effects, appended and fsynced
 * before the reply (group commit: writes that arrive while a flush runs share the next one).
 * Entries are redo records (documents as stored, ids deleted, index changes), so replay never
 * re-evaluates an update. Segments are named by their first sequence number; a checkpoint lets the
 * older ones go.
 *
 * Frame: int32 length of the BSON body, uint32 CRC-32 of it, the body `{ l: lsn, d: db, ops, m }`.
 * One write is one frame, or, when its effects exceed a frame's size, several consecutive frames:
 * every frame but the last carries `m: true` (more of this write follows), so the last one commits
 * the write. A torn tail (a crash mid-append) fails its length or checksum; it is cut off at
 * replay, together with the frames of an uncommitted write before it, which are never replayed:
 * a write is applied whole or not at all.
 */

export type JournalOp =
  | { c: string; put: Document }
  | { c: string; del: unknown }
  | { c: string; index: Document }
  | { c: string; dropIndex: string }
  | { c: string; create: true }
  | { c: string; drop: true }
  | { dropDatabase: true };

export interface JournalEntry {
  lsn: number;
  db: string;
  ops: JournalOp[];
}

interface Segment {
  name: string;
  file?: FileHandle;
  /** Bytes known to be whole and synced. */
  goodSize: number;
}

interface Pending {
  frame: Buffer;
  segment: Segment;
  undo: () => void;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Target size of one entry's operations (MongoDB's documents stop at 16 MiB). */
const ENTRY_BYTES = 4 * 1024 * 1024;

const TRUE = Buffer.from([1]);

function frame(lsn: number, db: string, ops: Uint8Array[], more: boolean): Buffer {
  const body = document([
    element(0x12, 'l', int64(BigInt(lsn))),
    element(0x02, 'd', bsonString(db)),
    element(0x04, 'ops', document(ops.map((op, i) => element(0x03, String(i), op)))),
    ...(more ? [element(0x08, 'm', TRUE)] : []),
  ]);
  const out = Buffer.alloc(8 + body.length);
  out.writeInt32LE(body.length, 0);
  out.writeUInt32LE(crc32(body), 4);
  body.copy(out, 8);
  return out;
}

const PREFIX = 'journal-';
const SUFFIX = '.bson';
const segmentName = (firstLsn: number) => `${PREFIX}${String(firstLsn).padStart(15, '0')}${SUFFIX}`;
const firstLsnOf = (name: string) => Number(name.slice(PREFIX.length, -SUFFIX.length));

export class Journal {
  private current: Segment;
  private queue: Pending[] = [];
  private flushing?: Promise<void>;
  /** Failed flushes so far (a checkpoint must not capture writes that were then undone). */
  failures = 0;

  /** Continues after `lsn`, the last entry replayed or checkpointed; segment files open on first use. */
  constructor(
    private readonly dir: string,
    private lsn: number,
  ) {
    this.current = { name: segmentName(lsn + 1), goodSize: 0 };
  }

  get lastLsn(): number {
    return this.lsn;
  }

  /**
   * Appends one command's effects (each op BSON-encoded, see `encodeOps`). Resolves once they are on
   * disk; rejects, after calling `undo` (and that of every write queued after it, newest first), when
   * the disk refuses them.
   */
  append(db: string, ops: readonly Uint8Array[], undo: () => void): Promise<void> {
    // A large write ($merge of a feature rebuild) spans several frames, each under the BSON limit;
    // they are written in one system call, and a failure truncates them all. The system call is not
    // atomic on a power loss, so all but the last frame say that more follows (see the top).
    const chunks: Uint8Array[][] = [[]];
    let bytes = 0;
    for (const encoded of ops) {
      if (chunks.at(-1)!.length > 0 && bytes + encoded.length > ENTRY_BYTES) {
        chunks.push([]);
        bytes = 0;
      }
      chunks.at(-1)!.push(encoded);
      bytes += encoded.length + 8;
    }
    const frames = chunks.map((chunk, i) => frame(++this.lsn, db, chunk, i < chunks.length - 1));
    return new Promise((resolve, reject) => {
      this.queue.push({ frame: Buffer.concat(frames), segment: this.current, undo, resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  /** Resolves when everything appended so far is on disk (or has failed). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /**
   * Later appends go to a new segment (synchronously: a checkpoint captures memory at this same
   * instant). Returns the last sequence number before the cut.
   */
  rotate(): number {
    const previous = this.current;
    this.current = { name: segmentName(this.lsn + 1), goodSize: 0 };
    // A flush in progress closes the previous segment when done with it; otherwise close it now.
    if (!this.flushing && previous.file) {
      void previous.file.close().catch(() => undefined);
      previous.file = undefined;
    }
    return this.lsn;
  }

  /** Deletes the segments whose entries all come before `lsn + 1` (a checkpoint holds them). */
  async removeThrough(lsn: number): Promise<void> {
    const segments = await listSegments(this.dir);
    for (const [k, name] of segments.entries()) {
      const next = segments[k + 1];
      if (name !== this.current.name && next !== undefined && firstLsnOf(next) <= lsn + 1)
        await rm(join(this.dir, name), { force: true });
    }
  }

  async close(): Promise<void> {
    await this.drain();
    await this.current.file?.close();
    this.current.file = undefined;
  }

  private async flushLoop(): Promise<void> {
    // Let the writes of the current tick join this flush.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const batch = this.queue.filter((p) => p.segment === this.queue[0]!.segment);
      this.queue = this.queue.slice(batch.length);
      const segment = batch[0]!.segment;
      const bytes = Buffer.concat(batch.map((p) => p.frame));
      try {
        segment.file ??= await open(join(this.dir, segment.name), 'a');
        await segment.file.write(bytes);
        await segment.file.datasync();
        segment.goodSize += bytes.length;
        for (const p of batch) p.resolve();
      } catch (err) {
        // Everything not yet synced fails: later writes may have read these ones' effects.
        this.failures++;
        const failed = [...batch, ...this.queue];
        this.queue = [];
        for (const p of [...failed].reverse()) p.undo();
        for (const p of failed) p.reject(err);
        await this.recover(segment);
      }
      if (segment !== this.current && !this.queue.some((p) => p.segment === segment)) {
        await segment.file?.close().catch(() => undefined);
        segment.file = undefined;
      }
    }
    this.flushing = undefined;
  }

  /** After a failed append: cut a torn frame off and reopen on the next write. */
  private async recover(segment: Segment): Promise<void> {
    await segment.file?.close().catch(() => undefined);
    segment.file = undefined;
    await truncate(join(this.dir, segment.name), segment.goodSize).catch(() => undefined);
  }
}

async function listSegments(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.startsWith(PREFIX) && f.endsWith(SUFFIX)).sort();
}

/** Each op as its own BSON document: what the journal frames and the replica receives. */
export function encodeOps(ops: readonly JournalOp[]): Uint8Array[] {
  return ops.map((op) => BSON.serialize(op));
}

/** Ops from BSON documents laid end to end (each starts with its own length). */
export function decodeOps(bytes: Uint8Array): JournalOp[] {
  const ops: JournalOp[] = [];
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let offset = 0; offset < view.length; offset += view.readInt32LE(offset))
    ops.push(decode(view.subarray(offset, offset + view.readInt32LE(offset))) as JournalOp);
  return ops;
}

/**
 * Entries after `afterLsn`, in order, each write's frames only once its last one is read; a torn
 * tail of the last segment, and the frames of the uncommitted write before it, are truncated away.
 * With `through`, a reader beside a live server (the replica) stops after that entry and never
 * truncates: what follows it may be an append in progress.
 */
export async function* replayJournal(
  dir: string,
  afterLsn: number,
  options: { through?: number } = {},
): AsyncGenerator<JournalEntry> {
  const { through } = options;
  const segments = await listSegments(dir);
  for (const [k, segment] of segments.entries()) {
    const path = join(dir, segment);
    const buf = await readFile(path);
    // The frames read of a write not yet committed, and where its first one starts.
    let pending: JournalEntry[] = [];
    let pendingFrom = 0;
    let offset = 0;
    let torn: number | undefined;
    while (offset < buf.length) {
      const whole = offset + 8 <= buf.length && offset + 8 + buf.readInt32LE(offset) <= buf.length;
      const body = whole ? buf.subarray(offset + 8, offset + 8 + buf.readInt32LE(offset)) : undefined;
      if (!body || crc32(body) !== buf.readUInt32LE(offset + 4)) {
        torn = offset;
        break;
      }
      const entry = decode(body);
      if (pending.length === 0) pendingFrom = offset;
      offset += 8 + body.length;
      pending.push({
        lsn: (entry.l as Long).toNumber(),
        db: entry.d as string,
        ops: entry.ops as JournalOp[],
      });
      if (entry.m === true) continue;
      for (const committed of pending) {
        if (through !== undefined && committed.lsn > through) return;
        if (committed.lsn > afterLsn) yield committed;
        if (committed.lsn === through) return;
      }
      pending = [];
    }
    if (torn === undefined && pending.length === 0) continue;
    const at = pending.length > 0 ? pendingFrom : torn!;
    if (k < segments.length - 1 || through !== undefined)
      throw new Error(
        `${segment}: ${torn === undefined ? 'uncommitted write' : 'corrupt entry'} at byte ${at}`,
      );
    await truncate(path, at);
  }
}
