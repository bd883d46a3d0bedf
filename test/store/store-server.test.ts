import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, symlink, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { createInterface } from 'node:readline';
import {
  BSON,
  Decimal128,
  Double,
  Long,
  MongoClient,
  MongoServerError,
  UUID,
  type CommandStartedEvent,
  type Document,
} from 'mongodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MongoStore } from '../../src/store/mongo-store.js';
import { CursorRegistry } from '../../src/store/server/cursors.js';
import { StoreServer } from '../../src/store/server/store-server.js';

const BIN = join(import.meta.dirname, '../../bin/sibyl.js');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sibyl-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function connect(uri: string): Promise<MongoClient> {
  const client = new MongoClient(uri, { ...MongoStore.clientOptions, serverSelectionTimeoutMS: 3_000 });
  await client.connect();
  return client;
}

/** One command over a bare socket (OP_MSG, no driver): what a client sends that the driver never would. */
async function rawCommand(uri: string, command: Document): Promise<Document> {
  const { hostname, port } = new URL(uri);
  const body = BSON.serialize(command);
  const message = Buffer.alloc(16 + 4 + 1 + body.length);
  message.writeInt32LE(message.length, 0);
  message.writeInt32LE(1, 4); // requestID
  message.writeInt32LE(2013, 12); // OP_MSG
  message[20] = 0; // section kind 0: the body
  Buffer.from(body).copy(message, 21);
  const socket = createConnection({ host: hostname, port: Number(port) });
  socket.write(message);
  const chunks: Buffer[] = [];
  for await (const chunk of socket as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    const all = Buffer.concat(chunks);
    if (all.length >= 4 && all.length >= all.readInt32LE(0)) {
      socket.destroy();
      return BSON.deserialize(all.subarray(21));
    }
  }
  throw new Error('connection closed without a reply');
}

/** `sibyl store` as a real process on a free port; resolves with its connection string. */
function storeProcess(dataDir: string) {
  const child = spawn(process.execPath, [BIN, 'store', '--data-dir', dataDir, '--port', '0'], {
    env: { ...process.env, LOG_LEVEL: 'info' },
  });
  const uri = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stderr }).on('line', (line) => {
      const match = /MONGODB_URI=(\S+)/.exec(line);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`sibyl store exited with ${code}`)));
  });
  /** SIGTERM, resolved once it has exited. */
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { child, uri, stop };
}

