import { Aggregator, Query, update as applyOperators, ProcessingMode } from 'mingo';
import { ObjectId } from 'mongodb';
import { IndexSet } from './index-set.js';
import { numericView, retype, sameValue } from './numbers.js';
import { matcher, plainProjection, sortPlain } from './plain-query.js';
import {
  indexName,
  type Document,
  type IndexDef,
  type QueryOptions,
  type SortSpec,
  type UpdateResult,
} from './types.js';
import { cloneDoc, indexKeyOf, isPlainObject } from './values.js';

/** What a collection needs from its database. */
export interface EngineHost {
  /** Another collection's documents as pipelines read them (numeric views), for `$lookup`/`$unionWith`. */
  rawDocs(name: string): Document[];
  collection(name: string): EngineCollection;
  /** Every change, as it happens: `prev` replaced by `next` (either may be missing). */
  recordWrite(collection: string, prev: Document | undefined, next: Document | undefined): void;
}

/** Built once: each mingo Query copies its whole operator table when constructed. */
const MATCH_ALL = new Query({});

/**
 * A collection held in memory, the storage engine of `sibyl store`: queries, updates and pipelines
 * are MongoDB documents executed by mingo, narrowed by indexes. Everything is synchronous: the
 * server turns it into commands. A stored document is never mutated (updates store a new object),
 * so a list of stored documents is a consistent snapshot (cursors, checkpoints).
 */
export class EngineCollection {
  private readonly docs = new Set<Document>();
  private readonly indexes: IndexSet;
  /**
   * The numeric view (numbers.ts) of each stored document that holds a typed number (a Long, a whole
   * double…). Documents with none, nearly all of them, are their own view and are not listed.
   */
  private readonly views = new Map<Document, Document>();

  constructor(
    readonly name: string,
    private readonly host: EngineHost,
  ) {
    this.indexes = new IndexSet(name);
  }

  /** Loads checkpointed documents, bypassing write bookkeeping. */
  load(docs: Iterable<Document>): void {
    for (const doc of docs) {
      this.indexes.checkInsert(doc);
      this.docs.add(doc);
      this.indexes.add(doc);
      this.track(doc);
    }
  }

  /** Live documents (not copies): for snapshots only. */
  raw(): Document[] {
    return [...this.docs];
  }

  /** The documents as pipelines read them: numeric views (not copies), for cross-collection stages. */
  valueViews(): Document[] {
    const docs = [...this.docs];
    return this.views.size === 0 ? docs : docs.map((doc) => this.views.get(doc) ?? doc);
  }

  get size(): number {
    return this.docs.size;
  }

