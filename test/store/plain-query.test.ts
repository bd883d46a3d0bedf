import { Query } from 'mingo';
import { describe, expect, it } from 'vitest';
import { matcher, plainProjection, sortPlain } from '../../src/store/engine/plain-query.js';
import type { Document, SortSpec } from '../../src/store/types.js';
import { Rng } from '../../src/util/rng.js';
import { openTestStore, scratchCollection } from '../helpers/store.js';

/** What mingo (the embedded store's general path) answers for the same sort, page and projection. */
function viaMingo(docs: Document[], sort?: SortSpec, projection?: Document, skip = 0, limit = 0) {
  let cursor = new Query({}).find<Document>(docs, projection);
  if (sort) cursor = cursor.sort(sort);
  if (skip) cursor = cursor.skip(skip);
  if (limit) cursor = cursor.limit(limit);
  return cursor.all();
}

const FIELDS = ['a', 'b', 'c'] as const;

/** Documents whose fields are, per draw, all numbers, all strings, all Dates, or a mix with gaps. */
function randomDocs(rng: Rng): Document[] {
  const kinds = FIELDS.map(() => rng.int(4));
  return Array.from({ length: rng.int(30) }, (_, i) => {
    const doc: Document = { _id: i };
    FIELDS.forEach((field, f) => {
      const v = rng.int(5); // few distinct values: ties are common
      const kind = kinds[f] === 3 ? rng.int(5) : kinds[f]!;
      if (kind === 0) doc[field] = v - 2;
      if (kind === 1) doc[field] = `s${v}`;
      if (kind === 2) doc[field] = new Date(Date.UTC(2026, 0, 1 + v));
      if (kind === 3) doc[field] = null;
      // kind 4: missing
    });
    doc.nested = { x: rng.int(3) };
    return doc;
  });
}

const PROJECTIONS: Document[] = [
  { a: 1 },
  { a: 1, c: true },
  { _id: 0, b: 1 },
  { _id: 1 },
  { _id: 0 },
  { a: 0, nested: 0 },
  { _id: 0, a: false },
];

describe('plain sort and projection (the embedded store without mingo)', () => {
  it('orders, pages and projects exactly as mingo does, ties included, whenever it takes the query', () => {
    const rng = Rng.of('plain-cursor');
    let taken = 0;
    for (let trial = 0; trial < 400; trial++) {
      const docs = randomDocs(rng);
      const keys = FIELDS.filter(() => rng.chance(0.5));
      const sort = Object.fromEntries(keys.map((k) => [k, rng.chance(0.5) ? 1 : -1])) as SortSpec;
      const projection = PROJECTIONS[rng.int(PROJECTIONS.length)]!;
      const skip = rng.int(3);
      const limit = rng.int(8);
      const sorted = keys.length ? sortPlain(docs, sort) : docs;
      const project = plainProjection(projection);
      if (!sorted || !project) continue;
      taken++;
      const page = sorted.slice(skip, limit ? skip + limit : undefined).map(project);
      expect(page).toEqual(viaMingo(docs, keys.length ? sort : undefined, projection, skip, limit));
    }
    expect(taken).toBeGreaterThan(100);
  });

  it('leaves mixed or missing sort keys, dotted paths and operator projections to mingo', () => {
    const docs = [{ a: 1 }, { a: 's' }];
    expect(sortPlain(docs, { a: 1 })).toBeUndefined();
    expect(sortPlain([{ a: 1 }, {}], { a: 1 })).toBeUndefined();
    expect(sortPlain([{ a: NaN }, { a: 1 }], { a: 1 })).toBeUndefined();
    expect(sortPlain([{ a: { b: 1 } }], { 'a.b': 1 })).toBeUndefined();
    expect(plainProjection({ 'a.b': 1 })).toBeUndefined();
    expect(plainProjection({ a: { $slice: 2 } })).toBeUndefined();
    expect(plainProjection({ a: 1, b: 0 })).toBeUndefined();
  });

  it('matches exactly the documents mingo matches, arrays and mixed types included', () => {
    const rng = Rng.of('plain-matcher');
    const operands = [0, 1, 's2', new Date(Date.UTC(2026, 0, 3)), true];
    const condition = (): unknown => {
      const operand = operands[rng.int(operands.length)];
      const op = ['$gt', '$gte', '$lt', '$lte', 'eq', '$in'][rng.int(6)]!;
      if (op === 'eq') return operand;
      if (op === '$in') return { $in: [operand, 1] }; // not plain: mingo decides
      return rng.chance(0.3) ? { [op]: operand, $lt: 3 } : { [op]: operand };
    };
    for (let trial = 0; trial < 300; trial++) {
      const docs = randomDocs(rng).map((doc, i) =>
        // Some values are arrays, some paths run through one.
        i % 7 === 0 ? { ...doc, a: [doc.a, 2], nested: [{ x: 1 }] } : doc,
      );
      const filter: Document = {};
      for (const field of ['a', 'b', 'nested.x']) if (rng.chance(0.5)) filter[field] = condition();
      const query = new Query(filter);
      expect(docs.filter(matcher(filter)), JSON.stringify(filter)).toEqual(docs.filter((d) => query.test(d)));
    }
  });

  it('serves finds in both paths with the same answers and never hands out stored documents', async () => {
    const store = await openTestStore({ indexes: false });
    const coll = scratchCollection<{ _id: string; k: string; n: number | string; tags?: string[] }>(
      store,
      'things',
    );
    await coll.insertMany([
      { _id: 'p', k: 'x', n: 3, tags: ['a'] },
      { _id: 'q', k: 'x', n: 1, tags: ['b'] },
      { _id: 'r', k: 'y', n: 2 },
      { _id: 's', k: 'x', n: 'two' },
    ]);
    // Plain (numbers only) and mingo (a string among numbers) answer the same documents.
    const plain = await coll
      .find({ _id: { $in: ['p', 'q', 'r'] } }, { sort: { n: -1 }, projection: { tags: 1 } })
      .toArray();
    expect(plain).toEqual([{ _id: 'p', tags: ['a'] }, { _id: 'r' }, { _id: 'q', tags: ['b'] }]);
    const mixed = await coll.find({}, { sort: { n: 1 }, limit: 2, projection: { _id: 0, n: 1 } }).toArray();
    expect(mixed).toEqual([{ n: 1 }, { n: 2 }]);
    (plain[0]!.tags as string[]).push('mutated');
    expect(await coll.findOne({ _id: 'p' })).toEqual({ _id: 'p', k: 'x', n: 3, tags: ['a'] });
    await store.close();
  });
});
