import { mkdir } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { BSON, type Document } from 'mongodb';
import type { Logger } from 'pino';
import { CONFIG_DEFAULTS } from '../../config/env.js';
import { silentLogger } from '../../log/logger.js';
import { DuplicateKeyError } from '../engine/types.js';
import {
  loadCheckpoint,
  loadLegacyFiles,
  removeLegacyFiles,
  writeCheckpoint,
  type Snapshot,
} from './checkpoint.js';
import { checkOptions, checkSessionInfo, COMMANDS, type CommandContext } from './commands/index.js';
import { CursorRegistry } from './cursors.js';
import { announce, claimDataDir, release } from './data-dir.js';
import { Database } from './database.js';
import { CommandError, commandNotFound, journalFailed, maxTimeExpired } from './errors.js';
import { encodeOps, Journal, replayJournal } from './journal.js';
import { applyRedo, databaseOf, loadCollections } from './redo.js';
import { Replica } from './replica/replica.js';
import { MessageReader, OP_QUERY, opMsgReply, opReply, parseMessage } from './wire.js';

/** Commands slower than this are logged, as MongoDB's `slowms`. */
const SLOW_MS = 100;

export interface StoreServerOptions {
  /** Where data, journal and checkpoints live; omit for a server that keeps nothing on disk. */
  dir?: string;
  /** TCP port on `host`; 0 picks a free one. Ignored with `socket`. @defaultValue 27017 */
  port?: number;
  /** @defaultValue 127.0.0.1 */
  host?: string;
  /** A Unix socket path to listen on instead of TCP. */
  socket?: string;
  /** Checkpoint (and compact the journal) this often, if anything was written. @defaultValue 60000 */
  checkpointIntervalMs?: number;
  /**
   * Database that a data directory of the old single-process layout is loaded into.
   * @defaultValue CONFIG_DEFAULTS.MONGODB_DB
   */
  legacyDatabase?: string;
  /**
   * Aggregations over collections at least this large run on the replica thread, so that they do not
   * hold up other clients. @defaultValue 10000
   */
  replicaMinDocs?: number;
  logger?: Logger;
}

/**
 * `sibyl store`: a MongoDB-wire-compatible server over the in-memory engine (docs/architecture.md,
 * "Storage: MongoDB", and docs/store.md). Every Sibyl process reaches it through the official
 * driver, exactly as it would reach MongoDB. Writes are journaled and fsynced before they are
 * acknowledged; checkpoints compact the journal.
 */
export class StoreServer {
  private readonly databases = new Map<string, Database>();
  private readonly cursors = new CursorRegistry();
  private readonly sockets = new Set<Socket>();
  private readonly startedAt = new Date();
  private readonly logger: Logger;
  private journal?: Journal;
  private replica?: Replica;
  private net?: Server;
  private timer?: NodeJS.Timeout;
  private checkpointing?: Promise<void>;
  private connectionIds = 0;
  private address = '';

