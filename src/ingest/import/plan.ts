import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ImportFileError } from './import-error.js';
import { resolveSource, type ImportSource } from './import-source.js';
import { inDependencyOrder, type RecordType } from './record-types.js';

/**
 * The files to import, resolved before anything is written (so that a typo in the last name does
 * not leave the first files half-imported) and put in dependency order.
 */
export async function planImport(paths: string[], recordType?: RecordType): Promise<ImportSource[]> {
  const sources: ImportSource[] = [];
  for (const path of paths) sources.push(await resolveSource(path, recordType));
  return inDependencyOrder(sources);
}

/**
 * Every file of `dir` whose record type can be told (`series.jsonl` … `interactions.csv`, as
 * `sibyl simulate --out` writes them), in dependency order; the others are listed as skipped.
 */
export async function planDirectory(dir: string): Promise<{ sources: ImportSource[]; skipped: string[] }> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    throw new ImportFileError(dir, err.code === 'ENOENT' ? 'no such directory' : err.message);
  });
  const sources: ImportSource[] = [];
  const skipped: string[] = [];
  for (const entry of entries.filter((e) => e.isFile()).sort((a, b) => a.name.localeCompare(b.name))) {
    try {
      sources.push(await resolveSource(join(dir, entry.name)));
    } catch (err) {
      if (!(err instanceof ImportFileError)) throw err;
      skipped.push(join(dir, entry.name));
    }
  }
  return { sources: inDependencyOrder(sources), skipped };
}
