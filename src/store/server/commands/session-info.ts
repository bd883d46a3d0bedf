import type { Document } from 'mongodb';
import { CommandError } from '../errors.js';
import type { CommandHandler } from './context.js';

/**
 * Transactions, answered as a MongoDB standalone answers them. `sibyl store` presents itself as a
 * standalone (hello names no replica set), where MongoDB has no transactions: every command that
 * carries a transaction number fails before it runs, so nothing of a transaction is ever applied.
 * These are the checks of MongoDB's initializeOperationSessionInfo, in its order and with its codes
 * and messages; a standalone fails all of them the same way whatever the command would have done.
 *
 * The driver does not send a transaction number for ordinary retryable writes to a standalone (it
 * retries writes only on replica sets and mongos), so sessions themselves (`lsid`) are accepted.
 */

/** Commands MongoDB runs without authentication, which refuse session transaction fields outright. */
const WITHOUT_AUTH = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'buildInfo', 'buildinfo']);

const invalidOptions = (message: string) => new CommandError(72, 'InvalidOptions', message);

/** Throws MongoDB's error for a command `name` that carries transaction fields; a no-op otherwise. */
export function checkSessionInfo(name: string, command: Document): void {
  const txnNumber = command.txnNumber !== undefined;
  const autocommit = command.autocommit !== undefined;
  const startTransaction = command.startTransaction !== undefined;
  if (!txnNumber && !autocommit && !startTransaction) return;
  if (WITHOUT_AUTH.has(name)) {
    if (autocommit)
      throw new CommandError(
        263,
        'OperationNotSupportedInTransaction',
        'This command is not supported in transactions',
      );
    if (txnNumber)
      throw new CommandError(50889, 'Location50889', 'It is illegal to provide a txnNumber for this command');
  }
  if (txnNumber && command.lsid === undefined)
    throw invalidOptions('Transaction number requires a session ID to also be specified');
  if (txnNumber)
    throw new CommandError(
      20,
      'IllegalOperation',
      'Transaction numbers are only allowed on a replica set member or mongos',
    );
  if (autocommit)
    throw invalidOptions("'autocommit' field requires a transaction number to also be specified");
  throw invalidOptions("'startTransaction' field requires 'autocommit' field to also be specified");
}

/**
 * commitTransaction and abortTransaction exist on a standalone too: run against admin without a
 * transaction number (with one, checkSessionInfo has refused them already), they find no transaction.
 */
const endTransaction =
  (name: string): CommandHandler =>
  (_command, ctx) => {
    if (ctx.db.name !== 'admin')
      throw new CommandError(13, 'Unauthorized', `${name} may only be run against the admin database.`);
    throw new CommandError(125, 'CommandFailed', `${name} must be run within a transaction`);
  };

export const transactionCommands: Record<string, CommandHandler> = {
  commitTransaction: endTransaction('commitTransaction'),
  abortTransaction: endTransaction('abortTransaction'),
};
