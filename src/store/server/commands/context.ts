import type { Document } from 'mongodb';
import type { CursorRegistry } from '../cursors.js';
import { invalidNamespace } from '../errors.js';
import type { Database } from '../database.js';
import type { JournalOp } from '../journal.js';
import type { Replica } from '../replica/replica.js';

/** What a command handler sees: its database and the server's shared parts. */
export interface CommandContext {
  /** The database the command names (`$db`), created on first use as in MongoDB. */
  db: Database;
  cursors: CursorRegistry;
  connectionId: number;
  /** All databases by name (listDatabases, dropDatabase). */
  databases: Map<string, Database>;
  /**
   * Runs synchronous engine work on `db` and resolves once its effects are journaled (at once
   * without a data directory). A journal failure undoes them and rejects.
   */
  write<R>(fn: () => R, extraOps?: JournalOp[], undoExtra?: () => void): Promise<R>;
  /** The read replica that long pipelines run on, while it is running. */
  replica?: { run: Replica; minDocs: number };
  /** Server facts for hello/serverStatus. */
  server: { startedAt: Date; connections: () => number; host: string; checkpoint: () => Promise<void> };
}

/** A reply: a document (`ok: 1` is added) or a reply already serialized (cursor batches). */
export type CommandReply = Document | Uint8Array;

export type CommandHandler = (command: Document, ctx: CommandContext) => CommandReply | Promise<CommandReply>;

/** The collection a command names by its first field (`{ find: "markets", … }`). */
export function collectionName(command: Document): string {
  const [name] = Object.keys(command);
  const value = command[name!];
  if (typeof value !== 'string' || value.length === 0)
    throw invalidNamespace(`${name} needs a collection name`);
  return value;
}