describe('sibyl store: durability', () => {
  it('keeps every acknowledged batch across kill -9, and no batch half-written', async () => {
    const first = storeProcess(dir);
    const client = await connect(await first.uri);
    const interactions = client.db('sibyl').collection('interactions');
    await interactions.createIndex({ eventId: 1 }, { unique: true });
    const acknowledged: number[] = [];
    const BATCH = 500;
    let batch = 0;
    // Batches keep coming until the process dies under them.
    const writer = (async () => {
      for (;;) {
        const n = batch++;
        const docs = Array.from({ length: BATCH }, (_, i) => ({
          eventId: `b${n}-${i}`,
          batch: n,
          ts: new Date(0),
        }));
        try {
          await interactions.insertMany(docs);
          acknowledged.push(n);
        } catch {
          return;
        }
      }
    })();
    while (acknowledged.length < 20) await new Promise((r) => setTimeout(r, 10));
    first.child.kill('SIGKILL');
    await writer;
    await client.close(true);

    const second = storeProcess(dir);
    const after = await connect(await second.uri);
    const counts = await after
      .db('sibyl')
      .collection('interactions')
      .aggregate<Document>([{ $group: { _id: '$batch', n: { $sum: 1 } } }])
      .toArray();
    const byBatch = new Map(counts.map((c) => [c._id as number, c.n as number]));
    for (const n of acknowledged) expect(byBatch.get(n), `batch ${n}`).toBe(BATCH);
    for (const [n, count] of byBatch) expect(count, `batch ${n}`).toBe(BATCH);
    // The unique index survived too.
    await expect(
      after.db('sibyl').collection('interactions').insertOne({ eventId: 'b0-0' }),
    ).rejects.toMatchObject({ code: 11000 });
    await after.close();
    await second.stop();
  }, 60_000);

  it('fails a write the disk refuses, stays up, and stores nothing of it', async () => {
    const server = await StoreServer.start({ dir, port: 0 });
    // The journal's first segment (opened at the first write) is /dev/full: writes fail with ENOSPC.
    await symlink('/dev/full', join(dir, 'journal-000000000000001.bson'));
    const client = await connect(server.uri);
    const markets = client.db('sibyl').collection('markets');
    const error = await markets.insertOne({ ticker: 'A' }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).message).toMatch(/not durable, undone: journal write failed.*ENOSPC/);
    expect(await client.db('sibyl').command({ ping: 1 })).toMatchObject({ ok: 1 });
    expect(await markets.countDocuments()).toBe(0);
    // Once the disk takes writes again, so does the store.
    await unlink(join(dir, 'journal-000000000000001.bson'));
    await markets.insertOne({ ticker: 'B' });
    await client.close();
    await server.close();
    const again = await StoreServer.start({ dir, port: 0 });
    const reopened = await connect(again.uri);
    expect(
      await reopened
        .db('sibyl')
        .collection('markets')
        .find({}, { projection: { _id: 0 } })
        .toArray(),
    ).toEqual([{ ticker: 'B' }]);
    await reopened.close();
    await again.close();
  });

  it('recovers from a checkpoint plus the journal after it, and compacts the journal', async () => {
    const first = storeProcess(dir);
    const client = await connect(await first.uri);
    const coll = client.db('sibyl').collection('users');
    await coll.insertMany([{ userId: 'a' }, { userId: 'b' }]);
    await client.db('admin').command({ fsync: 1 }); // a checkpoint now
    await coll.updateOne({ userId: 'a' }, { $set: { seen: true } });
    await coll.deleteOne({ userId: 'b' });
    await coll.insertOne({ userId: 'c' });
    first.child.kill('SIGKILL');
    await client.close(true);
    expect((await readdir(dir)).some((f) => f.startsWith('checkpoint-'))).toBe(true);

    const second = storeProcess(dir);
    const reopened = await connect(await second.uri);
    const users = reopened.db('sibyl').collection('users');
    expect(
      await users
        .find({}, { projection: { _id: 0 } })
        .sort({ userId: 1 })
        .toArray(),
    ).toEqual([{ userId: 'a', seen: true }, { userId: 'c' }]);
    await reopened.db('admin').command({ fsync: 1 });
    // The checkpoint holds everything: no journal segment before it is left.
    expect((await readdir(dir)).filter((f) => f.startsWith('journal-')).length).toBeLessThanOrEqual(1);
    await reopened.close();
    await second.stop();
  }, 60_000);

  it('keeps numeric BSON types through the journal, a checkpoint and the read replica', async () => {
    const typed = { promoteValues: false, projection: { _id: 0 } } as const;
    const first = storeProcess(dir);
    try {
      const client = await connect(await first.uri);
      const coll = client.db('x').collection('n');
      await coll.insertOne({ k: 'checkpointed', l: Long.fromNumber(5), d: new Double(2) });
      await client.db('admin').command({ fsync: 1 }); // a checkpoint; the next write is in the journal only
      await coll.insertOne({ k: 'journaled', l: Long.fromString('9007199254740993'), d: new Double(-3) });
      first.child.kill('SIGKILL');
      await client.close(true);
    } finally {
      first.child.kill('SIGKILL');
    }

    const second = storeProcess(dir);
    try {
      const reopened = await connect(await second.uri);
      const docs = await reopened
        .db('x')
        .collection('n')
        .find({}, { ...typed, sort: { k: 1 } })
        .toArray();
      expect(docs.map((d) => [d.k, d.l._bsontype, d.l.toString(), d.d._bsontype, d.d.valueOf()])).toEqual([
        ['checkpointed', 'Long', '5', 'Double', 2],
        ['journaled', 'Long', '9007199254740993', 'Double', -3],
      ]);
      await reopened.close();
    } finally {
      if (second.child.exitCode === null && second.child.signalCode === null) await second.stop();
    }

    // A long pipeline runs on the replica, which decodes what it is sent the same way.
    const server = await StoreServer.start({ port: 0, replicaMinDocs: 0 });
    const onReplica = await connect(server.uri);
    const c = onReplica.db('x').collection('n');
    await c.insertMany([{ l: Long.fromNumber(5) }, { l: 6 }, { l: new Double(7) }]);
    const counted = await c
      .aggregate([{ $match: { l: { $gte: Long.fromNumber(6) } } }, { $group: { _id: null, n: { $sum: 1 } } }])
      .toArray();
    expect(counted).toEqual([{ _id: null, n: 2 }]);
    await onReplica.close();
    await server.close();
  }, 60_000);

  it('refuses a data directory another live server holds, naming it', async () => {
    const server = await StoreServer.start({ dir, port: 0 });
    await expect(StoreServer.start({ dir, port: 0 })).rejects.toThrow(/is served by sibyl store/);
    await server.close();
  });
});

