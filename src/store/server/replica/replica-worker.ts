import { parentPort, workerData } from 'node:worker_threads';
import { BSON, type Document } from 'mongodb';
import { decode } from '../bson-codec.js';
import { loadCheckpoint } from '../checkpoint.js';
import { CommandError } from '../errors.js';
import { decodeOps, replayJournal } from '../journal.js';
import { applyRedo, loadCollections, type Databases } from '../redo.js';
import type { FromReplica, ReplicaWorkerData, ToReplica } from './messages.js';

/**
 * The replica thread: a copy of the server's databases, loaded from the same checkpoint and journal
 * and then kept current by every committed write's redo ops, in commit order. It runs the long
 * pipelines the server hands it; while one runs, later ops wait in the message queue, so each
 * pipeline reads one consistent state.
 */

const port = parentPort!;
const { dir, throughLsn } = workerData as ReplicaWorkerData;
const databases: Databases = new Map();
const send = (message: FromReplica, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

async function load(): Promise<void> {
  const started = performance.now();
  if (dir) {
    const checkpoint = await loadCheckpoint(dir);
    loadCollections(databases, checkpoint.databases);
    for await (const entry of replayJournal(dir, checkpoint.lsn, { through: throughLsn }))
      applyRedo(databases, entry.db, entry.ops);
  }
  let docs = 0;
  for (const db of databases.values()) for (const name of db.names()) docs += db.existing(name)!.size;
  send({ t: 'ready', docs, ms: Math.round(performance.now() - started) });
}

function aggregate(message: Extract<ToReplica, { t: 'aggregate' }>): void {
  try {
    const { p: pipeline } = decode(message.pipeline) as { p: Document[] };
    const db = databases.get(message.db);
    const coll = db?.existing(message.coll);
    const docs = coll ? coll.aggregateSync(pipeline) : [];
    const encoded = docs.map((doc) => BSON.serialize(doc));
    // One buffer of its own (not Node's pool), so it can be transferred rather than copied.
    const bytes = new Uint8Array(encoded.reduce((n, e) => n + e.length, 0));
    const ends = new Uint32Array(encoded.length);
    let offset = 0;
    for (const [i, e] of encoded.entries()) {
      bytes.set(e, offset);
      offset += e.length;
      ends[i] = offset;
    }
    send({ t: 'result', id: message.id, bytes, ends }, [bytes.buffer, ends.buffer]);
  } catch (err) {
    const known = err instanceof CommandError ? err : undefined;
    send({
      t: 'error',
      id: message.id,
      message: (err as Error).message ?? String(err),
      code: known?.code,
      codeName: known?.codeName,
    });
  }
}

// A copy that failed to load answers nothing: it says so, and closes its port (the thread ends).
let failed = false;
let queue = load().catch((err: unknown) => {
  failed = true;
  send({ t: 'load-failed', message: (err as Error).message ?? String(err) });
  port.close();
});

port.on('message', (message: ToReplica) => {
  queue = queue.then(() => {
    if (failed) return;
    if (message.t === 'ops') applyRedo(databases, message.db, decodeOps(message.bytes));
    else aggregate(message);
  });
});
