import { Aggregator, Query, update as applyOperators, ProcessingMode } from 'mingo';
import { ObjectId } from 'mongodb';
import {
  DuplicateKeyError,
  emptyWriteResult,
  type BulkOp,
  type Cursor,
  type Document,
  type Filter,
  type FindOptions,
  type IndexDef,
  type StoreCollection,
  type Update,
  type WriteResult,
} from '../types.js';
import { IndexSet } from './index-set.js';
import { cloneDoc, indexKeyOf, isPlainObject } from './values.js';
import { matcher, plainProjection, sortPlain } from './plain-query.js';

/** What an embedded collection needs from its store. */
export interface EmbeddedHost {
  /** Live documents of another collection, for `$lookup`/`$unionWith`. */
  rawDocs(name: string): Document[];
  collection(name: string): EmbeddedCollection;
  markDirty(name: string): void;
}

/** Built once: each mingo Query copies its whole operator table when constructed. */
const MATCH_ALL = new Query({});

/** Documents from an array, as a driver cursor would give them. */
export function arrayCursor<T>(produce: () => T[]): Cursor<T> {
  return {
    toArray: async () => produce(),
    async *[Symbol.asyncIterator]() {
      yield* produce();
    },
  };
}

/**
 * A collection held in memory: queries, updates and pipelines are MongoDB documents executed by
 * mingo. Stored documents never leave it uncopied, so callers cannot corrupt it by mutation.
 */
export class EmbeddedCollection<T extends Document = Document> implements StoreCollection<T> {
  private readonly docs = new Set<Document>();
  private readonly indexes: IndexSet;

  constructor(
    readonly name: string,
    private readonly host: EmbeddedHost,
  ) {
    this.indexes = new IndexSet(name);
  }

  /** Loads persisted documents, bypassing write bookkeeping. */
  load(docs: Iterable<Document>): void {
    for (const doc of docs) {
      this.indexes.checkInsert(doc);
      this.docs.add(doc);
      this.indexes.add(doc);
    }
  }

  /** Live documents (not copies): for persistence and cross-collection stages only. */
  raw(): Document[] {
    return [...this.docs];
  }

  get size(): number {
    return this.docs.size;
  }

  find(filter: Filter<T>, options: FindOptions = {}): Cursor<T> {
    return arrayCursor(() => this.querySync(filter, options).map(cloneDoc) as T[]);
  }

  async findOne(filter: Filter<T>, options: Omit<FindOptions, 'limit'> = {}): Promise<T | null> {
    const [doc] = this.querySync(filter, { ...options, limit: 1 });
    return doc ? (cloneDoc(doc) as T) : null;
  }

  async countDocuments(filter: Filter<T> = {}): Promise<number> {
    return this.querySync(filter, {}).length;
  }

  async insertMany(docs: T[]): Promise<number> {
    let inserted = 0;
    for (const doc of docs) {
      this.insertSync(cloneDoc(doc));
      inserted++;
    }
    return inserted;
  }

  async updateOne(
    filter: Filter<T>,
    update: Update<T>,
    options: { upsert?: boolean } = {},
  ): Promise<WriteResult> {
    return this.applyUpdate(filter, update, options.upsert ?? false, false);
  }

  async updateMany(
    filter: Filter<T>,
    update: Update<T>,
    options: { upsert?: boolean } = {},
  ): Promise<WriteResult> {
    return this.applyUpdate(filter, update, options.upsert ?? false, true);
  }

  async bulkWrite(ops: BulkOp<T>[]): Promise<WriteResult> {
    const total = emptyWriteResult();
    let firstError: unknown;
    let onlyDuplicates = true;
    for (const op of ops) {
      try {
        const result = this.bulkOp(op);
        for (const key of Object.keys(total) as (keyof WriteResult)[]) total[key] += result[key];
      } catch (err) {
        firstError ??= err;
        onlyDuplicates &&= err instanceof DuplicateKeyError;
      }
    }
    if (firstError) {
      if (onlyDuplicates) (firstError as DuplicateKeyError).written = total;
      throw firstError;
    }
    return total;
  }

  async deleteMany(filter: Filter<T>): Promise<number> {
    return this.deleteSync(filter, true);
  }

  aggregate<R extends Document = Document>(pipeline: Document[]): Cursor<R> {
    return arrayCursor(() => this.runPipeline(pipeline) as R[]);
  }

  async createIndex(def: IndexDef): Promise<string> {
    return this.indexes.create(def, this.docs);
  }

