import type { CommandHandler } from './context.js';
import { MAX_BSON_BYTES, MAX_MESSAGE_BYTES } from '../wire.js';

/** The version this server presents itself as: the command set follows MongoDB 7.0's. */
export const VERSION = '7.0.0';
const WIRE_VERSION = 21;

const hello: CommandHandler = (command, ctx) => ({
  // Legacy isMaster answers `ismaster`; hello answers `isWritablePrimary`.
  ...(command.hello ? { isWritablePrimary: true } : { ismaster: true }),
  helloOk: true,
  maxBsonObjectSize: MAX_BSON_BYTES,
  maxMessageSizeBytes: MAX_MESSAGE_BYTES,
  maxWriteBatchSize: 100_000,
  localTime: new Date(),
  // Sessions are supported, as on a MongoDB standalone; with no setName or msg: 'isdbgrid' the driver
  // sees a standalone, so it never attaches a txnNumber to retryable writes (and transactions are
  // refused by session-info.ts).
  logicalSessionTimeoutMinutes: 30,
  connectionId: ctx.connectionId,
  minWireVersion: 0,
  maxWireVersion: WIRE_VERSION,
  readOnly: false,
});

const buildInfo: CommandHandler = () => ({
  version: VERSION,
  versionArray: [7, 0, 0, 0],
  gitVersion: 'sibyl-store',
  modules: [],
  sysInfo: 'sibyl store: MongoDB-wire-compatible embedded server',
  bits: 64,
  maxBsonObjectSize: MAX_BSON_BYTES,
  storageEngines: ['sibyl'],
});

const ok: CommandHandler = () => ({});

export const handshakeCommands: Record<string, CommandHandler> = {
  hello,
  isMaster: hello,
  ismaster: hello,
  ping: ok,
  buildInfo,
  buildinfo: buildInfo,
  endSessions: ok,
  killAllSessions: ok,
  refreshSessions: ok,
  whatsmyuri: () => ({ you: 'local' }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] } }),
  getParameter: (command) =>
    command.featureCompatibilityVersion ? { featureCompatibilityVersion: { version: '7.0' } } : {},
  getLog: () => ({ totalLinesWritten: 0, log: [] }),
  getCmdLineOpts: () => ({ argv: process.argv, parsed: {} }),
  serverStatus: (_command, ctx) => ({
    host: ctx.server.host,
    version: VERSION,
    process: 'sibyl store',
    pid: process.pid,
    uptime: (Date.now() - ctx.server.startedAt.getTime()) / 1000,
    localTime: new Date(),
    connections: { current: ctx.server.connections() },
  }),
};
