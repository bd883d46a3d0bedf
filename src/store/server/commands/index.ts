import { adminCommands } from './admin.js';
import type { CommandHandler } from './context.js';
import { handshakeCommands } from './handshake.js';
import { readCommands } from './read.js';
import { transactionCommands } from './session-info.js';
import { writeCommands } from './write.js';

/** Every command `sibyl store` serves, by name; anything else answers CommandNotFound. */
export const COMMANDS: Record<string, CommandHandler> = {
  ...handshakeCommands,
  ...readCommands,
  ...writeCommands,
  ...adminCommands,
  ...transactionCommands,
};

export type { CommandContext, CommandHandler, CommandReply } from './context.js';
export { checkSessionInfo } from './session-info.js';
export { checkOptions } from './options.js';
