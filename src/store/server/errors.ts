/** A command failed with one of MongoDB's error codes; the connection answers `{ ok: 0, … }`. */
export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
  ) {
    super(message);
  }
}

export const badValue = (message: string) => new CommandError(2, 'BadValue', message);
export const commandNotFound = (name: string) =>
  new CommandError(59, 'CommandNotFound', `no such command: '${name}'`);
export const invalidNamespace = (message: string) => new CommandError(73, 'InvalidNamespace', message);
/** The journal could not be written: the command's effects were undone. */
export const journalFailed = (cause: unknown) =>
  new CommandError(
    8,
    'UnknownError',
    `write not durable, undone: journal write failed (${(cause as Error)?.message ?? cause})`,
  );
/** A command ran longer than its maxTimeMS. */
export const maxTimeExpired = () => new CommandError(50, 'MaxTimeMSExpired', 'operation exceeded time limit');
