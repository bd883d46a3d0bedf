import type { Document } from 'mongodb';
import type { IndexDef } from '../engine/types.js';
import { Database } from './database.js';
import type { JournalOp } from './journal.js';

/**
 * Rebuilding memory from what is on disk: a checkpoint's collections, then journal entries redone
 * in order. The server does it at start-up and its read replica (replica/) does the same, so both
 * hold the same state by the same code.
 */

export type Databases = Map<string, Database>;

export function databaseOf(databases: Databases, name: string): Database {
  let db = databases.get(name);
  if (!db) {
    db = new Database(name);
    databases.set(name, db);
  }
  return db;
}

export function loadCollections(
  databases: Databases,
  loaded: Map<string, Map<string, { docs: Iterable<Document>; indexes: IndexDef[] }>>,
): void {
  for (const [dbName, collections] of loaded) {
    const db = databaseOf(databases, dbName);
    for (const [name, { docs, indexes }] of collections) {
      const coll = db.collection(name);
      coll.load(docs);
      for (const def of indexes) coll.createIndex(def);
    }
  }
}

/** Redoes one journal entry's effects. */
export function applyRedo(databases: Databases, dbName: string, ops: readonly JournalOp[]): void {
  const db = databaseOf(databases, dbName);
  for (const [i, op] of ops.entries()) {
    if ('dropDatabase' in op) {
      databases.delete(dbName);
      return applyRedo(databases, dbName, ops.slice(i + 1));
    }
    if ('put' in op) db.collection(op.c).put(op.put);
    else if ('del' in op) db.collection(op.c).removeById(op.del);
    else if ('index' in op) db.collection(op.c).createIndex(op.index as never);
    else if ('dropIndex' in op) db.collection(op.c).dropIndex(op.dropIndex);
    else if ('create' in op) db.collection(op.c);
    else if ('drop' in op) db.drop(op.c);
  }
}