describe('sibyl store: the commands the driver and mongosh send', () => {
  let server: StoreServer;
  let client: MongoClient;
  beforeEach(async () => {
    server = await StoreServer.start({ port: 0 });
    client = await connect(server.uri);
  });
  afterEach(async () => {
    await client.close();
    await server.close();
  });

  it('answers an unknown command with CommandNotFound and keeps serving', async () => {
    await expect(client.db('x').command({ frobnicate: 1 })).rejects.toMatchObject({
      codeName: 'CommandNotFound',
      code: 59,
    });
    // Neither explain nor authentication is served: they are unknown commands here.
    await expect(client.db('x').collection('m').find({}).explain()).rejects.toMatchObject({ code: 59 });
    await expect(
      client.db('admin').command({ saslStart: 1, mechanism: 'SCRAM-SHA-256', payload: Buffer.alloc(0) }),
    ).rejects.toMatchObject({ code: 59, message: "no such command: 'saslStart'" });
    expect(await client.db('x').command({ ping: 1 })).toMatchObject({ ok: 1 });
  });

  it('refuses change streams as a MongoDB standalone does, and serves a client asking for compression uncompressed', async () => {
    const standalone = { code: 40573, message: 'The $changeStream stage is only supported on replica sets' };
    const stream = client.db('x').collection('m').watch();
    await expect(stream.tryNext()).rejects.toMatchObject(standalone);
    await stream.close();
    const dbStream = client.db('x').watch();
    await expect(dbStream.tryNext()).rejects.toMatchObject(standalone);
    await dbStream.close();
    // hello offers no compressor, so the driver sends and expects plain messages, as with a MongoDB
    // started without compression.
    const compressing = new MongoClient(server.uri, { compressors: ['zlib', 'zstd'] });
    await compressing.connect();
    await compressing.db('x').collection('z').insertOne({ a: 1 });
    expect(await compressing.db('x').collection('z').countDocuments()).toBe(1);
    await compressing.close();
  });

  it('refuses a transaction as a MongoDB standalone does, and applies nothing of it', async () => {
    const c = client.db('x').collection('m');
    const refused = {
      code: 20,
      codeName: 'IllegalOperation',
      message: 'Transaction numbers are only allowed on a replica set member or mongos',
    };
    // The driver recognises that refusal of a write and rewrites its message, as against MongoDB.
    const refusedWrite = {
      message: expect.stringMatching(/^This MongoDB deployment does not support retryable writes/),
      originalError: refused,
    };
    const session = client.startSession();
    session.startTransaction();
    await expect(c.insertOne({ a: 1 }, { session })).rejects.toMatchObject(refusedWrite);
    await expect(c.updateOne({ a: 2 }, { $set: { b: 1 } }, { session, upsert: true })).rejects.toMatchObject(
      refusedWrite,
    );
    // The driver swallows abortTransaction's error, as the transactions spec says; nothing was applied.
    await session.abortTransaction();
    session.startTransaction();
    await expect(c.insertOne({ a: 3 }, { session })).rejects.toMatchObject(refusedWrite);
    await expect(session.commitTransaction()).rejects.toMatchObject(refused);
    await expect(session.withTransaction(() => c.insertOne({ a: 4 }, { session }))).rejects.toMatchObject(
      refusedWrite,
    );
    await session.endSession();
    expect(await c.countDocuments()).toBe(0);

    // The same checks for commands sent by hand, in MongoDB's order.
    const lsid = { id: new UUID() };
    const insert = { insert: 'm', documents: [{ a: 5 }], lsid };
    await expect(client.db('x').command({ ...insert, txnNumber: Long.fromNumber(1) })).rejects.toMatchObject(
      refused,
    );
    await expect(client.db('x').command({ ...insert, autocommit: false })).rejects.toMatchObject({
      code: 72,
      codeName: 'InvalidOptions',
      message: "'autocommit' field requires a transaction number to also be specified",
    });
    await expect(client.db('x').command({ ...insert, startTransaction: true })).rejects.toMatchObject({
      code: 72,
      message: "'startTransaction' field requires 'autocommit' field to also be specified",
    });
    // The driver gives transaction commands a transaction number of their own, which is refused
    // the same way; sent without one (a raw client), they find no transaction, as on MongoDB.
    await expect(client.db('admin').command({ commitTransaction: 1 })).rejects.toMatchObject(refused);
    expect(await rawCommand(server.uri, { commitTransaction: 1, $db: 'admin' })).toMatchObject({
      ok: 0,
      code: 125,
      codeName: 'CommandFailed',
      errmsg: 'commitTransaction must be run within a transaction',
    });
    expect(await rawCommand(server.uri, { abortTransaction: 1, $db: 'x' })).toMatchObject({
      ok: 0,
      code: 13,
      codeName: 'Unauthorized',
      errmsg: 'abortTransaction may only be run against the admin database.',
    });
    expect(await c.countDocuments()).toBe(0);
  });

  it('serves retryable writes with the driver defaults: no transaction number is sent, every write applies', async () => {
    const monitored = new MongoClient(server.uri, { monitorCommands: true });
    const sent: CommandStartedEvent[] = [];
    monitored.on('commandStarted', (event) => sent.push(event));
    await monitored.connect();
    const c = monitored.db('x').collection('r');
    await c.insertOne({ k: 1 });
    await c.insertMany([{ k: 2 }, { k: 3 }]);
    await c.updateOne({ k: 1 }, { $set: { v: 1 } });
    await c.updateOne({ k: 4 }, { $set: { v: 4 } }, { upsert: true });
    await c.replaceOne({ k: 2 }, { k: 2, v: 2 });
    await c.findOneAndUpdate({ k: 3 }, { $set: { v: 3 } });
    await c.deleteOne({ k: 4 });
    await c.bulkWrite([{ insertOne: { document: { k: 5 } } }, { deleteOne: { filter: { k: 5 } } }]);
    const writes = sent.filter((e) =>
      ['insert', 'update', 'delete', 'findAndModify'].includes(e.commandName),
    );
    expect(writes).toHaveLength(9);
    for (const e of writes) expect(e.command, e.commandName).not.toHaveProperty('txnNumber');
    expect(await c.find({}, { projection: { _id: 0 }, sort: { k: 1 } }).toArray()).toEqual([
      { k: 1, v: 1 },
      { k: 2, v: 2 },
      { k: 3, v: 3 },
    ]);
    await monitored.close();
  });

  it('refuses options it cannot honour, naming them, and applies nothing of the command', async () => {
    const db = client.db('x');
    const c = db.collection('opts');
    await c.insertMany([
      { k: 'a', n: 1, tags: [1, 2] },
      { k: 'B', n: 2, tags: [3] },
    ]);
    const collation = { locale: 'en', strength: 2 };
    const refused = (field: string) => ({
      code: 238,
      codeName: 'NotImplemented',
      message: expect.stringContaining(`'${field}' is not supported by sibyl store`),
    });
    await expect(c.find({ k: 'b' }, { collation }).toArray()).rejects.toMatchObject(
      refused('find.collation'),
    );
    await expect(c.aggregate([{ $match: { k: 'b' } }], { collation }).toArray()).rejects.toMatchObject(
      refused('aggregate.collation'),
    );
    await expect(c.countDocuments({ k: 'b' }, { collation })).rejects.toMatchObject(
      refused('aggregate.collation'),
    );
    await expect(db.command({ count: 'opts', query: { k: 'b' }, collation })).rejects.toMatchObject(
      refused('count.collation'),
    );
    await expect(c.distinct('n', { k: 'b' }, { collation })).rejects.toMatchObject(
      refused('distinct.collation'),
    );
    await expect(c.updateOne({ k: 'b' }, { $set: { n: 9 } }, { collation })).rejects.toMatchObject(
      refused('update.updates.collation'),
    );
    await expect(
      c.updateMany({}, { $set: { 'tags.$[t]': 0 } }, { arrayFilters: [{ t: { $gte: 2 } }] }),
    ).rejects.toMatchObject(refused('update.updates.arrayFilters'));
    // A batch is refused whole before it runs: the first, plain statement is not applied either.
    await expect(
      c.bulkWrite([
        { updateOne: { filter: { k: 'a' }, update: { $set: { n: 7 } } } },
        { updateOne: { filter: { k: 'B' }, update: { $set: { n: 8 } }, collation } },
      ]),
    ).rejects.toMatchObject(refused('update.updates.collation'));
    await expect(c.deleteOne({ k: 'b' }, { collation })).rejects.toMatchObject(
      refused('delete.deletes.collation'),
    );
    await expect(c.findOneAndUpdate({ k: 'b' }, { $set: { n: 9 } }, { collation })).rejects.toMatchObject(
      refused('findAndModify.collation'),
    );
    await expect(c.find({}, { let: { x: 1 } }).toArray()).rejects.toMatchObject(refused('find.let'));
    await expect(c.find({}, { readConcern: { level: 'snapshot' } }).toArray()).rejects.toMatchObject({
      code: 238,
      message: expect.stringContaining("readConcern level 'snapshot'"),
    });
    await expect(c.insertOne({ k: 'c' }, { writeConcern: { w: 2 } })).rejects.toMatchObject({
      code: 238,
      message: expect.stringContaining('writeConcern w: 2'),
    });
    await expect(
      c
        .aggregate([{ $merge: { into: 'o', let: { x: 1 }, whenMatched: [{ $set: { y: '$$x' } }] } }])
        .toArray(),
    ).rejects.toMatchObject(refused('$merge.let'));
    await expect(
      c.aggregate([{ $match: {} }, { $out: { db: 'other', coll: 'o' } }]).toArray(),
    ).rejects.toMatchObject({
      code: 238,
      message: expect.stringContaining("writing to database 'other'"),
    });
    await expect(c.createIndex({ k: 1 }, { sparse: true })).rejects.toMatchObject(
      refused('createIndexes.indexes.sparse'),
    );
    await expect(c.createIndex({ ts: 1 }, { expireAfterSeconds: 60 })).rejects.toMatchObject(
      refused('createIndexes.indexes.expireAfterSeconds'),
    );
    await expect(c.createIndex({ k: 'text' })).rejects.toMatchObject({
      code: 238,
      message: expect.stringContaining('index type "text"'),
    });
    // A field MongoDB does not know either is refused as MongoDB's parser refuses it.
    await expect(db.command({ find: 'opts', frobnicate: 1 })).rejects.toMatchObject({
      code: 40415,
      message: "BSON field 'find.frobnicate' is an unknown field.",
    });
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
    expect(await c.find({}, { projection: { _id: 0 }, sort: { k: 1 } }).toArray()).toEqual([
      { k: 'B', n: 2, tags: [3] },
      { k: 'a', n: 1, tags: [1, 2] },
    ]);
    expect(await db.listCollections({ name: 'o' }).toArray()).toEqual([]);
  });

  it('serves hints that name an index, fails those that name none, and enforces maxTimeMS', async () => {
    const c = client.db('x').collection('hinted');
    await c.createIndex({ k: 1 });
    await c.insertMany(Array.from({ length: 5_000 }, (_, i) => ({ k: i % 100, v: i })));
    expect(await c.countDocuments({ k: 3 }, { hint: 'k_1' })).toBe(50);
    expect(await c.find({ k: 3 }, { hint: { k: 1 } }).toArray()).toHaveLength(50);
    expect(await c.find({ k: 3 }).hint('_id_').toArray()).toHaveLength(50);
    await expect(c.find({ k: 3 }, { hint: 'nope_1' }).toArray()).rejects.toMatchObject({
      code: 2,
      message: 'hint provided does not correspond to an existing index',
    });
    await expect(
      c.updateOne({ k: 3 }, { $set: { seen: true } }, { hint: { nope: 1 } }),
    ).rejects.toMatchObject({
      code: 2,
    });
    expect(await c.countDocuments({ seen: true })).toBe(0);
    // A pipeline over 5,000 documents takes longer than a millisecond: MongoDB would stop it.
    await expect(
      c
        .aggregate([{ $group: { _id: '$v', n: { $sum: 1 } } }, { $sort: { n: -1, _id: 1 } }], {
          maxTimeMS: 1,
        })
        .toArray(),
    ).rejects.toMatchObject({ code: 50, codeName: 'MaxTimeMSExpired' });
    expect(await c.find({ k: 5 }, { maxTimeMS: 60_000 }).toArray()).toHaveLength(50);
    await c.insertOne({ k: -1 }, { maxTimeMS: 60_000 });
    expect(await c.countDocuments({ k: -1 })).toBe(1);
  });

  it('reports per-item write errors with code 11000 and keeps the rest of an unordered batch', async () => {
    const c = client.db('x').collection('m');
    await c.createIndex({ k: 1 }, { unique: true });
    const err = (await c
      .insertMany([{ k: 1 }, { k: 1 }, { k: 2 }], { ordered: false })
      .catch((e: unknown) => e)) as {
      code: number;
      result: { insertedCount: number };
    };
    expect(err.code).toBe(11000);
    expect(err.result.insertedCount).toBe(2);
    const ordered = (await c.insertMany([{ k: 3 }, { k: 1 }, { k: 4 }]).catch((e: unknown) => e)) as {
      result: { insertedCount: number };
    };
    expect(ordered.result.insertedCount).toBe(1);
    expect((await c.find({}).sort({ k: 1 }).toArray()).map((d) => d.k)).toEqual([1, 2, 3]);
  });

  it('reads sort, projection and index keys sent as doubles, as mongosh and other clients may send them', async () => {
    const db = client.db('x');
    await db.collection('d').insertMany([
      { v: 1, w: 'a' },
      { v: 3, w: 'b' },
      { v: 2, w: 'c' },
    ]);
    const one = new Double(1);
    const found = await db.command({
      find: 'd',
      sort: { v: new Double(-1) },
      projection: { _id: new Double(0), v: one },
    });
    expect(found.cursor.firstBatch).toEqual([{ v: 3 }, { v: 2 }, { v: 1 }]);
    await db.command({ createIndexes: 'd', indexes: [{ key: { w: one }, name: 'w_1' }] });
    const indexes = await db
      .collection('d')
      .listIndexes({ promoteValues: false } as never)
      .toArray();
    expect(indexes.map((i) => i.name)).toEqual(['_id_', 'w_1']);
    expect(indexes[1]!.key.w).toBeInstanceOf(Double);
    expect(
      await db
        .collection('d')
        .find({ w: 'c' }, { hint: 'w_1', projection: { _id: 0, v: 1 } })
        .toArray(),
    ).toEqual([{ v: 2 }]);
  });

  it('differs from MongoDB where docs/store.md says: numbers a pipeline computes, and Longs beyond 2^53', async () => {
    const c = client.db('x').collection('diff');
    const typed = { promoteValues: false } as const;
    await c.insertMany([
      { g: 1, l: Long.fromNumber(2), d: new Double(1) },
      { g: 1, l: Long.fromNumber(3), d: new Double(2) },
    ]);
    // MongoDB: { l: Long(5), d: Double(3), avg: Double(1) }. Pipelines compute on plain numbers.
    const [sums] = await c
      .aggregate(
        [{ $group: { _id: '$g', l: { $sum: '$l' }, d: { $sum: '$d' }, avg: { $avg: '$g' } } }],
        typed,
      )
      .toArray();
    expect([sums!.l._bsontype, sums!.d._bsontype, sums!.avg._bsontype]).toEqual(['Int32', 'Int32', 'Int32']);
    // MongoDB matches one document; views compare at double precision, where both are 2^53.
    await c.insertMany([
      { big: Long.fromString('9007199254740993') },
      { big: Long.fromString('9007199254740992') },
    ]);
    expect(await c.countDocuments({ big: Long.fromString('9007199254740993') })).toBe(2);
    // Through an index the key is exact, as in MongoDB.
    await c.createIndex({ big: 1 });
    expect(await c.countDocuments({ big: Long.fromString('9007199254740993') })).toBe(1);
    // A Decimal128 too is compared as the nearest double: MongoDB matches none of these.
    await c.insertOne({ dec: Decimal128.fromString('1.00000000000000000001') });
    expect(await c.countDocuments({ dec: 1 })).toBe(1);
  });

  it('pages a large result through getMore in batches under the reply limit', async () => {
    const c = client.db('x').collection('big');
    const blob = 'x'.repeat(10_000);
    for (let b = 0; b < 5; b++)
      await c.insertMany(Array.from({ length: 1_000 }, (_, i) => ({ n: b * 1_000 + i, blob })));
    let seen = 0;
    for await (const doc of c.find({}, { sort: { n: 1 } })) {
      expect(doc.n).toBe(seen);
      seen++;
    }
    expect(seen).toBe(5_000);
  });

  it('runs $merge pipelines, findOneAndUpdate, distinct and index listing as MongoDB does', async () => {
    const db = client.db('x');
    await db.collection('e').insertMany([
      { u: 'a', t: 1 },
      { u: 'a', t: 2 },
      { u: 'b', t: 3 },
    ]);
    await db
      .collection('e')
      .aggregate([{ $group: { _id: '$u', n: { $sum: 1 } } }, { $merge: { into: 'agg' } }])
      .toArray();
    expect(await db.collection('agg').find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'a', n: 2 },
      { _id: 'b', n: 1 },
    ]);
    const after = await db
      .collection('e')
      .findOneAndUpdate(
        { t: 3 },
        { $set: { seen: true } },
        { returnDocument: 'after', projection: { _id: 0 } },
      );
    expect(after).toEqual({ u: 'b', t: 3, seen: true });
    expect((await db.collection('e').distinct('u')).sort()).toEqual(['a', 'b']);
    await db.collection('e').createIndex({ u: 1, t: -1 });
    expect((await db.collection('e').listIndexes().toArray()).map((i) => i.name)).toEqual([
      '_id_',
      'u_1_t_-1',
    ]);
    expect((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort()).toEqual([
      'agg',
      'e',
    ]);
  });
});

