import { BSON, type Document } from 'mongodb';

/**
 * Cursor replies assembled from documents serialized one by one: a batch is cut by its encoded size
 * (a reply must stay under 16 MiB) without serializing anything twice.
 */

const SEPARATOR = Buffer.from([0]);

export function element(type: number, key: string, value: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([type]), Buffer.from(key, 'utf8'), SEPARATOR, value]);
}

export function document(elements: Uint8Array[]): Buffer {
  const body = Buffer.concat(elements);
  const out = Buffer.alloc(4 + body.length + 1);
  out.writeInt32LE(out.length, 0);
  body.copy(out, 4);
  return out;
}

export function bsonString(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const out = Buffer.alloc(4 + bytes.length + 1);
  out.writeInt32LE(bytes.length + 1, 0);
  bytes.copy(out, 4);
  return out;
}

export function int64(value: bigint): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigInt64LE(value, 0);
  return out;
}

const OK = element(
  0x01,
  'ok',
  (() => {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(1, 0);
    return b;
  })(),
);

/** `{ cursor: { <batchName>: [...], id, ns }, ok: 1 }` from pre-serialized documents. */
export function cursorReply(
  batchName: 'firstBatch' | 'nextBatch',
  docs: Uint8Array[],
  cursorId: bigint,
  ns: string,
): Buffer {
  const batch = document(docs.map((doc, i) => element(0x03, String(i), doc)));
  const cursor = document([
    element(0x04, batchName, batch),
    element(0x12, 'id', int64(cursorId)),
    element(0x02, 'ns', bsonString(ns)),
  ]);
  return document([element(0x03, 'cursor', cursor), OK]);
}

/** Room left in a reply for documents: the limit less what the envelope and array keys take. */
const BATCH_BYTES = 16 * 1024 * 1024 - 16 * 1024;

/**
 * Serializes documents from `docs[from]` on until `maxDocs` or the byte budget is reached (always at
 * least one document, as MongoDB does). Returns the buffers and where the next batch starts.
 */
export function takeBatch(
  docs: readonly (Document | Uint8Array)[],
  from: number,
  maxDocs: number,
): { buffers: Uint8Array[]; next: number } {
  const buffers: Uint8Array[] = [];
  let bytes = 0;
  let i = from;
  while (i < docs.length && buffers.length < maxDocs) {
    const doc = docs[i]!;
    const encoded = doc instanceof Uint8Array ? doc : BSON.serialize(doc);
    if (buffers.length > 0 && bytes + encoded.length + 16 > BATCH_BYTES) break;
    buffers.push(encoded);
    bytes += encoded.length + 16;
    i++;
  }
  return { buffers, next: i };
}
