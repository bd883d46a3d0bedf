import { existsSync } from 'node:fs';
import { link, mkdir, open, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BSON, type Document } from 'mongodb';
import { decode } from './bson-codec.js';
import type { IndexDef } from '../engine/types.js';

/**
 * Checkpoints of `sibyl store`: every collection's documents as concatenated BSON plus a manifest
 * (sequence number, index definitions), in a directory of its own, made current by renaming one
 * small file. A crash at any point leaves the previous checkpoint current and the journal after it
 * intact, so replay starts from a consistent state. Unchanged collections are hard-linked from the
 * previous checkpoint instead of rewritten.
 */

export interface CollectionSnapshot {
  /** The documents at the checkpoint's instant (stored documents are immutable: no copy needed). */
  docs: readonly Document[];
  indexes: IndexDef[];
  /** Written since the previous checkpoint. */
  dirty: boolean;
}

export interface Snapshot {
  lsn: number;
  databases: Map<string, Map<string, CollectionSnapshot>>;
}

interface Manifest {
  lsn: number;
  databases: Record<string, Record<string, { file: string; indexes: IndexDef[]; count: number }>>;
}

export interface LoadedCheckpoint {
  lsn: number;
  databases: Map<string, Map<string, { docs: Iterable<Document>; indexes: IndexDef[] }>>;
}

const CURRENT = 'CURRENT';
/** Documents serialized between yields to the event loop while writing. */
const CHUNK = 2_000;

const fileName = (db: string, collection: string) =>
  `${encodeURIComponent(db)}.${encodeURIComponent(collection)}.bson`;

export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const current = await readCurrent(dir);
  if (!current) return { lsn: 0, databases: new Map() };
  const base = join(dir, current);
  const manifest = JSON.parse(await readFile(join(base, 'manifest.json'), 'utf8')) as Manifest;
  const databases: LoadedCheckpoint['databases'] = new Map();
  for (const [db, collections] of Object.entries(manifest.databases)) {
    const loaded = new Map<string, { docs: Iterable<Document>; indexes: IndexDef[] }>();
    for (const [name, entry] of Object.entries(collections)) {
      loaded.set(name, {
        docs: readDocuments(await readFile(join(base, entry.file)), entry.file),
        indexes: entry.indexes,
      });
    }
    databases.set(db, loaded);
  }
  return { lsn: manifest.lsn, databases };
}

/** Writes `snapshot` as the new current checkpoint; yields to the event loop as it goes. */
export async function writeCheckpoint(dir: string, snapshot: Snapshot): Promise<void> {
  const previous = await readCurrent(dir);
  const name = `checkpoint-${String(snapshot.lsn).padStart(15, '0')}`;
  if (name === previous) return;
  const base = join(dir, name);
  await rm(base, { recursive: true, force: true });
  await mkdir(base, { recursive: true });
  const manifest: Manifest = { lsn: snapshot.lsn, databases: {} };
  for (const [db, collections] of snapshot.databases) {
    manifest.databases[db] = {};
    for (const [collection, snap] of collections) {
      const file = fileName(db, collection);
      const prior = previous ? join(dir, previous, file) : undefined;
      if (!snap.dirty && prior && existsSync(prior)) await link(prior, join(base, file));
      else await writeDocuments(join(base, file), snap.docs);
      manifest.databases[db][collection] = { file, indexes: snap.indexes, count: snap.docs.length };
    }
  }
  await writeSynced(join(base, 'manifest.json'), JSON.stringify(manifest));
  await syncDir(base);
  await writeSynced(join(dir, `${CURRENT}.tmp`), name);
  await rename(join(dir, `${CURRENT}.tmp`), join(dir, CURRENT));
  await syncDir(dir);
  for (const entry of await readdir(dir))
    if (entry.startsWith('checkpoint-') && entry !== name)
      await rm(join(dir, entry), { recursive: true, force: true });
}

async function readCurrent(dir: string): Promise<string | undefined> {
  try {
    return (await readFile(join(dir, CURRENT), 'utf8')).trim() || undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function writeDocuments(path: string, docs: readonly Document[]): Promise<void> {
  const file = await open(path, 'w');
  try {
    for (let i = 0; i < docs.length; i += CHUNK) {
      const parts = docs.slice(i, i + CHUNK).map((doc) => BSON.serialize(doc));
      await file.write(Buffer.concat(parts));
      // Other clients' commands run between chunks.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await file.sync();
  } finally {
    await file.close();
  }
}

function* readDocuments(buf: Buffer, file: string): Generator<Document> {
  let offset = 0;
  while (offset < buf.length) {
    const size = buf.readInt32LE(offset);
    if (size < 5 || offset + size > buf.length)
      throw new Error(`${file}: truncated or corrupt at byte ${offset}`);
    yield decode(buf.subarray(offset, offset + size));
    offset += size;
  }
}

async function writeSynced(path: string, text: string): Promise<void> {
  await writeFile(path, text);
  const file = await open(path, 'r+');
  await file.sync();
  await file.close();
}

async function syncDir(path: string): Promise<void> {
  const handle = await open(path, 'r');
  await handle.sync().catch(() => undefined);
  await handle.close();
}

/**
 * The single-process embedded store of earlier versions kept `<collection>.bson` files directly in
 * the data directory: read them as database `db` once, so an upgrade keeps its data.
 */
export async function loadLegacyFiles(
  dir: string,
  db: string,
): Promise<Map<string, Map<string, { docs: Iterable<Document>; indexes: IndexDef[] }>> | undefined> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.bson') && !f.startsWith('journal-'));
  if (files.length === 0) return undefined;
  const collections = new Map<string, { docs: Iterable<Document>; indexes: IndexDef[] }>();
  for (const file of files)
    collections.set(file.slice(0, -'.bson'.length), {
      docs: readDocuments(await readFile(join(dir, file)), file),
      indexes: [],
    });
  return new Map([[db, collections]]);
}

/** Removes the legacy files once a checkpoint holds their data. */
export async function removeLegacyFiles(dir: string): Promise<void> {
  for (const file of await readdir(dir))
    if (file.endsWith('.bson') && !file.startsWith('journal-')) await rm(join(dir, file), { force: true });
}