describe('sibyl store: cursors', () => {
  it('closes idle cursors, but keeps those opened with noCursorTimeout', async () => {
    const cursors = new CursorRegistry(20);
    const docs = Array.from({ length: 5 }, (_, i) => ({ i }));
    const idOf = (reply: Buffer) =>
      (BSON.deserialize(reply, { useBigInt64: true }).cursor as { id: bigint }).id;
    const idle = idOf(cursors.first('x.c', docs, 1));
    const kept = idOf(cursors.first('x.c', docs, 1, false, true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(() => cursors.more(idle, 'x.c', 1)).toThrow(/not found/);
    expect(BSON.deserialize(cursors.more(kept, 'x.c', 1)).cursor.nextBatch).toEqual([{ i: 1 }]);
    cursors.close();
  });
});

describe('sibyl store: long aggregations run on the replica thread', () => {
  it('answers point reads while a long aggregation runs, and the aggregation sees every prior write', async () => {
    const server = await StoreServer.start({ port: 0 });
    const client = await connect(server.uri);
    const events = client.db('x').collection('events');
    await events.createIndex({ user: 1 });
    const N = 200_000;
    for (let b = 0; b < N; b += 20_000)
      await events.insertMany(
        Array.from({ length: 20_000 }, (_, i) => ({ user: `u${(b + i) % 5_000}`, v: (b + i) % 7 })),
      );
    // Written just before the aggregation: it must be counted (read-your-writes on the replica).
    await events.insertOne({ user: 'late', v: 10_000 });
    let done = false;
    const totals = events
      .aggregate<{ _id: string; sum: number }>([
        { $group: { _id: '$user', sum: { $sum: '$v' }, n: { $sum: 1 } } },
        { $sort: { sum: -1, _id: 1 } },
      ])
      .toArray()
      .finally(() => (done = true));
    // A user waiting on a feed: how many indexed reads are answered before the aggregation returns.
    let answered = 0;
    while (!done) {
      expect(await events.findOne({ user: 'late' }, { projection: { _id: 0 } })).toEqual({
        user: 'late',
        v: 10_000,
      });
      if (!done) answered++;
    }
    const result = await totals;
    expect(result).toHaveLength(5_001);
    expect(result[0]).toMatchObject({ _id: 'late', sum: 10_000 });
    // On the server's own event loop the aggregation would have held every read until it was done.
    expect(answered).toBeGreaterThan(5);
    await client.close();
    await server.close();
  }, 120_000);

  it('applies a $merge computed on the replica, and a restarted server loads the replica from disk', async () => {
    const first = await StoreServer.start({ dir, port: 0, replicaMinDocs: 0 });
    let client = await connect(first.uri);
    const db = () => client.db('x');
    await db()
      .collection('e')
      .insertMany(Array.from({ length: 2_500 }, (_, i) => ({ u: `u${i % 3}`, t: new Date(i * 1000) })));
    await db()
      .collection('agg')
      .insertOne({ _id: 'u0', kept: true } as Document);
    const pipeline = [
      { $group: { _id: '$u', n: { $sum: 1 }, last: { $max: '$t' } } },
      { $merge: { into: 'agg', whenMatched: 'merge' } },
    ];
    await db().collection('e').aggregate(pipeline).toArray();
    const expected = [
      { _id: 'u0', kept: true, n: 834, last: new Date(2_499_000) },
      { _id: 'u1', n: 833, last: new Date(2_497_000) },
      { _id: 'u2', n: 833, last: new Date(2_498_000) },
    ];
    expect(await db().collection('agg').find().sort({ _id: 1 }).toArray()).toEqual(expected);
    await client.db('admin').command({ fsync: 1 }); // a checkpoint, then writes in the journal after it
    await db().collection('e').deleteMany({ u: 'u2' });
    await client.close();
    await first.close();

    const second = await StoreServer.start({ dir, port: 0, replicaMinDocs: 0 });
    client = await connect(second.uri);
    const grouped = await db()
      .collection('e')
      .aggregate([{ $group: { _id: '$u', n: { $sum: 1 } } }, { $sort: { _id: 1 } }])
      .toArray();
    expect(grouped).toEqual([
      { _id: 'u0', n: 834 },
      { _id: 'u1', n: 833 },
    ]);
    await client.close();
    await second.close();
  }, 60_000);
});
