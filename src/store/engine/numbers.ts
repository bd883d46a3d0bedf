import { Decimal128, Double, Int32, Long } from 'mongodb';
import type { Document } from './types.js';
import { isPlainObject } from './values.js';

/**
 * Numbers as BSON types them. The engine holds an int32, and a double that a JavaScript number
 * re-encodes as a double (a fraction, a value outside int32, -0), as a plain number: encoded again,
 * each comes back as the type it came in as. The others are held as the driver's objects: a Long,
 * a Decimal128, and a double whose value is a whole number in int32's range (which a plain number
 * would re-encode as an int32). The server decodes them so (bson-codec.ts) and encodes them back
 * as they are, so every numeric type round-trips.
 *
 * mingo and the engine's own matcher compare plain numbers only: a document holding typed numbers
 * is matched, sorted and aggregated through its numeric view (typed numbers as plain numbers), and
 * what is stored or returned is the document itself. Longs beyond 2^53 and Decimal128 values are
 * compared at double precision (MongoDB compares them exactly); index keys are exact for Longs.
 */

export type BsonNumber = Long | Double | Decimal128;

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

/** A whole number a plain number would encode as int32 (-0 encodes as a double). */
export const fitsInt32 = (x: number): boolean =>
  Number.isInteger(x) && x >= INT32_MIN && x <= INT32_MAX && !Object.is(x, -0);

export function isBsonNumber(value: unknown): value is BsonNumber {
  if (value === null || typeof value !== 'object') return false;
  const type = (value as { _bsontype?: unknown })._bsontype;
  return type === 'Long' || type === 'Double' || type === 'Decimal128' || type === 'Int32';
}

/** The value of a typed number as a plain number (Longs beyond 2^53 and decimals rounded). */
export function toNumber(value: BsonNumber): number {
  if (value instanceof Long) return value.toNumber();
  if (value instanceof Decimal128) return Number(value.toString());
  return value.valueOf();
}

/**
 * `value` with every typed number replaced by a plain number: the same object when it holds none,
 * otherwise a copy of the parts that do (the rest is shared, and must not be mutated).
 */
export function numericView<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (isBsonNumber(value)) return toNumber(value) as T;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = numericView(value[i] as unknown);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return (out ?? value) as T;
  }
  if (!isPlainObject(value)) return value;
  const doc: Document = value;
  let out: Document | undefined;
  for (const key of Object.keys(doc)) {
    const v = numericView(doc[key]);
    if (v !== doc[key]) (out ??= { ...doc })[key] = v;
  }
  return (out ?? value) as T;
}

/** BSON equality: same types and values, same field order (a type change is a change). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return !(typeof a === 'number' && Object.is(a, -0) !== Object.is(b, -0));
  if (typeof a === 'number' || typeof b === 'number') return false;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const keys = Object.keys(a);
    const other = Object.keys(b);
    return keys.length === other.length && keys.every((k, i) => k === other[i] && sameValue(a[k], b[k]));
  }
  const type = (a as { _bsontype?: unknown })._bsontype;
  return type !== undefined && type === (b as { _bsontype?: unknown })._bsontype && String(a) === String(b);
}

// --- the types of numbers an update computes ------------------------------------------------------

type Kind = 0 | 1 | 2 | 3;
const INT = 0;
const LONG = 1;
const DOUBLE = 2;
const DECIMAL = 3;

/** MongoDB's numeric types in the order arithmetic widens them: int32, long, double, decimal. */
function kindOf(value: unknown): Kind | undefined {
  if (typeof value === 'number') return fitsInt32(value) ? INT : DOUBLE;
  if (value instanceof Int32) return INT;
  if (value instanceof Long) return LONG;
  if (value instanceof Double) return DOUBLE;
  if (value instanceof Decimal128) return DECIMAL;
  return undefined;
}

/** `x` held as BSON type `kind` (see the top of this file for which need an object). */
function asKind(x: number, kind: Kind): unknown {
  if (kind === INT) return fitsInt32(x) ? x : Number.isInteger(x) ? Long.fromNumber(x) : x;
  if (kind === LONG) return Number.isInteger(x) ? Long.fromNumber(x) : x;
  if (kind === DOUBLE) return fitsInt32(x) ? new Double(x) : x;
  return Decimal128.fromString(String(x));
}

