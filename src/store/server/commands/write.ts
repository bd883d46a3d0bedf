import type { Document } from 'mongodb';
import { DuplicateKeyError } from '../../engine/types.js';
import type { EngineCollection } from '../../engine/collection.js';
import { badValue } from '../errors.js';
import { collectionName, type CommandHandler } from './context.js';
import { checkHint } from './options.js';

/** One item's failure inside a write command, in MongoDB's `writeErrors` shape. */
function writeError(index: number, err: unknown): Document {
  if (err instanceof DuplicateKeyError) {
    const keyValue = (err.key ?? {}) as Document;
    return {
      index,
      code: 11000,
      errmsg: err.message,
      keyPattern: Object.fromEntries(Object.keys(keyValue).map((k) => [k, 1])),
      keyValue,
    };
  }
  const code = (err as { code?: unknown }).code;
  return { index, code: typeof code === 'number' ? code : 2, errmsg: (err as Error).message ?? String(err) };
}

/**
 * Applies `items` in order; ordered commands stop at the first failure, unordered ones go on.
 * The successful items are journaled together before the reply.
 */
async function eachItem<I>(
  command: Document,
  ctx: Parameters<CommandHandler>[1],
  field: string,
  apply: (coll: EngineCollection, item: I, index: number) => void,
): Promise<Document[]> {
  const items = command[field];
  if (!Array.isArray(items)) throw badValue(`'${field}' must be an array`);
  const coll = ctx.db.collection(collectionName(command));
  const ordered = command.ordered !== false;
  return ctx.write(() => {
    const errors: Document[] = [];
    for (let i = 0; i < items.length; i++) {
      try {
        apply(coll, items[i] as I, i);
      } catch (err) {
        errors.push(writeError(i, err));
        if (ordered) break;
      }
    }
    return errors;
  });
}

const withErrors = (reply: Document, errors: Document[]) =>
  errors.length ? { ...reply, writeErrors: errors } : reply;

const insert: CommandHandler = async (command, ctx) => {
  let n = 0;
  const errors = await eachItem<Document>(command, ctx, 'documents', (coll, doc) => {
    if (Array.isArray(doc._id)) throw badValue("can't use an array for _id");
    coll.insertSync(doc);
    n++;
  });
  return withErrors({ n }, errors);
};

interface UpdateItem {
  q: Document;
  u: Document | Document[];
  upsert?: boolean;
  multi?: boolean;
  hint?: unknown;
}

const update: CommandHandler = async (command, ctx) => {
  let n = 0;
  let nModified = 0;
  const upserted: Document[] = [];
  const errors = await eachItem<UpdateItem>(command, ctx, 'updates', (coll, item, index) => {
    checkHint(coll, item.hint);
    const result = coll.updateSync(item.q ?? {}, item.u, item.upsert === true, item.multi === true);
    n += result.matchedCount;
    nModified += result.modifiedCount;
    if (result.upsertedId !== undefined) {
      n++;
      upserted.push({ index, _id: result.upsertedId });
    }
  });
  return withErrors({ n, nModified, ...(upserted.length ? { upserted } : {}) }, errors);
};

const del: CommandHandler = async (command, ctx) => {
  let n = 0;
  const errors = await eachItem<{ q: Document; limit: number; hint?: unknown }>(
    command,
    ctx,
    'deletes',
    (coll, item) => {
      checkHint(coll, item.hint);
      n += coll.deleteSync(item.q ?? {}, Number(item.limit) !== 1);
    },
  );
  return withErrors({ n }, errors);
};

const findAndModify: CommandHandler = async (command, ctx) => {
  checkHint(ctx.db.existing(collectionName(command)), command.hint);
  const coll = ctx.db.collection(collectionName(command));
  const query = (command.query ?? {}) as Document;
  if (!command.remove && command.update === undefined)
    throw badValue('Either an update or remove=true must be specified');
  return ctx.write(() => {
    const [current] = coll.querySync(query, { sort: command.sort, limit: 1 });
    const project = (doc: Document | undefined) =>
      doc && command.fields ? coll.project(doc, command.fields) : doc;
    if (command.remove) {
      if (current) coll.deleteSync({ _id: current._id }, false);
      return { lastErrorObject: { n: current ? 1 : 0 }, value: current ?? null };
    }
    const target = current ? { _id: current._id } : query;
    const result = coll.updateSync(target, command.update, command.upsert === true && !current, false);
    const id = current?._id ?? result.upsertedId;
    const after = id === undefined ? undefined : coll.querySync({ _id: id }, { limit: 1 })[0];
    const value = command.new ? project(after) : current ? project(current) : undefined;
    return {
      lastErrorObject: {
        n: current || result.upsertedId !== undefined ? 1 : 0,
        updatedExisting: Boolean(current),
        ...(result.upsertedId !== undefined ? { upserted: result.upsertedId } : {}),
      },
      value: value ?? null,
    };
  });
};

export const writeCommands: Record<string, CommandHandler> = {
  insert,
  update,
  delete: del,
  findAndModify,
  findandmodify: findAndModify,
};
