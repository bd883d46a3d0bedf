import { Query } from 'mingo';
import type { Document } from 'mongodb';
import { indexName, type IndexDef } from '../../engine/types.js';
import { Database } from '../database.js';
import { CommandError, badValue } from '../errors.js';
import { collectionName, type CommandHandler } from './context.js';

const namespaceNotFound = (ns: string) =>
  new CommandError(26, 'NamespaceNotFound', `ns does not exist: ${ns}`);

const createIndexes: CommandHandler = async (command, ctx) => {
  const name = collectionName(command);
  const specs = command.indexes as Document[] | undefined;
  if (!Array.isArray(specs) || specs.length === 0) throw badValue("'indexes' must be a non-empty array");
  const created = !ctx.db.existing(name);
  const coll = ctx.db.collection(name);
  const before = coll.indexDefinitions().length + 1;
  const defs: IndexDef[] = specs.map((spec) => {
    if (!spec.key || typeof spec.key !== 'object') throw badValue("an index needs a 'key' document");
    return { keys: spec.key, unique: spec.unique === true, name: spec.name };
  });
  const fresh = defs.filter((def) => !coll.hasIndex(def));
  await ctx.write(
    () => {
      for (const def of fresh) coll.createIndex(def);
    },
    [
      ...(created ? [{ c: name, create: true as const }] : []),
      ...fresh.map((def) => ({ c: name, index: def })),
    ],
    () => {
      for (const def of fresh) coll.dropIndex(indexName(def));
      if (created) ctx.db.drop(name);
    },
  );
  return {
    createdCollectionAutomatically: created,
    numIndexesBefore: before,
    numIndexesAfter: before + fresh.length,
  };
};

const listIndexes: CommandHandler = (command, ctx) => {
  const name = collectionName(command);
  const coll = ctx.db.existing(name);
  if (!coll) throw namespaceNotFound(`${ctx.db.name}.${name}`);
  const indexes = [
    { v: 2, key: { _id: 1 }, name: '_id_' },
    ...coll
      .indexDefinitions()
      .map((def) => ({ v: 2, key: def.keys, name: def.name, ...(def.unique ? { unique: true } : {}) })),
  ];
  return ctx.cursors.first(`${ctx.db.name}.${name}`, indexes, command.cursor?.batchSize);
};

const dropIndexes: CommandHandler = async (command, ctx) => {
  const name = collectionName(command);
  const coll = ctx.db.existing(name);
  if (!coll) throw namespaceNotFound(`${ctx.db.name}.${name}`);
  const defs = coll.indexDefinitions();
  const wanted = command.index;
  const names =
    wanted === '*'
      ? defs.map((d) => d.name!)
      : Array.isArray(wanted)
        ? (wanted as string[])
        : typeof wanted === 'string'
          ? [wanted]
          : defs.filter((d) => JSON.stringify(d.keys) === JSON.stringify(wanted)).map((d) => d.name!);
  if (names.includes('_id_')) throw new CommandError(72, 'InvalidOptions', 'cannot drop _id index');
  const dropped = defs.filter((d) => names.includes(d.name!));
  if (dropped.length < names.length && wanted !== '*')
    throw new CommandError(27, 'IndexNotFound', `index not found with name [${names.join(', ')}]`);
  await ctx.write(
    () => {
      for (const def of dropped) coll.dropIndex(def.name!);
    },
    dropped.map((def) => ({ c: name, dropIndex: def.name! })),
    () => {
      for (const def of dropped) coll.createIndex(def);
    },
  );
  return { nIndexesWas: defs.length + 1 };
};

const listCollections: CommandHandler = (command, ctx) => {
  const infos = ctx.db.names().map((name) => ({
    name,
    type: 'collection',
    options: {},
    info: { readOnly: false },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
  }));
  const matching = command.filter ? new Query(command.filter as Document).find<Document>(infos).all() : infos;
  const docs = command.nameOnly ? matching.map((c) => ({ name: c.name, type: c.type })) : matching;
  return ctx.cursors.first(`${ctx.db.name}.$cmd.listCollections`, docs, command.cursor?.batchSize);
};

const create: CommandHandler = async (command, ctx) => {
  const name = collectionName(command);
  if (ctx.db.existing(name))
    throw new CommandError(48, 'NamespaceExists', `Collection ${ctx.db.name}.${name} already exists.`);
  await ctx.write(
    () => ctx.db.collection(name),
    [{ c: name, create: true }],
    () => ctx.db.drop(name),
  );
  return {};
};

const drop: CommandHandler = async (command, ctx) => {
  const name = collectionName(command);
  const coll = ctx.db.existing(name);
  // MongoDB 7 answers ok for a collection that does not exist.
  if (!coll) return { ns: `${ctx.db.name}.${name}` };
  const indexes = coll.indexDefinitions().length + 1;
  await ctx.write(
    () => ctx.db.drop(name),
    [{ c: name, drop: true }],
    () => ctx.db.restore(coll),
  );
  return { ns: `${ctx.db.name}.${name}`, nIndexesWas: indexes };
};

const dropDatabase: CommandHandler = async (_command, ctx) => {
  const db = ctx.db;
  await ctx.write(
    () => ctx.databases.delete(db.name),
    [{ dropDatabase: true }],
    () => ctx.databases.set(db.name, db),
  );
  return { dropped: db.name };
};

const listDatabases: CommandHandler = (command, ctx) => {
  // A database exists once it holds a collection (a command naming it does not create it).
  const databases = [...ctx.databases.values()]
    .filter((db) => db.names().length > 0)
    .map((db: Database) => ({
      name: db.name,
      sizeOnDisk: 0,
      empty: db.names().every((name) => (db.existing(name)?.size ?? 0) === 0),
    }));
  return command.nameOnly
    ? { databases: databases.map((d) => ({ name: d.name })) }
    : { databases, totalSize: 0 };
};

const dbStats: CommandHandler = (_command, ctx) => {
  const names = ctx.db.names();
  return {
    db: ctx.db.name,
    collections: names.length,
    objects: names.reduce((n, name) => n + (ctx.db.existing(name)?.size ?? 0), 0),
  };
};

/** MongoDB's fsync: here, write a checkpoint now (and compact the journal). */
const fsync: CommandHandler = async (_command, ctx) => {
  await ctx.server.checkpoint();
  return { numFiles: 1 };
};

export const adminCommands: Record<string, CommandHandler> = {
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
  listCollections,
  create,
  drop,
  dropDatabase,
  listDatabases,
  dbStats,
  fsync,
};