  // --- internals -------------------------------------------------------------------------------

  /** Matching live documents (not copies). */
  querySync(filter: Filter<T>, options: FindOptions = {}): Document[] {
    const matched = this.matching(filter);
    const { sort, skip = 0, limit, projection } = options;
    // Matching is done; what is left is sorting, paging and projecting, without mingo when plain.
    const sorted = sort ? sortPlain(matched, sort) : matched;
    const project = projection && Object.keys(projection).length > 0 ? plainProjection(projection) : null;
    if (sorted && project !== undefined) {
      const page = skip || limit ? sorted.slice(skip, limit ? skip + limit : undefined) : sorted;
      return project ? page.map(project) : page;
    }
    // mingo for the rest: the sort (unless already done) and the projection.
    let cursor = MATCH_ALL.find<Document>(sorted ?? matched, projection);
    if (sort && !sorted) cursor = cursor.sort(sort);
    if (skip) cursor = cursor.skip(skip);
    if (limit) cursor = cursor.limit(limit);
    return cursor.all();
  }

  /**
   * The documents matching `filter`. With an index on a field the filter sets by equality or $in,
   * the index answers that condition and the rest is checked after (as a database applies a
   * residual predicate after an index scan); otherwise every document is checked.
   */
  private matching(filter: Filter<T>): Document[] {
    const lookup = this.indexes.lookup(filter);
    if (!lookup) return [...this.docs].filter(matcher(filter as Document));
    const residual = Object.keys(lookup.residual).length ? matcher(lookup.residual) : undefined;
    const matched = residual ? lookup.exact.filter(residual) : lookup.exact;
    if (lookup.loose.length === 0) return matched;
    return [...matched, ...lookup.loose.filter(matcher(filter as Document))];
  }

  /** Inserts `doc` itself (callers pass a copy). */
  insertSync(doc: Document): void {
    doc._id ??= new ObjectId();
    this.indexes.checkInsert(doc);
    this.docs.add(doc);
    this.indexes.add(doc);
    this.host.markDirty(this.name);
  }

  replaceSync(prev: Document, next: Document): void {
    this.indexes.checkReplace(prev, next);
    this.indexes.remove(prev);
    this.docs.delete(prev);
    this.docs.add(next);
    this.indexes.add(next);
    this.host.markDirty(this.name);
  }

  private bulkOp(op: BulkOp<T>): WriteResult {
    if ('insertOne' in op) {
      this.insertSync(cloneDoc(op.insertOne.document));
      return { ...emptyWriteResult(), insertedCount: 1 };
    }
    if ('updateOne' in op) {
      const { filter, update, upsert } = op.updateOne;
      return this.applyUpdate(filter, update, upsert ?? false, false);
    }
    if ('updateMany' in op) {
      const { filter, update, upsert } = op.updateMany;
      return this.applyUpdate(filter, update, upsert ?? false, true);
    }
    if ('deleteOne' in op)
      return { ...emptyWriteResult(), deletedCount: this.deleteSync(op.deleteOne.filter, false) };
    return { ...emptyWriteResult(), deletedCount: this.deleteSync(op.deleteMany.filter, true) };
  }

  private applyUpdate(filter: Filter<T>, update: Update<T>, upsert: boolean, many: boolean): WriteResult {
    const result = emptyWriteResult();
    const matched = this.querySync(filter, many ? {} : { limit: 1 });
    const updateDoc = cloneDoc(update) as Document;
    for (const prev of matched) {
      result.matchedCount++;
      const next = cloneDoc(prev);
      const changed = this.transform(next, updateDoc, false);
      if (!changed) continue;
      if (String(next._id) !== String(prev._id))
        throw new Error(`${this.name}: an update may not change _id`);
      this.replaceSync(prev, next);
      result.modifiedCount++;
    }
    if (matched.length === 0 && upsert) {
      const doc = seedFromFilter(filter as Document);
      this.transform(doc, updateDoc, true);
      this.insertSync(doc);
      result.upsertedCount++;
    }
    return result;
  }

  /** Applies an update document or pipeline to `doc` in place; returns whether anything changed. */
  private transform(doc: Document, update: Document | Document[], inserting: boolean): boolean {
    if (Array.isArray(update)) {
      const [out] = new Aggregator(update).run([doc]);
      const before = JSON.stringify(doc);
      for (const key of Object.keys(doc)) if (key !== '_id') delete doc[key];
      Object.assign(doc, out);
      return JSON.stringify(doc) !== before;
    }
    const { $setOnInsert, ...operators } = update;
    if (inserting && $setOnInsert) operators.$set = { ...$setOnInsert, ...operators.$set };
    if (Object.keys(operators).length === 0) return false;
    return applyOperators(doc, operators, undefined, undefined, { cloneMode: 'none' }).length > 0;
  }

