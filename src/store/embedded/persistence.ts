import { closeSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, writeSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BSON } from 'mongodb';
import type { Document } from '../types.js';

const SUFFIX = '.bson';
/** Documents serialized per write call: bounds memory while keeping syscalls few. */
const CHUNK = 2_000;

/**
 * A collection on disk is its documents as concatenated BSON (the driver's own encoding, so Dates
 * and ObjectIds survive), replaced atomically: written to a temporary file, fsynced, renamed.
 */
export function writeCollectionFile(dir: string, name: string, docs: Document[]): void {
  const path = join(dir, name + SUFFIX);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    for (let i = 0; i < docs.length; i += CHUNK) {
      const parts = docs.slice(i, i + CHUNK).map((doc) => BSON.serialize(doc));
      writeSync(fd, Buffer.concat(parts));
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function* readCollectionFile(dir: string, name: string): Generator<Document> {
  const buf = readFileSync(join(dir, name + SUFFIX));
  let offset = 0;
  while (offset < buf.length) {
    const size = buf.readInt32LE(offset);
    if (size < 5 || offset + size > buf.length) {
      throw new Error(`${name}${SUFFIX}: truncated or corrupt at byte ${offset}`);
    }
    yield BSON.deserialize(buf.subarray(offset, offset + size));
    offset += size;
  }
}

export function listCollectionFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(SUFFIX))
      .map((f) => f.slice(0, -SUFFIX.length));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * One process owns a data directory at a time: a second writer would overwrite the first one's
 * snapshot. A lock left by a dead process is taken over.
 */
export async function acquireDirLock(dir: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  const lock = join(dir, 'LOCK');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rm(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(lock, 'utf8'));
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `Embedded store at ${dir} is in use by process ${holder}; stop it first or use another SIBYL_DATA_DIR`,
        );
      }
      await rm(lock, { force: true });
    }
  }
  throw new Error(`Could not lock ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
