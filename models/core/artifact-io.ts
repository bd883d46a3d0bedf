import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * The file formats every kind's artifact shares: vocabularies as JSON lines of ids, learned tables
 * as raw little-endian Float32 files. The registry writes its own manifest last, which is what
 * makes a directory a complete artifact (models/registry/artifacts.ts).
 */

/**
 * Ids per line of a vocabulary file. The API loads a promoted model while serving; parsed a line
 * at a time with a turn of the event loop between, a million users' ids hold requests up for a few
 * milliseconds at a time instead of ~0.1 s at once.
 */
const IDS_PER_LINE = 50_000;

export function idLines(ids: readonly string[]): string {
  const lines: string[] = [];
  for (let start = 0; start < ids.length; start += IDS_PER_LINE)
    lines.push(JSON.stringify(ids.slice(start, start + IDS_PER_LINE)));
  return lines.join('\n');
}

export async function parseIdLines(text: string): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < text.length;) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    for (const id of JSON.parse(text.slice(start, end)) as string[]) ids.push(id);
    start = end + 1;
    await nextTurn();
  }
  return ids;
}

export async function writeIds(dir: string, file: string, ids: readonly string[]): Promise<void> {
  await writeFile(path.join(dir, file), idLines(ids));
}

export async function readIds(dir: string, file: string): Promise<string[]> {
  return parseIdLines(await readFile(path.join(dir, file), 'utf8'));
}

/** The bytes of a Float32Array (no copy). */
export const bytes = (a: Float32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * A raw Float32 file of exactly `expected` values (an Error naming the file otherwise). A view when
 * the bytes are aligned (large files get a buffer of their own): a 1M-row table is hundreds of MB,
 * and a copy would hold a model swap up and double its memory for a moment.
 */
export async function readFloat32(dir: string, file: string, expected: number): Promise<Float32Array> {
  const buf = await readFile(path.join(dir, file));
  if (buf.byteLength !== expected * 4)
    throw new Error(`${file}: ${buf.byteLength} bytes, expected ${expected * 4}`);
  return buf.byteOffset % 4 === 0
    ? new Float32Array(buf.buffer, buf.byteOffset, expected)
    : new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/** A kind's small JSON file (format and hyperparameters), checked for the format this code reads. */
export async function readModelFile<T extends { format: number }>(
  dir: string,
  file: string,
  format: T['format'],
  what: string,
): Promise<T> {
  const model = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as T;
  if (model.format !== format) throw new Error(`unsupported ${what} artifact format ${String(model.format)}`);
  return model;
}