  deleteSync(filter: Filter<T>, many: boolean): number {
    const matched = this.querySync(filter, many ? {} : { limit: 1 });
    for (const doc of matched) {
      this.indexes.remove(doc);
      this.docs.delete(doc);
    }
    if (matched.length) this.host.markDirty(this.name);
    return matched.length;
  }

  private runPipeline(pipeline: Document[]): Document[] {
    const last = pipeline.at(-1);
    const writes = last && ('$merge' in last || '$out' in last) ? last : undefined;
    const stages = writes ? pipeline.slice(0, -1) : pipeline;
    // As in MongoDB, a leading $match can use an index.
    const leading = stages[0]?.$match as Filter<T> | undefined;
    const source = leading ? this.matching(leading) : [...this.docs];
    const results = new Aggregator(leading ? stages.slice(1) : stages, {
      processingMode: ProcessingMode.CLONE_ALL,
      collectionResolver: (name: string) => this.host.rawDocs(name),
    }).run(source);
    if (writes) {
      writeStage(this.host, writes, results);
      return [];
    }
    return results;
  }
}

/** The equality conditions of a filter become the fields of an upserted document, as in MongoDB. */
function seedFromFilter(filter: Document): Document {
  const doc: Document = {};
  for (const [field, condition] of Object.entries(filter)) {
    if (field.startsWith('$') || field.includes('.')) continue;
    const isEq = isPlainObject(condition) && Object.keys(condition).length === 1 && '$eq' in condition;
    const value = isEq ? condition.$eq : condition;
    // Scalars only: operator documents ($in, $gt…) and sub-documents seed nothing.
    if (indexKeyOf(value) !== undefined) doc[field] = cloneDoc(value);
  }
  return doc;
}

type MergeSpec = {
  into: string | { coll: string };
  on?: string | string[];
  whenMatched?: 'replace' | 'keepExisting' | 'merge' | 'fail' | Document[];
  let?: Document;
  whenNotMatched?: 'insert' | 'discard' | 'fail';
};

/** `$out` and `$merge`: the pipeline's output written through the target collection's own write path. */
function writeStage(host: EmbeddedHost, stage: Document, results: Document[]): void {
  if ('$out' in stage) {
    const target = host.collection(typeof stage.$out === 'string' ? stage.$out : stage.$out.coll);
    target.deleteSync({}, true);
    for (const doc of results) target.insertSync(doc);
    return;
  }
  const spec: MergeSpec = typeof stage.$merge === 'string' ? { into: stage.$merge } : stage.$merge;
  const target = host.collection(typeof spec.into === 'string' ? spec.into : spec.into.coll);
  const on = spec.on === undefined ? ['_id'] : Array.isArray(spec.on) ? spec.on : [spec.on];
  const whenMatched = spec.whenMatched ?? 'merge';
  const whenNotMatched = spec.whenNotMatched ?? 'insert';
  if (spec.let)
    throw new Error('$merge: "let" is not supported by the embedded store; use the default $$new');
  for (const result of results) {
    const filter = Object.fromEntries(on.map((field) => [field, result[field] ?? null]));
    const [existing] = target.querySync(filter, { limit: 1 });
    if (!existing) {
      if (whenNotMatched === 'fail')
        throw new Error(`$merge: no document in ${target.name} matches ${JSON.stringify(filter)}`);
      if (whenNotMatched === 'insert') target.insertSync(result);
      continue;
    }
    if (whenMatched === 'keepExisting') continue;
    if (whenMatched === 'fail')
      throw new Error(`$merge: ${target.name} already has ${JSON.stringify(filter)}`);
    const { _id: _ignored, ...fields } = result;
    let next: Document;
    if (Array.isArray(whenMatched)) {
      // As in MongoDB: the pipeline runs on the existing document, with the pipeline's output as $$new.
      const [out] = new Aggregator(whenMatched, { variables: { new: result } }).run([cloneDoc(existing)]);
      next = { ...out, _id: existing._id };
    } else {
      next =
        whenMatched === 'merge' ? { ...cloneDoc(existing), ...fields } : { ...fields, _id: existing._id };
    }
    target.replaceSync(existing, next);
  }
}
