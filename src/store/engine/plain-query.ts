import { Query } from 'mingo';
import type { Document, SortSpec } from './types.js';

/**
 * Sorting and projecting without mingo, for the shapes nearly every Sibyl query has: top-level
 * fields, sort keys that are all numbers, all strings or all Dates, and plain inclusion or
 * exclusion projections. mingo resolves paths and compiles its projection per call, which made
 * small reads (a user's context: five queries) cost hundreds of microseconds. For any other shape
 * these return undefined and the caller goes through mingo, so results are the same either way:
 * the sort is stable like mingo's, ties keep stored order in either direction.
 */
export function sortPlain(docs: readonly Document[], sort: SortSpec): Document[] | undefined {
  const keys = Object.entries(sort);
  const compares: ((a: Document, b: Document) => number)[] = [];
  for (const [field, direction] of keys) {
    if (field.includes('.') || field.startsWith('$') || (direction !== 1 && direction !== -1))
      return undefined;
    const kind = valueKind(docs, field);
    if (kind === undefined) return undefined;
    compares.push(kind === 'date' ? byDate(field, direction) : byPrimitive(field, direction));
  }
  return [...docs].sort((a, b) => {
    for (const compare of compares) {
      const c = compare(a, b);
      if (c !== 0) return c;
    }
    return 0;
  });
}

/** What every document holds at `field`: one comparable kind, else undefined (mixed types, missing, NaN). */
function valueKind(docs: readonly Document[], field: string): 'number' | 'string' | 'date' | undefined {
  let kind: 'number' | 'string' | 'date' | undefined;
  for (const doc of docs) {
    const value: unknown = doc[field];
    const k =
      typeof value === 'number' && !Number.isNaN(value)
        ? 'number'
        : typeof value === 'string'
          ? 'string'
          : value instanceof Date
            ? 'date'
            : undefined;
    if (k === undefined || (kind !== undefined && k !== kind)) return undefined;
    kind = k;
  }
  return kind ?? 'number';
}

const byPrimitive =
  (field: string, direction: 1 | -1) =>
  (a: Document, b: Document): number => {
    const x = a[field] as number | string;
    const y = b[field] as number | string;
    return x < y ? -direction : x > y ? direction : 0;
  };

const byDate =
  (field: string, direction: 1 | -1) =>
  (a: Document, b: Document): number =>
    direction * ((a[field] as Date).getTime() - (b[field] as Date).getTime());

/**
 * A projection as a function, for inclusion (`{a: 1, b: 1}`, `_id` kept unless `_id: 0`) or
 * exclusion (`{a: 0}`) of top-level fields; undefined for anything else (dotted paths, operators,
 * expressions). Fields keep the document's order, as in MongoDB. Projected documents share values
 * with their source: callers copy them.
 */
export function plainProjection(projection: Document): ((doc: Document) => Document) | undefined {
  const include = new Set<string>();
  const exclude = new Set<string>();
  let id: boolean | undefined;
  for (const [field, flag] of Object.entries(projection)) {
    if (field.includes('.') || field.startsWith('$')) return undefined;
    if (flag !== 0 && flag !== 1 && flag !== true && flag !== false) return undefined;
    const on = flag === 1 || flag === true;
    if (field === '_id') id = on;
    else (on ? include : exclude).add(field);
  }
  if (include.size > 0 && exclude.size > 0) return undefined;
  // `{_id: 1}` alone includes only _id; otherwise _id follows the mode unless named.
  const inclusion = include.size > 0 || (exclude.size === 0 && id === true);
  const keep = inclusion
    ? (field: string) => (field === '_id' ? id !== false : include.has(field))
    : (field: string) => (field === '_id' ? id !== false : !exclude.has(field));
  return (doc) => {
    const out: Document = {};
    for (const field of Object.keys(doc)) if (keep(field)) out[field] = doc[field];
    return out;
  };
}

type Test = (doc: Document) => boolean | undefined;

const RANGE: Record<string, (c: number) => boolean> = {
  $gt: (c) => c > 0,
  $gte: (c) => c >= 0,
  $lt: (c) => c < 0,
  $lte: (c) => c <= 0,
};

/**
 * `filter` as a predicate: conditions that are equalities on a string, number or boolean, or
 * ranges ($gt, $gte, $lt, $lte) on a number, string or Date, are checked directly, with MongoDB's
 * type bracketing (a number bound never matches a string). Any other filter, and any document with
 * an array on a filtered path, goes to mingo (built once per filter, only if needed).
 */
export function matcher(filter: Document): (doc: Document) => boolean {
  let query: Query | undefined;
  const viaMingo = (doc: Document) => (query ??= new Query(filter)).test(doc);
  const tests: Test[] = [];
  for (const [path, condition] of Object.entries(filter)) {
    const test = path.startsWith('$') ? undefined : conditionTest(path.split('.'), condition);
    if (!test) return viaMingo;
    tests.push(test);
  }
  return (doc) => {
    for (const test of tests) {
      const matched = test(doc);
      if (matched === undefined) return viaMingo(doc);
      if (!matched) return false;
    }
    return true;
  };
}

function conditionTest(path: string[], condition: unknown): Test | undefined {
  if (typeof condition === 'string' || typeof condition === 'number' || typeof condition === 'boolean')
    return (doc) => {
      const value = valueAt(doc, path);
      return Array.isArray(value) ? undefined : value === condition;
    };
  if (!isOperatorDocument(condition)) return undefined;
  const bounds: [(c: number) => boolean, number | string | Date][] = [];
  for (const [op, operand] of Object.entries(condition)) {
    const holds = RANGE[op];
    const comparable =
      typeof operand === 'string' ||
      (typeof operand === 'number' && !Number.isNaN(operand)) ||
      operand instanceof Date;
    if (!holds || !comparable) return undefined;
    bounds.push([holds, operand]);
  }
  return (doc) => {
    const value = valueAt(doc, path);
    if (Array.isArray(value)) return undefined;
    for (const [holds, operand] of bounds) {
      const c = compareSameType(value, operand);
      if (c === undefined || !holds(c)) return false;
    }
    return true;
  };
}

/** `value` against `operand` if they are the same BSON type (else no order: the condition fails). */
function compareSameType(value: unknown, operand: number | string | Date): number | undefined {
  if (operand instanceof Date) return value instanceof Date ? value.getTime() - operand.getTime() : undefined;
  if (typeof value !== typeof operand) return undefined;
  const v = value as number | string;
  return v < operand ? -1 : v > operand ? 1 : 0;
}

/** The value at a dotted path, or an array met on the way (the caller defers those to mingo). */
function valueAt(doc: Document, path: string[]): unknown {
  let value: unknown = doc;
  for (const part of path) {
    if (Array.isArray(value)) return value;
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Document)[part];
  }
  return value;
}

function isOperatorDocument(value: unknown): value is Document {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Date)
    return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => k.startsWith('$'));
}
