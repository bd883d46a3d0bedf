import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureIndexes } from '../../src/store/collections.js';
import { TEST_NOW } from '../helpers/fixed-clock.js';
import { EmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import { DuplicateKeyError } from '../../src/store/types.js';

describe('embedded store persistence', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sibyl-store-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('survives a restart with dates, ids and unique indexes intact', async () => {
    const first = await EmbeddedStore.open({ dir });
    await ensureIndexes(first);
    await first
      .collection('interactions')
      .insertMany([
        { eventId: 'e1', userId: 'u', ticker: 'A', type: 'view', ts: new Date('2026-11-01T10:00:00Z') },
      ]);
    const { _id } = (await first.collection('interactions').findOne({ eventId: 'e1' }))!;
    await first.close();

    const second = await EmbeddedStore.open({ dir });
    await ensureIndexes(second);
    const doc = await second.collection('interactions').findOne({ eventId: 'e1' });
    expect(doc?.ts).toEqual(new Date('2026-11-01T10:00:00Z'));
    expect(String(doc?._id)).toBe(String(_id));
    await expect(
      second
        .collection('interactions')
        .insertMany([{ eventId: 'e1', userId: 'v', ticker: 'B', type: 'view', ts: TEST_NOW }]),
    ).rejects.toBeInstanceOf(DuplicateKeyError);
    await second.close();
  });

  it('checkpoints atomically: no temporary files are left and a reopened store sees the last checkpoint', async () => {
    const store = await EmbeddedStore.open({ dir });
    await store.collection('markets').insertMany([{ ticker: 'A' }]);
    await store.checkpoint();
    await store.collection('markets').insertMany([{ ticker: 'B' }]);
    await store.checkpoint();
    expect((await readdir(dir)).filter((f) => f.includes('.tmp'))).toEqual([]);
    await store.close();
    const again = await EmbeddedStore.open({ dir });
    expect(await again.collection('markets').countDocuments()).toBe(2);
    await again.close();
  });

  it('refuses a data directory another live process holds, and takes over a stale lock', async () => {
    await writeFile(join(dir, 'LOCK'), String(process.ppid));
    await expect(EmbeddedStore.open({ dir })).rejects.toThrow(/in use by process/);
    await writeFile(join(dir, 'LOCK'), '999999999');
    const store = await EmbeddedStore.open({ dir });
    await store.close();
  });

  it('reports a corrupt file instead of loading part of it', async () => {
    await writeFile(join(dir, 'markets.bson'), Buffer.from([0xff, 0x00, 0x00, 0x00, 0x01]));
    await expect(EmbeddedStore.open({ dir })).rejects.toThrow(/markets\.bson: truncated or corrupt/);
    expect(await readdir(dir)).not.toContain('LOCK');
  });
});
