import type { Document } from 'mongodb';
import type { EngineCollection } from '../../engine/collection.js';
import { CommandError, badValue } from '../errors.js';

/**
 * What each command may carry, field by field. A field this server cannot honour is refused,
 * naming it, before anything runs: answering as if it were absent (a find with a collation
 * compared as binary strings) would be a silent difference from MongoDB. A field MongoDB itself
 * does not know is refused as MongoDB's own parser refuses it.
 */

interface Shape {
  /** Fields honoured here, or that change nothing on a single in-memory node (said where listed). */
  served: readonly string[];
  /** Fields MongoDB honours and this server does not: NotImplemented, naming the field. */
  refused?: readonly string[];
  /** Sub-documents (`cursor`) and arrays of sub-documents (statements, index specs), checked alike. */
  nested?: Record<string, Shape>;
}

/**
 * Accepted on every command. Sessions are accepted (transactions were refused before this, see
 * session-info.ts); `$readPreference` is any node's, and there is one; `maxTimeMS` is enforced by
 * the server once the command has run (store-server.ts); read and write concerns are checked by
 * `checkConcerns`.
 */
const GENERIC = [
  '$db',
  'lsid',
  '$clusterTime',
  '$readPreference',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
  'comment',
  'maxTimeMS',
  'readConcern',
  'writeConcern',
  'txnNumber',
  'autocommit',
  'startTransaction',
];

/** Known to MongoDB for find (and with the same meaning for several others), not served here. */
const FIND_REFUSED = [
  'collation',
  'let',
  'min',
  'max',
  'returnKey',
  'showRecordId',
  'tailable',
  'awaitData',
  'oplogReplay',
  'readOnce',
  'allowSpeculativeMajorityRead',
  'requestResumeToken',
  'resumeAfter',
];

const SHAPES: Record<string, Shape> = {
  find: {
    // allowDiskUse: nothing spills here; allowPartialResults: there are no shards to be missing.
    served: [
      'find',
      'filter',
      'sort',
      'projection',
      'hint',
      'skip',
      'limit',
      'batchSize',
      'singleBatch',
      'noCursorTimeout',
      'allowDiskUse',
      'allowPartialResults',
    ],
    refused: FIND_REFUSED,
  },
  getMore: { served: ['getMore', 'collection', 'batchSize'], refused: ['term', 'lastKnownCommittedOpTime'] },
  aggregate: {
    // bypassDocumentValidation: there are no validators to bypass.
    served: ['aggregate', 'pipeline', 'cursor', 'hint', 'allowDiskUse', 'bypassDocumentValidation'],
    refused: ['explain', 'collation', 'let', 'exchange', 'isMapReduceCommand'],
    nested: { cursor: { served: ['batchSize'] } },
  },
  count: {
    served: ['count', 'query', 'limit', 'skip', 'hint'],
    refused: ['collation', 'fields'],
  },
  distinct: { served: ['distinct', 'key', 'query', 'hint'], refused: ['collation'] },
  insert: { served: ['insert', 'documents', 'ordered', 'bypassDocumentValidation'] },
  update: {
    served: ['update', 'updates', 'ordered', 'bypassDocumentValidation'],
    refused: ['let'],
    nested: {
      updates: { served: ['q', 'u', 'upsert', 'multi', 'hint'], refused: ['arrayFilters', 'collation', 'c'] },
    },
  },
  delete: {
    served: ['delete', 'deletes', 'ordered'],
    refused: ['let'],
    nested: { deletes: { served: ['q', 'limit', 'hint'], refused: ['collation'] } },
  },
  findAndModify: {
    served: [
      'findAndModify',
      'query',
      'sort',
      'remove',
      'update',
      'new',
      'fields',
      'upsert',
      'hint',
      'bypassDocumentValidation',
    ],
    refused: ['collation', 'arrayFilters', 'let'],
  },
  createIndexes: {
    served: ['createIndexes', 'indexes'],
    refused: ['commitQuorum'],
    nested: {
      // background: MongoDB ignores it since 4.2. v: the index format version, nothing to choose here.
      indexes: {
        served: ['key', 'name', 'unique', 'background', 'v'],
        refused: [
          'sparse',
          'partialFilterExpression',
          'expireAfterSeconds',
          'collation',
          'hidden',
          'weights',
          'default_language',
          'language_override',
          'textIndexVersion',
          '2dsphereIndexVersion',
          'bits',
          'min',
          'max',
          'bucketSize',
          'wildcardProjection',
          'columnstoreProjection',
          'storageEngine',
          'clustered',
          'prepareUnique',
        ],
      },
    },
  },
};
SHAPES.findandmodify = {
  ...SHAPES.findAndModify!,
  served: [...SHAPES.findAndModify!.served, 'findandmodify'],
};