  private constructor(private readonly options: StoreServerOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  static async start(options: StoreServerOptions = {}): Promise<StoreServer> {
    const server = new StoreServer(options);
    if (options.dir) {
      await mkdir(options.dir, { recursive: true });
      await claimDataDir(options.dir);
    }
    try {
      await server.recover();
      await server.listen();
    } catch (err) {
      await server.replica?.close();
      if (options.dir) await release(options.dir);
      throw err;
    }
    if (options.dir) await announce(options.dir, server.uri);
    return server;
  }

  /** The connection string for the driver. */
  get uri(): string {
    return this.address;
  }

  /** Writes a checkpoint of everything acknowledged so far and drops the journal it covers. */
  checkpoint(): Promise<void> {
    this.checkpointing ??= this.writeCheckpoint().finally(() => (this.checkpointing = undefined));
    return this.checkpointing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await new Promise<void>((resolve) => {
      if (!this.net) return resolve();
      this.net.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
    this.cursors.close();
    await this.replica?.close();
    if (this.journal) {
      await this.journal.drain();
      await this.checkpoint().catch((err) =>
        this.logger.error({ err }, 'final checkpoint failed; the journal keeps the data'),
      );
      await this.journal.close();
    }
    if (this.options.dir) await release(this.options.dir);
  }

  // --- start-up ----------------------------------------------------------------------------------

  private database(name: string): Database {
    return databaseOf(this.databases, name);
  }

  private async recover(): Promise<void> {
    const dir = this.options.dir;
    if (!dir) {
      this.replica = new Replica({ throughLsn: 0 }, this.logger);
      return;
    }
    const checkpoint = await loadCheckpoint(dir);
    const legacy =
      checkpoint.lsn === 0
        ? await loadLegacyFiles(dir, this.options.legacyDatabase ?? CONFIG_DEFAULTS.MONGODB_DB)
        : undefined;
    loadCollections(this.databases, legacy ?? checkpoint.databases);
    // What was just loaded is what the checkpoint holds: only replayed writes make a collection dirty.
    if (!legacy) for (const db of this.databases.values()) db.dirty.clear();
    let lsn = checkpoint.lsn;
    let replayed = 0;
    for await (const entry of replayJournal(dir, checkpoint.lsn)) {
      applyRedo(this.databases, entry.db, entry.ops);
      lsn = entry.lsn;
      replayed++;
    }
    this.journal = new Journal(dir, lsn);
    if (legacy) {
      await this.checkpoint();
      await removeLegacyFiles(dir);
    }
    // The replica loads the same checkpoint and journal itself, then follows every later commit.
    this.replica = new Replica({ dir, throughLsn: this.journal.lastLsn }, this.logger);
    this.logger.info({ dir, checkpointLsn: checkpoint.lsn, replayed }, 'store recovered');
    const interval = this.options.checkpointIntervalMs ?? 60_000;
    if (interval > 0) {
      this.timer = setInterval(() => {
        this.checkpoint().catch((err) =>
          this.logger.error({ err }, 'checkpoint failed; the journal keeps the data'),
        );
      }, interval);
      this.timer.unref();
    }
  }

  private async listen(): Promise<void> {
    const net = createServer((socket) => this.serve(socket));
    this.net = net;
    await new Promise<void>((resolve, reject) => {
      net.once('error', reject);
      if (this.options.socket) net.listen(this.options.socket, resolve);
      else net.listen(this.options.port ?? 27017, this.options.host ?? '127.0.0.1', resolve);
    });
    if (this.options.socket) {
      this.address = `mongodb://${encodeURIComponent(this.options.socket)}/`;
    } else {
      const { address, port } = net.address() as AddressInfo;
      this.address = `mongodb://${address.includes(':') ? `[${address}]` : address}:${port}/`;
    }
  }

  // --- connections ---------------------------------------------------------------------------------

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const connectionId = ++this.connectionIds;
    const reader = new MessageReader();
    let chain = Promise.resolve();
    socket.on('data', (chunk) => {
      let messages: Buffer[];
      try {
        messages = reader.push(chunk);
      } catch (err) {
        this.logger.warn({ err, connectionId }, 'store: bad message, closing the connection');
        socket.destroy();
        return;
      }
      // One connection's commands are answered in order, as the driver expects.
      for (const message of messages) chain = chain.then(() => this.answer(socket, message, connectionId));
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  private async answer(socket: Socket, message: Buffer, connectionId: number): Promise<void> {
    let parsed;
    try {
      parsed = parseMessage(message);
    } catch (err) {
      this.logger.warn({ err, connectionId }, 'store: unreadable message, closing the connection');
      socket.destroy();
      return;
    }
    const body = await this.run(parsed.command, connectionId);
    if (parsed.moreToCome || socket.destroyed) return;
    socket.write(
      parsed.opCode === OP_QUERY ? opReply(parsed.requestId, body) : opMsgReply(parsed.requestId, body),
    );
  }

  /** Executes one command; every failure becomes MongoDB's `{ ok: 0, errmsg, code, codeName }`. */
  private async run(command: Document, connectionId: number): Promise<Uint8Array> {
    const name = Object.keys(command)[0] ?? '';
    const started = performance.now();
    try {
      const handler = COMMANDS[name];
      if (!handler) throw commandNotFound(name);
      // As MongoDB: the command is known first, then its session fields are checked (a standalone
      // refuses transactions before anything runs).
      checkSessionInfo(name, command);
      // Then its options, before anything runs: what the engine cannot honour is refused, not ignored.
      checkOptions(name, command);
      const dbName = typeof command.$db === 'string' ? command.$db : 'test';
      const limit = Number(command.maxTimeMS ?? 0);
      const deadline = limit > 0 ? started + limit : undefined;
      const ctx = this.context(dbName, connectionId, deadline);
      const reply = await handler(command, ctx);
      // The engine cannot stop a command midway: a read that took longer than maxTimeMS fails
      // afterwards, as it would have failed in MongoDB (a write is checked before it commits).
      if (deadline !== undefined && !ctx.committed() && performance.now() > deadline) throw maxTimeExpired();
      return reply instanceof Uint8Array ? reply : BSON.serialize({ ...reply, ok: 1 });
    } catch (err) {
      const known = err instanceof CommandError;
      if (!known && !(err instanceof DuplicateKeyError))
        this.logger.debug({ err, command: name }, 'store: command failed');
      const code = known ? err.code : err instanceof DuplicateKeyError ? 11000 : 2;
      const codeName = known ? err.codeName : err instanceof DuplicateKeyError ? 'DuplicateKey' : 'BadValue';
      return BSON.serialize({ ok: 0, errmsg: (err as Error).message ?? String(err), code, codeName });
    } finally {
      const ms = performance.now() - started;
      // MongoDB's slow-query log: what held the store up, and for how long.
      if (ms >= SLOW_MS)
        this.logger.info({ command: name, ns: command[name], ms: Math.round(ms) }, 'slow command');
    }
  }

  private context(
    dbName: string,
    connectionId: number,
    deadline?: number,
  ): CommandContext & { committed: () => boolean } {
    const db = this.database(dbName);
    let committed = false;
    return {
      db,
      cursors: this.cursors,
      connectionId,
      databases: this.databases,
      committed: () => committed,
      write: async (fn, extraOps, undoExtra) => {
        const captured = db.capture(fn, extraOps, undoExtra);
        if (deadline !== undefined && performance.now() > deadline) {
          // Past maxTimeMS before it commits: nothing of this write is kept, as in MongoDB.
          captured.undo();
          throw maxTimeExpired();
        }
        committed = true;
        // Encoded only for whoever takes them: the journal, the replica, or both.
        if (captured.ops.length === 0 || (!this.journal && !this.replica?.available)) return captured.result;
        const ops = encodeOps(captured.ops);
        if (this.journal) {
          try {
            await this.journal.append(db.name, ops, captured.undo);
          } catch (err) {
            throw journalFailed(err);
          }
        }
        // Only committed writes reach the replica, in commit order (an undone one never does).
        this.replica?.apply(db.name, ops);
        return captured.result;
      },
      replica: this.replica?.available
        ? { run: this.replica, minDocs: this.options.replicaMinDocs ?? 10_000 }
        : undefined,
      server: {
        startedAt: this.startedAt,
        connections: () => this.sockets.size,
        host: this.address,
        checkpoint: () => this.checkpoint(),
      },
    };
  }

  // --- checkpoints ---------------------------------------------------------------------------------

  private async writeCheckpoint(): Promise<void> {
    const dir = this.options.dir;
    if (!dir || !this.journal) return;
    // The replica reads the current checkpoint while it loads: do not replace it under its feet.
    await this.replica?.ready;
    if (![...this.databases.values()].some((db) => db.dirty.size > 0)) return;
    // Capture memory and cut the journal at one instant; the files are then written at leisure.
    const snapshot: Snapshot = { lsn: this.journal.rotate(), databases: new Map() };
    for (const db of this.databases.values()) {
      const collections = new Map();
      for (const name of db.names()) {
        const coll = db.existing(name)!;
        collections.set(name, {
          docs: coll.raw(),
          indexes: coll.indexDefinitions(),
          dirty: db.dirty.has(name),
        });
      }
      snapshot.databases.set(db.name, collections);
      db.dirty.clear();
    }
    const started = Date.now();
    const failures = this.journal.failures;
    try {
      // Entries up to the cut must be on disk before the checkpoint may replace them; if some
      // failed, memory has undone them and the captured snapshot must not be written.
      await this.journal.drain();
      if (this.journal.failures !== failures) throw new Error('journal writes failed during the checkpoint');
      await writeCheckpoint(dir, snapshot);
      await this.journal.removeThrough(snapshot.lsn);
    } catch (err) {
      // Nothing is lost (the journal still holds it); the next checkpoint rewrites everything.
      for (const [name, collections] of snapshot.databases)
        for (const coll of collections.keys()) this.databases.get(name)?.dirty.add(coll);
      throw err;
    }
    this.logger.info({ lsn: snapshot.lsn, ms: Date.now() - started }, 'store checkpoint written');
  }
}
