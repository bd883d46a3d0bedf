import { Long, type Document } from 'mongodb';
import { applyWriteStage, splitWriteStage } from '../../engine/collection.js';
import { getPath, indexKeyOf } from '../../engine/values.js';
import { decode } from '../bson-codec.js';
import { badValue, CommandError } from '../errors.js';
import { checkHint, notImplemented } from './options.js';
import { ReplicaUnavailable, type PackedDocs } from '../replica/replica.js';
import { collectionName, type CommandContext, type CommandHandler } from './context.js';

const NO_DOCS: Document[] = [];

const asNumber = (value: unknown): number | undefined =>
  value === undefined || value === null ? undefined : Number(value);

const find: CommandHandler = (command, ctx) => {
  const name = collectionName(command);
  const ns = `${ctx.db.name}.${name}`;
  const limit = asNumber(command.limit) ?? 0;
  const coll = ctx.db.existing(name);
  checkHint(coll, command.hint);
  const docs = coll
    ? coll.querySync(command.filter ?? {}, {
        sort: command.sort,
        projection: command.projection,
        skip: asNumber(command.skip),
        limit: limit === 0 ? undefined : Math.abs(limit),
      })
    : NO_DOCS;
  return ctx.cursors.first(
    ns,
    docs,
    asNumber(command.batchSize),
    command.singleBatch === true || limit < 0,
    command.noCursorTimeout === true,
  );
};

const getMore: CommandHandler = (command, ctx) => {
  const id = command.getMore instanceof Long ? command.getMore.toBigInt() : BigInt(command.getMore);
  return ctx.cursors.more(id, `${ctx.db.name}.${command.collection}`, asNumber(command.batchSize));
};

const killCursors: CommandHandler = (command, ctx) => {
  const ids = (command.cursors as unknown[]).map((id) =>
    id instanceof Long ? id.toBigInt() : BigInt(id as number),
  );
  const { killed, notFound } = ctx.cursors.kill(ids);
  const longs = (list: bigint[]) => list.map((id) => Long.fromBigInt(id));
  return {
    cursorsKilled: longs(killed),
    cursorsNotFound: longs(notFound),
    cursorsAlive: [],
    cursorsUnknown: [],
  };
};

const aggregate: CommandHandler = async (command, ctx) => {
  // A standalone has no oplog to follow: MongoDB refuses change streams there, before anything else.
  const first: unknown = Array.isArray(command.pipeline) ? command.pipeline[0] : undefined;
  if (first !== null && typeof first === 'object' && '$changeStream' in first)
    throw new CommandError(
      40573,
      'Location40573',
      'The $changeStream stage is only supported on replica sets',
    );
  if (typeof command.aggregate !== 'string')
    throw badValue('aggregate: only collection pipelines are supported (not `aggregate: 1`)');
  if (!Array.isArray(command.pipeline)) throw badValue("'pipeline' must be an array");
  const name = command.aggregate;
  const ns = `${ctx.db.name}.${name}`;
  const pipeline = command.pipeline as Document[];
  checkHint(ctx.db.existing(name), command.hint);
  const coll = ctx.db.existing(name) ?? ctx.db.scratch(name);
  const { stages, writes } = splitWriteStage(pipeline);
  if (writes) checkWriteStage(writes, ctx.db.name);
  const replica = ctx.replica && coll.size >= ctx.replica.minDocs ? ctx.replica.run : undefined;
  if (!replica) {
    // Pipelines ending in $merge/$out write: journaled like any other write.
    const docs = writes ? await ctx.write(() => coll.aggregateSync(pipeline)) : coll.aggregateSync(pipeline);
    return ctx.cursors.first(ns, docs, asNumber(command.cursor?.batchSize));
  }
  let output: PackedDocs;
  try {
    output = await replica.aggregate(ctx.db.name, name, stages);
  } catch (err) {
    if (!(err instanceof ReplicaUnavailable)) throw err;
    return aggregate(command, { ...ctx, replica: undefined });
  }
  if (!writes) return ctx.cursors.first(ns, output.slice(), asNumber(command.cursor?.batchSize));
  await applyInSlices(ctx, writes, output);
  return ctx.cursors.first(ns, NO_DOCS);
};

/**
 * A final `$out`/`$merge` the engine cannot honour, refused before anything runs: a target in
 * another database (the engine writes within the command's own), or `$merge`'s `let`.
 */
function checkWriteStage(stage: Document, db: string): void {
  const spec: unknown = '$out' in stage ? stage.$out : stage.$merge;
  const target: unknown = spec !== null && typeof spec === 'object' && 'into' in spec ? spec.into : spec;
  const named: unknown = target !== null && typeof target === 'object' ? (target as Document).db : undefined;
  if (named !== undefined && named !== db)
    throw notImplemented(`writing to database '${String(named)}' from a pipeline on '${db}'`);
  if ('$merge' in stage && spec !== null && typeof spec === 'object' && 'let' in spec)
    throw notImplemented("'$merge.let'");
}

/**
 * Documents of a replica's $merge output per journaled write: each slice holds the server's event
 * loop for a few milliseconds (about 50 µs a document), so other clients' commands run in between.
 */
const MERGE_SLICE = 200;

/**
 * A $merge computed on the replica, applied here a slice at a time (MongoDB's $merge is not atomic
 * either: readers may see part of it). Slices do not wait for each other's fsync (group commit
 * takes them together); after a failed one no further slice is applied. `$out` replaces the whole
 * collection and stays one write.
 */
async function applyInSlices(ctx: CommandContext, stage: Document, output: PackedDocs): Promise<void> {
  const decodeAll = (docs: Uint8Array[]) => docs.map(decode);
  if ('$out' in stage) {
    await ctx.write(() => applyWriteStage(ctx.db, stage, decodeAll(output.slice())));
    return;
  }
  const pending: Promise<unknown>[] = [];
  let failed: { err: unknown } | undefined;
  // Once even for an empty output: the target is created, as MongoDB does.
  for (let i = 0; (i < output.length || i === 0) && !failed; i += MERGE_SLICE) {
    const slice = decodeAll(output.slice(i, i + MERGE_SLICE));
    pending.push(ctx.write(() => applyWriteStage(ctx.db, stage, slice)).catch((err) => (failed ??= { err })));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await Promise.all(pending);
  if (failed) throw failed.err;
}

const count: CommandHandler = (command, ctx) => {
  const coll = ctx.db.existing(collectionName(command));
  checkHint(coll, command.hint);
  if (!coll) return { n: 0 };
  const skip = asNumber(command.skip) ?? 0;
  const limit = asNumber(command.limit) ?? 0;
  const query = command.query ?? {};
  let n = Object.keys(query).length === 0 ? coll.size : coll.querySync(query).length;
  n = Math.max(0, n - skip);
  return { n: limit ? Math.min(n, Math.abs(limit)) : n };
};

const distinct: CommandHandler = (command, ctx) => {
  const coll = ctx.db.existing(collectionName(command));
  if (typeof command.key !== 'string') throw badValue("'key' must be a string");
  checkHint(coll, command.hint);
  const seen = new Map<string, unknown>();
  for (const doc of coll?.querySync(command.query ?? {}) ?? []) {
    const value = getPath(doc, command.key);
    // As in MongoDB, an array contributes its elements.
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v === undefined) continue;
      const key = indexKeyOf(v) ?? JSON.stringify(v);
      if (!seen.has(key)) seen.set(key, v);
    }
  }
  return { values: [...seen.values()] };
};

export const readCommands: Record<string, CommandHandler> = {
  find,
  getMore,
  killCursors,
  aggregate,
  count,
  distinct,
};
