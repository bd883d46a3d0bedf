import { Decimal128, Double, Int32, Long, ObjectId } from 'mongodb';
import type { Document } from './types.js';

/** Deep copy of a stored document: plain objects, arrays and Dates are copied; BSON values are immutable. */
export function cloneDoc<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map(cloneDoc) as T;
  if (!isPlainObject(value)) return value;
  const out: Document = {};
  for (const key of Object.keys(value)) out[key] = cloneDoc((value as Document)[key]);
  return out as T;
}

/** An object literal (a document or an operator document), not a Date, ObjectId or array. */
export function isPlainObject(value: unknown): value is Document {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Index key of a scalar, or undefined for values an equality index cannot hold (arrays, sub-documents).
 * Missing and null share a key, as in MongoDB's indexes.
 */
export function indexKeyOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return 'z';
  switch (typeof value) {
    case 'string':
      return `s${value}`;
    case 'number':
      return numberKey(value);
    case 'boolean':
      return `b${value}`;
    case 'bigint':
      return `n${value}`;
  }
  if (value instanceof Date) return `d${value.getTime()}`;
  if (value instanceof ObjectId) return `o${value.toHexString()}`;
  // Every numeric type shares one key space, as in MongoDB's indexes: Long(5), 5.0 and 5 are equal.
  if (value instanceof Long) return `n${value.toString()}`;
  if (value instanceof Decimal128) return numberKey(Number(value.toString()));
  if (value instanceof Double || value instanceof Int32) return numberKey(value.valueOf());
  return undefined;
}

/** A number's key: whole numbers as exact decimal integers, so that a Long beyond 2^53 keys alike. */
function numberKey(value: number): string {
  return Number.isInteger(value) && !Number.isSafeInteger(value) ? `n${BigInt(value)}` : `n${value}`;
}

export function getPath(doc: Document, path: string): unknown {
  let value: unknown = doc;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Document)[part];
  }
  return value;
}

/** Whether a filter value is an equality on a scalar, the only shape the indexes answer. */
export function equalityKeys(condition: unknown): string[] | undefined {
  const direct = indexKeyOfCondition(condition);
  if (direct !== undefined) return [direct];
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) return undefined;
  const ops = Object.keys(condition);
  if (ops.length !== 1) return undefined;
  const operand = (condition as Document)[ops[0]!];
  if (ops[0] === '$eq') {
    const key = indexKeyOfCondition(operand);
    return key === undefined ? undefined : [key];
  }
  if (ops[0] === '$in' && Array.isArray(operand)) {
    const keys = operand.map(indexKeyOfCondition);
    return keys.every((k) => k !== undefined) ? (keys as string[]) : undefined;
  }
  return undefined;
}

function indexKeyOfCondition(value: unknown): string | undefined {
  // A plain object is an operator document, not a value to look up.
  if (
    value !== null &&
    typeof value === 'object' &&
    !(value instanceof Date) &&
    !(value instanceof ObjectId) &&
    !(
      value instanceof Long ||
      value instanceof Double ||
      value instanceof Int32 ||
      value instanceof Decimal128
    )
  ) {
    return undefined;
  }
  return indexKeyOf(value);
}