interface UpdateTypes {
  /** $set/$setOnInsert operands: stored as given, with their types. */
  set: Map<string, unknown>;
  /** $min/$max operands: stored as given when they replace the value. */
  bound: Map<string, unknown>;
  /** $inc/$mul operands: the result takes the wider type of the stored value and the operand. */
  arithmetic: Map<string, unknown>;
  /** $push/$addToSet operands: elements added to the array at that path. */
  pushed: Map<string, unknown[]>;
}

function updateTypes(update: Document, original: Document, inserting: boolean): UpdateTypes {
  const types: UpdateTypes = { set: new Map(), bound: new Map(), arithmetic: new Map(), pushed: new Map() };
  const each = (op: string, fn: (path: string, operand: unknown) => void) => {
    const spec = update[op];
    if (isPlainObject(spec)) for (const [path, operand] of Object.entries(spec)) fn(path, operand);
  };
  each('$set', (p, v) => types.set.set(p, v));
  if (inserting) each('$setOnInsert', (p, v) => types.set.set(p, v));
  each('$min', (p, v) => types.bound.set(p, v));
  each('$max', (p, v) => types.bound.set(p, v));
  each('$inc', (p, v) => types.arithmetic.set(p, v));
  each('$mul', (p, v) => types.arithmetic.set(p, v));
  for (const op of ['$push', '$addToSet'])
    each(op, (p, v) =>
      types.pushed.set(p, isPlainObject(v) && Array.isArray(v.$each) ? (v.$each as unknown[]) : [v]),
    );
  // A renamed field keeps its value, so its type.
  each('$rename', (from, to) => {
    if (typeof to === 'string') types.set.set(to, valueAt(original, from));
  });
  return types;
}

function valueAt(doc: unknown, path: string): unknown {
  let value = doc;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Document)[part];
  }
  return value;
}

/**
 * The types of the numbers in `result`, the numeric view of an updated document: a value `update`
 * stores ($set, $min/$max, $push…) keeps its operand's type; $inc and $mul widen as MongoDB's do
 * (int32 overflowing to long); any other value still equal to what `original` held there keeps
 * that type. `update` is an operator document, or undefined for a pipeline or a replacement.
 */
export function retype(
  result: Document,
  original: Document,
  update: Document | undefined,
  inserting: boolean,
): Document {
  const types = update ? updateTypes(update, original, inserting) : undefined;
  return retypeValue(result, '', original, undefined, false, types) as Document;
}

function retypeValue(
  value: unknown,
  path: string,
  original: unknown,
  literal: unknown,
  inLiteral: boolean,
  types: UpdateTypes | undefined,
): unknown {
  if (typeof value === 'number') {
    const operand = types?.arithmetic.get(path);
    if (operand !== undefined) {
      const widest = Math.max(kindOf(original) ?? INT, kindOf(operand) ?? INT) as Kind;
      return asKind(value, widest);
    }
    const same = (v: unknown) => isBsonNumber(v) && toNumber(v) === value;
    if (types?.bound.has(path)) return same(original) ? original : same(literal) ? literal : value;
    if (inLiteral) return same(literal) ? literal : value;
    return same(original) ? original : value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const pushed = types?.pushed.get(path);
    for (let i = 0; i < value.length; i++) {
      const at = `${path}.${i}`;
      let v = retypeValue(
        value[i],
        at,
        Array.isArray(original) ? original[i] : undefined,
        inLiteral && Array.isArray(literal) ? literal[i] : undefined,
        inLiteral,
        types,
      );
      if (typeof v === 'number' && pushed) v = pushed.find((p) => isBsonNumber(p) && toNumber(p) === v) ?? v;
      value[i] = v;
    }
    return value;
  }
  if (!isPlainObject(value)) return value;
  for (const key of Object.keys(value)) {
    const at = path ? `${path}.${key}` : key;
    const starts = types?.set.has(at) || types?.bound.has(at);
    const operand = types?.set.has(at) ? types.set.get(at) : types?.bound.get(at);
    value[key] = retypeValue(
      value[key],
      at,
      isPlainObject(original) ? original[key] : undefined,
      starts ? operand : isPlainObject(literal) ? literal[key] : undefined,
      Boolean(starts) || (inLiteral && isPlainObject(literal)),
      types,
    );
  }
  return value;
}