  /** Matching live documents (not copies), sorted, paged and projected. */
  querySync(filter: Document, options: QueryOptions = {}): Document[] {
    const matched = this.matching(filter);
    const { skip = 0, limit } = options;
    // A client may send its sort and projection flags as any numeric type (mongosh's doubles).
    const sort = options.sort && numericView(options.sort);
    const projection = options.projection && numericView(options.projection);
    // Matching is done; what is left is sorting, paging and projecting, without mingo when plain.
    const sorted = !sort
      ? matched
      : this.views.size > 0 && matched.some((doc) => this.views.has(doc))
        ? this.sortedByValue(matched, sort)
        : sortPlain(matched, sort);
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

  /** One document through a projection (findAndModify's `fields`). */
  project(doc: Document, given: Document): Document {
    const projection = numericView(given);
    const plain = plainProjection(projection);
    return plain ? plain(doc) : MATCH_ALL.find<Document>([doc], projection).all()[0]!;
  }

  /** Inserts `doc` itself (callers pass a document nobody else holds). */
  insertSync(given: Document): Document {
    // As MongoDB does, a generated _id comes first.
    const doc = given._id === undefined ? { _id: new ObjectId(), ...given } : given;
    this.indexes.checkInsert(doc);
    this.docs.add(doc);
    this.indexes.add(doc);
    this.track(doc);
    this.host.recordWrite(this.name, undefined, doc);
    return doc;
  }

  /** An update document (operators), a replacement document, or an update pipeline. */
  updateSync(filter: Document, update: Document | Document[], upsert: boolean, many: boolean): UpdateResult {
    const replacement = !Array.isArray(update) && !Object.keys(update).some((k) => k.startsWith('$'));
    if (replacement && many)
      throw Object.assign(new Error('multi update is not supported for replacement-style update'), {
        code: 9,
      });
    const result: UpdateResult = { matchedCount: 0, modifiedCount: 0 };
    const matched = this.querySync(filter, many ? {} : { limit: 1 });
    for (const prev of matched) {
      result.matchedCount++;
      const next = replacement
        ? { ...cloneDoc(update as Document), _id: prev._id }
        : this.transform(prev, update, false);
      // A change of type alone (5 to 5.0) is a change, as MongoDB compares stored bytes.
      if (sameValue(next, prev)) continue;
      if (String(next._id) !== String(prev._id))
        throw Object.assign(new Error(`${this.name}: an update may not change _id`), { code: 66 });
      this.replaceSync(prev, next);
      result.modifiedCount++;
    }
    if (matched.length === 0 && upsert) {
      const doc = replacement
        ? { ...cloneDoc(update as Document) }
        : this.transform(seedFromFilter(filter), update, true);
      if (replacement && doc._id === undefined && filter._id !== undefined) doc._id = cloneDoc(filter._id);
      result.upsertedId = this.insertSync(doc)._id;
    }
    return result;
  }

  deleteSync(filter: Document, many: boolean): number {
    const matched = this.querySync(filter, many ? {} : { limit: 1 });
    for (const doc of matched) {
      this.indexes.remove(doc);
      this.docs.delete(doc);
      this.views.delete(doc);
      this.host.recordWrite(this.name, doc, undefined);
    }
    return matched.length;
  }

  /**
   * Pipelines read numeric views (numbers.ts): their stages compare and compute on plain numbers.
   * An output document that still has the `_id` of a stored one gets back the types of the values
   * it holds unchanged at the same paths (what $match, $sort, $project or $set pass through); any
   * other number a pipeline outputs (computed, grouped, joined) is a plain one: int32 if it fits.
   */
  aggregateSync(pipeline: Document[]): Document[] {
    const { stages: given, writes } = splitWriteStage(pipeline);
    const stages = numericView(given);
    // As in MongoDB, a leading $match can use an index (which the original keys exactly).
    const leading = given[0]?.$match as Document | undefined;
    const matched = leading ? this.matching(leading) : [...this.docs];
    const source = this.views.size === 0 ? matched : matched.map((doc) => this.views.get(doc) ?? doc);
    const results = new Aggregator(leading ? stages.slice(1) : stages, {
      processingMode: ProcessingMode.CLONE_ALL,
      collectionResolver: (name: string) => this.host.rawDocs(name),
    }).run(source);
    if (this.views.size > 0) this.retypePassedThrough(results, matched);
    if (writes) {
      applyWriteStage(this.host, writes, results);
      return [];
    }
    return results;
  }

  /** Pipeline output (copies) that kept a stored document's `_id`: its unchanged values retyped as stored. */
  private retypePassedThrough(results: Document[], source: Document[]): void {
    const typed = new Map<string, Document>();
    for (const doc of source) {
      const key = this.views.has(doc) ? indexKeyOf(doc._id) : undefined;
      if (key !== undefined) typed.set(key, doc);
    }
    if (typed.size === 0) return;
    for (const [i, out] of results.entries()) {
      const key = indexKeyOf(out._id);
      const stored = key === undefined ? undefined : typed.get(key);
      if (stored) results[i] = retype(out, stored, undefined, false);
    }
  }

  createIndex(def: IndexDef): string {
    return this.indexes.create(def, this.docs);
  }

  hasIndex(def: IndexDef): boolean {
    return this.indexes.has(indexName(def));
  }

  dropIndex(name: string): boolean {
    return this.indexes.drop(name);
  }

  indexDefinitions(): IndexDef[] {
    return this.indexes.definitions();
  }

  // --- journal replay and undo ---------------------------------------------------------------------

  /** Replay: stores `doc` as the document with its `_id`, replacing any. */
  put(doc: Document): void {
    const [prev] = this.matching({ _id: doc._id });
    if (prev) this.replaceSync(prev, doc);
    else this.insertSync(doc);
  }

  /** Replay: deletes the document with this `_id`, if any. */
  removeById(id: unknown): void {
    this.deleteSync({ _id: id }, false);
  }

  /** Takes back one recorded change (`prev` replaced by `next`): a write the journal refused. */
  revert(prev: Document | undefined, next: Document | undefined): void {
    if (next && this.docs.has(next)) {
      this.indexes.remove(next);
      this.docs.delete(next);
      this.views.delete(next);
    }
    if (prev && !this.docs.has(prev)) {
      this.docs.add(prev);
      this.indexes.add(prev);
      this.track(prev);
    }
  }

  // --- internals -------------------------------------------------------------------------------

  /**
   * The documents matching `filter`. With an index on a field the filter sets by equality or $in,
   * the index answers that condition and the rest is checked after (as a database applies a
   * residual predicate after an index scan); otherwise every document is checked.
   */
  private matching(filter: Document): Document[] {
    // The index lookup reads the filter as sent (its keys are exact for Longs); conditions are
    // checked on numeric views, as mingo and the plain matcher compare plain numbers only.
    const lookup = this.indexes.lookup(filter);
    if (!lookup) return [...this.docs].filter(this.test(filter));
    const residual = Object.keys(lookup.residual).length ? this.test(lookup.residual) : undefined;
    const matched = residual ? lookup.exact.filter(residual) : lookup.exact;
    if (lookup.loose.length === 0) return matched;
    return [...matched, ...lookup.loose.filter(this.test(filter))];
  }

  /** `filter` as a predicate on stored documents, through their numeric views. */
  private test(filter: Document): (doc: Document) => boolean {
    const matches = matcher(numericView(filter));
    return this.views.size === 0 ? matches : (doc) => matches(this.views.get(doc) ?? doc);
  }

  /** Documents some of which hold typed numbers, sorted by value (their views sorted, then mapped back). */
  private sortedByValue(docs: Document[], sort: SortSpec): Document[] {
    const stored = new Map<Document, Document>();
    const views = docs.map((doc) => {
      const view = this.views.get(doc) ?? doc;
      stored.set(view, doc);
      return view;
    });
    const sorted = sortPlain(views, sort) ?? MATCH_ALL.find<Document>(views).sort(sort).all();
    return sorted.map((view) => stored.get(view)!);
  }

  replaceSync(prev: Document, next: Document): void {
    this.indexes.checkReplace(prev, next);
    this.indexes.remove(prev);
    this.docs.delete(prev);
    this.views.delete(prev);
    this.docs.add(next);
    this.indexes.add(next);
    this.track(next);
    this.host.recordWrite(this.name, prev, next);
  }

  /** Lists `doc`'s numeric view if it differs from `doc` (it holds a typed number). */
  private track(doc: Document): void {
    const view = numericView(doc);
    if (view !== doc) this.views.set(doc, view);
  }

  /**
   * `doc` with an update document or pipeline applied, as a new document. Operators and pipelines
   * run on its numeric view; the numbers of the result then get their BSON types back (numbers.ts:
   * operands keep theirs, $inc/$mul widen, values left alone keep theirs).
   */
  private transform(doc: Document, update: Document | Document[], inserting: boolean): Document {
    const docView = numericView(doc);
    const updateView = numericView(update);
    // Plain numbers in and no arithmetic: every number of the result is already typed right.
    const typed =
      docView !== doc ||
      updateView !== update ||
      (!Array.isArray(update) && ('$inc' in update || '$mul' in update));
    const view = cloneDoc(docView);
    if (Array.isArray(updateView)) {
      const [out] = new Aggregator(updateView).run([view]);
      const next = { ...out, _id: doc._id };
      return typed ? retype(next, doc, undefined, inserting) : next;
    }
    const { $setOnInsert, ...operators } = cloneDoc(updateView);
    if (inserting && $setOnInsert) operators.$set = { ...$setOnInsert, ...operators.$set };
    if (Object.keys(operators).length > 0)
      applyOperators(view, operators, undefined, undefined, { cloneMode: 'none' });
    return typed ? retype(view, doc, update as Document, inserting) : view;
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

/** A pipeline's reading stages, and its final `$merge`/`$out` if it has one. */
export function splitWriteStage(pipeline: Document[]): { stages: Document[]; writes?: Document } {
  const last = pipeline.at(-1);
  return last && ('$merge' in last || '$out' in last)
    ? { stages: pipeline.slice(0, -1), writes: last }
    : { stages: pipeline };
}

/**
 * `$out` and `$merge`: the pipeline's output written through the target collection's own write path.
 * `$merge` may be applied to the output in slices (each document's effect is independent).
 */
export function applyWriteStage(host: EngineHost, stage: Document, results: Document[]): void {
  if ('$out' in stage) {
    const target = host.collection(typeof stage.$out === 'string' ? stage.$out : stage.$out.coll);
    target.deleteSync({}, true);
    for (const doc of results) target.insertSync(doc);
    return;
  }
  const spec: MergeSpec = typeof stage.$merge === 'string' ? { into: stage.$merge } : stage.$merge;
  // Refused before the target is looked up: looking it up creates it.
  if (spec.let) throw new Error('$merge: "let" is not supported by sibyl store; use the default $$new');
  const target = host.collection(typeof spec.into === 'string' ? spec.into : spec.into.coll);
  const on = spec.on === undefined ? ['_id'] : Array.isArray(spec.on) ? spec.on : [spec.on];
  const whenMatched = spec.whenMatched ?? 'merge';
  const whenNotMatched = spec.whenNotMatched ?? 'insert';
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
      // As in MongoDB: the pipeline runs on the existing document, with the pipeline's output as $$new
      // (on numeric views, as every pipeline; what it leaves alone keeps its type).
      const [out] = new Aggregator(numericView(whenMatched), { variables: { new: numericView(result) } }).run(
        [cloneDoc(numericView(existing))],
      );
      next = retype({ ...out, _id: existing._id }, existing, undefined, false);
    } else {
      next =
        whenMatched === 'merge' ? { ...cloneDoc(existing), ...fields } : { ...fields, _id: existing._id };
    }
    target.replaceSync(existing, next);
  }
}