export const notImplemented = (what: string) =>
  new CommandError(
    238,
    'NotImplemented',
    `${what} is not supported by sibyl store (MongoDB would honour it; this server cannot)`,
  );

const unknownField = (path: string) =>
  new CommandError(40415, 'Location40415', `BSON field '${path}' is an unknown field.`);

/** Throws for the first field of `command` that this server cannot honour. */
export function checkOptions(name: string, command: Document): void {
  const shape = SHAPES[name];
  if (!shape) return;
  checkShape(name, command, shape, true);
  checkConcerns(command);
  if (name === 'createIndexes' && Array.isArray(command.indexes))
    for (const spec of command.indexes as Document[]) checkIndexKey(spec.key);
}

function checkShape(path: string, doc: Document, shape: Shape, top: boolean): void {
  for (const field of Object.keys(doc)) {
    const at = `${path}.${field}`;
    if (shape.refused?.includes(field)) throw notImplemented(`'${at}'`);
    if (!shape.served.includes(field) && !(top && GENERIC.includes(field))) throw unknownField(at);
    const nested = shape.nested?.[field];
    const value: unknown = doc[field];
    if (!nested || value === null || typeof value !== 'object') continue;
    for (const item of Array.isArray(value) ? value : [value])
      if (item !== null && typeof item === 'object') checkShape(at, item as Document, nested, false);
  }
}

/**
 * Read and write concerns a single node satisfies as they are: every read sees the latest write,
 * and every acknowledged write is journaled and fsynced before the reply (w: 1, majority, j).
 * Anything asking for more than one node, or for a point in cluster time, is refused.
 */
function checkConcerns(command: Document): void {
  const read = command.readConcern as Document | undefined;
  if (read) {
    for (const key of Object.keys(read)) if (key !== 'level') throw notImplemented(`'readConcern.${key}'`);
    if (read.level !== undefined && !['local', 'available', 'majority'].includes(read.level as string))
      throw notImplemented(`readConcern level '${read.level}'`);
  }
  const write = command.writeConcern as Document | undefined;
  if (write) {
    for (const key of Object.keys(write))
      if (!['w', 'j', 'wtimeout', 'fsync'].includes(key)) throw notImplemented(`'writeConcern.${key}'`);
    const w: unknown = write.w;
    if (w !== undefined && w !== 'majority' && Number(w) !== 0 && Number(w) !== 1)
      throw notImplemented(`writeConcern w: ${JSON.stringify(w)} (one node)`);
  }
}

/** Hash indexes on ascending or descending keys only: text, geo, hashed and wildcard are refused. */
function checkIndexKey(key: unknown): void {
  if (key === null || typeof key !== 'object') return;
  for (const [field, kind] of Object.entries(key as Document)) {
    if (field.includes('$**')) throw notImplemented(`wildcard index key '${field}'`);
    const direction = Number(kind);
    if (typeof kind === 'string' || Number.isNaN(direction) || direction === 0)
      throw notImplemented(`index type ${JSON.stringify(kind)} on '${field}'`);
  }
}

/**
 * A hint names an index to use; results do not depend on which one is used, so a hint naming an
 * index the collection has is served (the engine still picks its own), and one naming none fails as
 * it does in MongoDB. On a collection that does not exist there is nothing to check.
 */
export function checkHint(coll: EngineCollection | undefined, hint: unknown): void {
  if (hint === undefined || hint === null || !coll) return;
  const defs = [{ name: '_id_', keys: { _id: 1 } as Document }, ...coll.indexDefinitions()];
  const sameKeys = (a: Document, b: Document) =>
    JSON.stringify(Object.entries(a).map(([k, v]) => [k, Number(v)])) ===
    JSON.stringify(Object.entries(b).map(([k, v]) => [k, Number(v)]));
  const found =
    typeof hint === 'string'
      ? defs.some((d) => d.name === hint)
      : typeof hint === 'object' &&
        (Object.keys(hint).length === 0 ||
          '$natural' in hint ||
          defs.some((d) => sameKeys(d.keys, hint as Document)));
  if (!found) throw badValue('hint provided does not correspond to an existing index');
}
