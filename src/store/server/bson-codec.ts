import { BSON, type Document } from 'mongodb';
import { fitsInt32 } from '../engine/numbers.js';

/**
 * BSON decoding that keeps numeric types (engine/numbers.ts): a Long stays a Long, a double whose
 * value is whole and within int32 stays a Double, and the rest become plain numbers, which encode
 * back as the same type. Everything the server reads (commands, journal, checkpoints, the replica's
 * messages) goes through here, so nothing is promoted on the way in and re-encoded as another type
 * on the way out. `BSON.serialize` is the encoder: it writes each of these back as it was.
 */
export function decode(bytes: Uint8Array): Document {
  return normalize(BSON.deserialize(bytes, { promoteValues: false })) as Document;
}

function normalize(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  switch ((value as { _bsontype?: string })._bsontype) {
    case 'Int32':
      return (value as BSON.Int32).value;
    case 'Double': {
      const x = (value as BSON.Double).value;
      return fitsInt32(x) ? value : x;
    }
    case 'BSONSymbol':
      // Deprecated; decoded as a string, as the driver's default does.
      return (value as BSON.BSONSymbol).value;
    case undefined:
      break;
    default:
      return value;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = normalize(value[i]);
    return value;
  }
  if (value instanceof Date || value instanceof RegExp) return value;
  const doc = value as Document;
  for (const key of Object.keys(doc)) doc[key] = normalize(doc[key]);
  return doc;
}
