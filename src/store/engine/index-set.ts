import { DuplicateKeyError, indexName, type Document, type IndexDef } from './types.js';
import { equalityKeys, getPath, indexKeyOf } from './values.js';

/** Documents an index lookup yields, and the part of the filter it leaves to check on `exact`. */
export interface IndexLookup {
  exact: Document[];
  loose: Document[];
  residual: Document;
}

/**
 * One declared index of a collection. It narrows the documents a query must look at
 * (equality on the index's first field) and enforces uniqueness over all its fields. It never
 * decides a match: mingo still evaluates the whole filter on every candidate.
 */
class EngineIndex {
  readonly name: string;
  private readonly fields: string[];
  /** First-field key → the document, or a Set once several share the key (most keys hold one: no Set each). */
  private readonly byFirst = new Map<string, Document | Set<Document>>();
  /** Documents whose first field holds an array or sub-document: candidates for every lookup. */
  private readonly loose = new Set<Document>();
  /** Full key → document, for unique indexes. */
  private readonly unique?: Map<string, Document>;

  constructor(readonly def: IndexDef) {
    this.name = indexName(def);
    this.fields = Object.keys(def.keys);
    // A single-field unique index answers uniqueness from `byFirst` itself.
    if (def.unique && this.fields.length > 1) this.unique = new Map();
  }

  get firstField(): string {
    return this.fields[0]!;
  }

  /** Throws if `doc` would break uniqueness (ignoring `replacing`, the version it supersedes). */
  check(collection: string, doc: Document, replacing?: Document): void {
    if (!this.def.unique) return;
    const key = this.fullKey(doc);
    if (key === undefined) return;
    const holder = this.unique ? this.unique.get(key) : this.byFirst.get(key);
    if (holder && holder !== replacing) {
      throw new DuplicateKeyError(
        collection,
        this.name,
        Object.fromEntries(this.fields.map((f) => [f, getPath(doc, f)])),
      );
    }
  }

  add(doc: Document): void {
    const key = indexKeyOf(getPath(doc, this.firstField));
    if (key === undefined) this.loose.add(doc);
    else {
      const held = this.byFirst.get(key);
      if (held === undefined) this.byFirst.set(key, doc);
      else if (held instanceof Set) held.add(doc);
      else this.byFirst.set(key, new Set([held, doc]));
    }
    const full = this.fullKey(doc);
    if (this.unique && full !== undefined) this.unique.set(full, doc);
  }

  remove(doc: Document): void {
    const key = indexKeyOf(getPath(doc, this.firstField));
    if (key === undefined) this.loose.delete(doc);
    else {
      const held = this.byFirst.get(key);
      if (held === doc) this.byFirst.delete(key);
      else if (held instanceof Set) {
        held.delete(doc);
        if (held.size === 1) this.byFirst.set(key, held.values().next().value!);
      }
    }
    const full = this.fullKey(doc);
    if (this.unique && full !== undefined && this.unique.get(full) === doc) this.unique.delete(full);
  }

  /**
   * The documents `filter` can match through this index, or undefined when it cannot narrow it.
   * `exact` hold a key the filter's condition on the first field names (so that condition holds for
   * them); `loose` hold arrays or sub-documents there, and need the whole filter checked.
   */
  lookup(filter: Document): IndexLookup | undefined {
    if (!(this.firstField in filter)) return undefined;
    const keys = equalityKeys(filter[this.firstField]);
    if (!keys) return undefined;
    const exact: Document[] = [];
    for (const key of new Set(keys)) {
      const held = this.byFirst.get(key);
      if (held instanceof Set) for (const doc of held) exact.push(doc);
      else if (held !== undefined) exact.push(held);
    }
    const { [this.firstField]: _answered, ...residual } = filter;
    return { exact, loose: [...this.loose], residual };
  }

  private fullKey(doc: Document): string | undefined {
    const parts: string[] = [];
    for (const field of this.fields) {
      const key = indexKeyOf(getPath(doc, field));
      if (key === undefined) return undefined;
      parts.push(key);
    }
    return parts.join('\u0000');
  }
}

/** The `_id` index plus declared indexes of one collection. */
export class IndexSet {
  private readonly indexes = new Map<string, EngineIndex>();

  constructor(
    private readonly collection: string,
    idIndex: IndexDef = { keys: { _id: 1 }, unique: true, name: '_id_' },
  ) {
    this.indexes.set('_id_', new EngineIndex(idIndex));
  }

  /** Adds an index and fills it from `docs`; a no-op if an index of that name exists. */
  create(def: IndexDef, docs: Iterable<Document>): string {
    const index = new EngineIndex(def);
    if (this.indexes.has(index.name)) return index.name;
    for (const doc of docs) {
      index.check(this.collection, doc);
      index.add(doc);
    }
    this.indexes.set(index.name, index);
    return index.name;
  }

  has(name: string): boolean {
    return this.indexes.has(name);
  }

  drop(name: string): boolean {
    return name !== '_id_' && this.indexes.delete(name);
  }

  /** Declared indexes (not `_id_`), as created. */
  definitions(): IndexDef[] {
    return [...this.indexes.values()]
      .filter((i) => i.name !== '_id_')
      .map((i) => ({ ...i.def, name: i.name }));
  }

  checkInsert(doc: Document): void {
    for (const index of this.indexes.values()) index.check(this.collection, doc);
  }

  checkReplace(prev: Document, next: Document): void {
    for (const index of this.indexes.values()) index.check(this.collection, next, prev);
  }

  add(doc: Document): void {
    for (const index of this.indexes.values()) index.add(doc);
  }

  remove(doc: Document): void {
    for (const index of this.indexes.values()) index.remove(doc);
  }

  /** The narrowest lookup any index gives for `filter`, or undefined for a full scan. */
  lookup(filter: Document): IndexLookup | undefined {
    let best: IndexLookup | undefined;
    for (const index of this.indexes.values()) {
      const found = index.lookup(filter);
      if (found && (!best || found.exact.length + found.loose.length < best.exact.length + best.loose.length))
        best = found;
    }
    return best;
  }
}
