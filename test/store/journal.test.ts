import { mkdtemp, readdir, readFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MongoStore } from '../../src/store/mongo-store.js';
import { encodeOps, Journal, replayJournal, type JournalOp } from '../../src/store/server/journal.js';
import { StoreServer } from '../../src/store/server/store-server.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sibyl-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A document of about `bytes` bytes. */
const doc = (id: string, bytes: number) => ({ _id: id, blob: 'x'.repeat(bytes) });

/** Where each frame of a journal segment starts, and where the file ends. */
async function frameStarts(path: string): Promise<number[]> {
  const buf = await readFile(path);
  const starts: number[] = [];
  for (let offset = 0; offset < buf.length; offset += 8 + buf.readInt32LE(offset)) starts.push(offset);
  return [...starts, buf.length];
}

/** A journal holding a small write, then one write of three 1.5 MiB documents (two frames). */
async function writeJournal(): Promise<string> {
  const journal = new Journal(dir, 0);
  const put = (d: object): JournalOp => ({ c: 'm', put: d });
  await journal.append('x', encodeOps([put(doc('small', 10))]), () => undefined);
  const big = [1, 2, 3].map((i) => put(doc(`big${i}`, 1_500_000)));
  await journal.append('x', encodeOps(big), () => undefined);
  await journal.close();
  const [segment] = await readdir(dir);
  return join(dir, segment!);
}

async function replayedIds(): Promise<string[]> {
  const ids: string[] = [];
  for await (const entry of replayJournal(dir, 0))
    for (const op of entry.ops) if ('put' in op) ids.push(op.put._id as string);
  return ids;
}

describe('sibyl store: journal', () => {
  it('replays a write that spans several frames whole', async () => {
    const path = await writeJournal();
    // One frame for the small write, two for the large one (each frame stays under 4 MiB).
    expect(await frameStarts(path)).toHaveLength(4);
    expect(await replayedIds()).toEqual(['small', 'big1', 'big2', 'big3']);
  });

  it('replays nothing of a multi-frame write cut at a frame boundary, and earlier writes', async () => {
    const path = await writeJournal();
    const [, secondFrame, thirdFrame] = await frameStarts(path);
    // Power lost after the first frame of the large write reached the disk, before the second did:
    // that frame is whole and its checksum holds.
    await truncate(path, thirdFrame!);
    expect(await replayedIds()).toEqual(['small']);
    // The orphaned frame was cut off, so later writes cannot join it.
    expect((await readFile(path)).length).toBe(secondFrame);
  });

  it('replays nothing of a multi-frame write cut inside a frame, and a restarted server serves the rest', async () => {
    const path = await writeJournal();
    const [, , thirdFrame, end] = await frameStarts(path);
    await truncate(path, Math.floor((thirdFrame! + end!) / 2));
    const server = await StoreServer.start({ dir, port: 0 });
    const client = new MongoClient(server.uri, MongoStore.clientOptions);
    await client.connect();
    const m = client.db('x').collection('m');
    expect(await m.find({}, { projection: { blob: 0 } }).toArray()).toEqual([{ _id: 'small' }]);
    await m.insertOne({ _id: 'after' } as never);
    await client.close();
    await server.close();
    const again = await StoreServer.start({ dir, port: 0 });
    const reopened = new MongoClient(again.uri, MongoStore.clientOptions);
    await reopened.connect();
    expect(
      await reopened
        .db('x')
        .collection('m')
        .find({}, { projection: { blob: 0 }, sort: { _id: 1 } })
        .toArray(),
    ).toEqual([{ _id: 'after' }, { _id: 'small' }]);
    await reopened.close();
    await again.close();
  });
});
