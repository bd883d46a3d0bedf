import { beforeEach, describe, expect, it } from 'vitest';
import { Double, Int32, Long, MongoBulkWriteError, MongoServerError } from 'mongodb';
import type { Document, Store } from '../../src/store/types.js';
import { backends, storePerTest } from '../helpers/backends.js';
import { scratchCollection } from '../helpers/store.js';

// One suite, every backend: the embedded store must answer exactly as MongoDB does.
describe.each(backends)('storage contract: $name', (backend) => {
  const storeOf = storePerTest(backend);
  let store: Store;
  beforeEach(() => {
    store = storeOf();
  });

  const t0 = new Date('2026-11-01T00:00:00Z');
  const at = (hours: number) => new Date(t0.getTime() + hours * 3_600_000);

  async function seedMarkets() {
    const markets = store.collection('markets');
    await markets.insertMany([
      { ticker: 'A', eventTicker: 'E1', category: 'Crypto', status: 'open', closeTime: at(10), volume24h: 5 },
      {
        ticker: 'B',
        eventTicker: 'E1',
        category: 'Crypto',
        status: 'closed',
        closeTime: at(1),
        volume24h: 50,
      },
      {
        ticker: 'C',
        eventTicker: 'E2',
        category: 'Economics',
        status: 'open',
        closeTime: at(30),
        volume24h: 20,
      },
      {
        ticker: 'D',
        eventTicker: 'E3',
        category: 'Economics',
        status: 'open',
        closeTime: at(2),
        volume24h: 1,
      },
    ]);
    return markets;
  }

  it('finds with filters, sort, skip, limit and projection, and keeps dates as dates', async () => {
    const markets = await seedMarkets();
    const open = await markets
      .find(
        { status: 'open', closeTime: { $gt: at(5) } },
        { sort: { volume24h: -1 }, projection: { _id: 0, ticker: 1, closeTime: 1 } },
      )
      .toArray();
    expect(open).toEqual([
      { ticker: 'C', closeTime: at(30) },
      { ticker: 'A', closeTime: at(10) },
    ]);
    expect(open[0]!.closeTime).toBeInstanceOf(Date);
    const page = await markets.find({}, { sort: { ticker: 1 }, skip: 1, limit: 2 }).toArray();
    expect(page.map((m) => m.ticker)).toEqual(['B', 'C']);
    expect(await markets.countDocuments({ category: { $in: ['Crypto'] } })).toBe(2);
    expect((await markets.findOne({ ticker: 'D' }))?.eventTicker).toBe('E3');
    expect(await markets.findOne({ ticker: 'nope' })).toBeNull();
  });

  it('streams a cursor', async () => {
    const markets = await seedMarkets();
    const seen: string[] = [];
    for await (const m of markets.find({ category: 'Economics' }, { sort: { ticker: 1 } }))
      seen.push(m.ticker);
    expect(seen).toEqual(['C', 'D']);
  });

  it('hands out copies: mutating a result does not change the stored document', async () => {
    const markets = await seedMarkets();
    const a = await markets.findOne({ ticker: 'A' });
    a!.status = 'settled';
    a!.closeTime.setTime(0);
    const again = await markets.findOne({ ticker: 'A' });
    expect(again?.status).toBe('open');
    expect(again?.closeTime).toEqual(at(10));
  });

  it('rejects a duplicate on a unique index and keeps the documents written before it', async () => {
    const interactions = store.collection('interactions');
    await expect(
      interactions.insertMany([
        { eventId: 'e1', userId: 'u', ticker: 'A', type: 'view', ts: at(0) },
        { eventId: 'e1', userId: 'u', ticker: 'A', type: 'click', ts: at(1) },
      ]),
    ).rejects.toMatchObject({ code: 11000 });
    const stored = await interactions.find({ eventId: 'e1' }).toArray();
    expect(stored.map((d) => d.type)).toEqual(['view']);
  });

  it('upserts: $setOnInsert only on insert, equality fields seed the new document', async () => {
    const users = store.collection('users');
    const first = await users.updateOne(
      { userId: 'u1' },
      { $setOnInsert: { createdAt: at(0) }, $set: { 'attributes.country': 'US' } },
      { upsert: true },
    );
    expect(first).toMatchObject({ upsertedCount: 1, matchedCount: 0 });
    const second = await users.updateOne(
      { userId: 'u1' },
      { $setOnInsert: { createdAt: at(5) }, $set: { 'attributes.country': 'CA' } },
      { upsert: true },
    );
    expect(second).toMatchObject({ upsertedCount: 0, matchedCount: 1, modifiedCount: 1 });
    const doc = await users.findOne({ userId: 'u1' }, { projection: { _id: 0 } });
    expect(doc).toEqual({ userId: 'u1', createdAt: at(0), attributes: { country: 'CA' } });
    await users.updateOne(
      { userId: { $eq: 'u2' }, lastSeenAt: { $gt: at(0) } },
      { $set: { n: 1 } },
      { upsert: true },
    );
    expect(await users.findOne({ userId: 'u2' }, { projection: { _id: 0 } })).toEqual({ userId: 'u2', n: 1 });
    const unchanged = await users.updateOne({ userId: 'u1' }, { $set: { 'attributes.country': 'CA' } });
    expect(unchanged).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
  });

  it('updates many with operators and with a pipeline', async () => {
    const markets = await seedMarkets();
    const r = await markets.updateMany(
      { category: 'Economics' },
      { $inc: { volume24h: 10 }, $max: { closeTime: at(20) } },
    );
    expect(r).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    const econ = await markets.find({ category: 'Economics' }, { sort: { ticker: 1 } }).toArray();
    expect(econ.map((m) => [m.volume24h, m.closeTime])).toEqual([
      [30, at(30)],
      [11, at(20)],
    ]);
    await markets.updateMany({ ticker: 'A' }, [{ $set: { doubled: { $multiply: ['$volume24h', 2] } } }]);
    expect((await markets.findOne({ ticker: 'A' }))?.doubled).toBe(10);
  });

  it('bulk writes unordered: every operation is tried, then the failure is reported', async () => {
    const interactions = store.collection('interactions');
    await interactions.insertMany([{ eventId: 'dup', userId: 'u', ticker: 'A', type: 'view', ts: at(0) }]);
    const ops = ['x1', 'dup', 'x2'].map((eventId) => ({
      insertOne: { document: { eventId, userId: 'u', ticker: 'A', type: 'click', ts: at(1) } as Document },
    }));
    const failed = await interactions.bulkWrite(ops, { ordered: false }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(MongoBulkWriteError);
    expect(failed).toMatchObject({ code: 11000, result: { insertedCount: 2 } });
    expect(await interactions.countDocuments({})).toBe(3);

    const upserts = ['x1', 'x3'].map((eventId) => ({
      updateOne: {
        filter: { eventId },
        update: { $setOnInsert: { eventId, userId: 'u', ticker: 'B', type: 'view', ts: at(2) } },
        upsert: true,
      },
    }));
    expect(await interactions.bulkWrite(upserts, { ordered: false })).toMatchObject({
      upsertedCount: 1,
      matchedCount: 1,
      modifiedCount: 0,
    });
    expect((await interactions.findOne({ eventId: 'x1' }))?.type).toBe('click');
  });

  it('deletes', async () => {
    const markets = await seedMarkets();
    expect((await markets.deleteMany({ status: 'closed' })).deletedCount).toBe(1);
    expect(await markets.countDocuments()).toBe(3);
  });

  it('aggregates with $group, $sort, $lookup and $setWindowFields', async () => {
    await seedMarkets();
    const interactions = store.collection('interactions');
    await interactions.insertMany([
      { eventId: '1', userId: 'u1', ticker: 'A', type: 'trade', ts: at(1) },
      { eventId: '2', userId: 'u1', ticker: 'C', type: 'view', ts: at(2) },
      { eventId: '3', userId: 'u2', ticker: 'A', type: 'view', ts: at(3) },
      { eventId: '4', userId: 'u2', ticker: 'A', type: 'trade', ts: at(4) },
    ]);
    const byTicker = await interactions
      .aggregate([
        { $group: { _id: '$ticker', n: { $sum: 1 }, users: { $addToSet: '$userId' } } },
        { $lookup: { from: 'markets', localField: '_id', foreignField: 'ticker', as: 'market' } },
        { $project: { n: 1, users: { $size: '$users' }, category: { $first: '$market.category' } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(byTicker).toEqual([
      { _id: 'A', n: 3, users: 2, category: 'Crypto' },
      { _id: 'C', n: 1, users: 1, category: 'Economics' },
    ]);
    const running = await interactions
      .aggregate([
        {
          $setWindowFields: {
            partitionBy: '$userId',
            sortBy: { ts: 1 },
            output: { seq: { $documentNumber: {} } },
          },
        },
        { $project: { _id: 0, eventId: 1, seq: 1 } },
        { $sort: { eventId: 1 } },
      ])
      .toArray();
    expect(running.map((d) => d.seq)).toEqual([1, 2, 1, 2]);
  });

  it('$merge writes a pipeline result into another collection, merging on a key', async () => {
    const target = scratchCollection(store, 'merge_target');
    await target.createIndex({ ticker: 1 }, { unique: true });
    await target.insertMany([{ ticker: 'A', n: 100, keep: true }]);
    await seedMarkets();
    await store
      .collection('markets')
      .aggregate([
        { $match: { status: 'open' } },
        { $project: { _id: 0, ticker: 1, n: '$volume24h' } },
        { $merge: { into: 'merge_target', on: 'ticker', whenMatched: 'merge', whenNotMatched: 'insert' } },
      ])
      .toArray();
    const merged = await target.find({}, { sort: { ticker: 1 }, projection: { _id: 0 } }).toArray();
    expect(merged).toEqual([
      { ticker: 'A', n: 5, keep: true },
      { ticker: 'C', n: 20 },
      { ticker: 'D', n: 1 },
    ]);
  });

  it('$merge with a whenMatched pipeline folds new values into existing documents ($$new)', async () => {
    const totals = scratchCollection(store, 'merge_totals');
    await totals.createIndex({ ticker: 1 }, { unique: true });
    await totals.insertMany([{ ticker: 'A', n: 10, first: at(5) }]);
    await seedMarkets();
    await store
      .collection('markets')
      .aggregate([
        { $match: { ticker: { $in: ['A', 'C'] } } },
        { $project: { _id: 0, ticker: 1, n: '$volume24h', first: '$closeTime' } },
        {
          $merge: {
            into: 'merge_totals',
            on: 'ticker',
            whenMatched: [
              { $set: { n: { $add: ['$n', '$$new.n'] }, first: { $min: ['$first', '$$new.first'] } } },
            ],
            whenNotMatched: 'insert',
          },
        },
      ])
      .toArray();
    const merged = await totals.find({}, { sort: { ticker: 1 }, projection: { _id: 0 } }).toArray();
    expect(merged).toEqual([
      { ticker: 'A', n: 15, first: at(5) },
      { ticker: 'C', n: 20, first: at(30) },
    ]);
  });

  it('keeps numeric BSON types: a Long and a double round-trip as themselves and compare as numbers', async () => {
    const c = scratchCollection(store, 'numbers');
    const big = Long.fromString('9007199254740993'); // 2^53 + 1: no double holds it
    await c.insertOne({ k: 'a', long: Long.fromNumber(5), big, double: new Double(5), int: 5, frac: 5.5 });
    // promoteValues off: the driver hands every number back as the type the server sent.
    const typed = { promoteValues: false, projection: { _id: 0 } } as const;
    const stored = await c.findOne({ k: 'a' }, typed);
    expect(stored!.long).toBeInstanceOf(Long);
    expect(stored!.long.toString()).toBe('5');
    expect(stored!.big).toBeInstanceOf(Long);
    expect(stored!.big.toString()).toBe('9007199254740993');
    expect(stored!.double).toBeInstanceOf(Double);
    expect(stored!.double.valueOf()).toBe(5);
    expect(stored!.int).toBeInstanceOf(Int32);
    expect(stored!.frac).toBeInstanceOf(Double);
    // Numeric types compare by value, in filters either way round and through an index.
    expect(await c.countDocuments({ long: 5, double: 5, int: Long.fromNumber(5) })).toBe(1);
    expect(
      await c.countDocuments({ long: { $gt: 4.5, $lt: new Double(6) }, frac: { $gte: Long.fromNumber(5) } }),
    ).toBe(1);
    expect(await c.countDocuments({ big: { $gt: 9007199254740000 } })).toBe(1);

    const v = [Long.fromNumber(3), 2, new Double(4), 1.5, Long.fromNumber(-1)];
    await c.insertMany(v.map((value, i) => ({ k: `s${i}`, v: value })));
    await c.createIndex({ v: 1 });
    const sorted = await c.find({ v: { $exists: true } }, { ...typed, sort: { v: 1 } }).toArray();
    expect(sorted.map((d) => `${d.v._bsontype}:${d.v.valueOf()}`)).toEqual([
      'Long:-1',
      'Double:1.5',
      'Int32:2',
      'Long:3',
      'Double:4',
    ]);
    expect((await c.findOne({ v: Long.fromNumber(2) }, typed))?.k).toBe('s1');
    expect((await c.findOne({ v: 4 }, typed))?.v).toBeInstanceOf(Double);
    expect(await c.distinct('v', { v: { $in: [3, 4] } })).toHaveLength(2);
    // A pipeline that passes documents through hands their numbers back with their types.
    const passed = await c
      .aggregate([{ $match: { v: { $gte: 3 } } }, { $sort: { v: -1 } }, { $project: { v: 1 } }], typed)
      .toArray();
    expect(passed.map((d) => `${d.v._bsontype}:${d.v.valueOf()}`)).toEqual(['Double:4', 'Long:3']);

    // Updates keep the types of what they leave alone, store operands as given, and widen as MongoDB.
    await c.updateOne(
      { k: 'a' },
      {
        $inc: { long: 1, int: new Double(1) },
        $mul: { frac: 2 },
        $set: { tag: 'x', set: Long.fromNumber(7) },
      },
    );
    const updated = await c.findOne({ k: 'a' }, typed);
    expect(updated!.long).toBeInstanceOf(Long); // long + int32: long
    expect(updated!.long.toString()).toBe('6');
    expect(updated!.int).toBeInstanceOf(Double); // int32 + double: double
    expect(updated!.int.valueOf()).toBe(6);
    expect(updated!.frac).toBeInstanceOf(Double); // 5.5 × 2 = 11, still a double
    expect(updated!.frac.valueOf()).toBe(11);
    expect(updated!.double).toBeInstanceOf(Double);
    expect(updated!.big.toString()).toBe('9007199254740993');
    expect(updated!.set).toBeInstanceOf(Long);
    expect(
      await c.findOneAndUpdate({ k: 'a' }, { $set: { tag: 'y' } }, { ...typed, returnDocument: 'after' }),
    ).toMatchObject({
      long: expect.any(Long),
      double: expect.any(Double),
    });
  });

  it('creates indexes idempotently and enforces uniqueness of existing indexes', async () => {
    const series = store.collection('series');
    await series.createIndex({ ticker: 1 }, { unique: true });
    await series.insertMany([{ ticker: 'S' }]);
    await expect(
      series.updateOne({ ticker: 'T' }, { $set: { ticker: 'S' } }, { upsert: true }),
    ).rejects.toBeInstanceOf(MongoServerError);
    expect(await series.countDocuments()).toBe(1);
  });
});
