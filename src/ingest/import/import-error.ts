/**
 * A file that cannot be imported as a whole (missing, of an unknown record type or format, a CSV header
 * naming unknown columns, a JSON document that does not parse). Bad rows are not this: they are
 * skipped and reported one by one.
 */
export class ImportFileError extends Error {
  override name = 'ImportFileError';
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}
