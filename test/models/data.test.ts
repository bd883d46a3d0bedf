import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInteractionCsv, parseTime } from '../../models/data/csv.js';
import { loadTrainingData } from '../../models/data/from-store.js';
import { buildInteractionLog, InteractionLogBuilder } from '../../models/data/interaction-log.js';
import { marketContentTokens } from '../../models/data/market-content.js';
import { coll, ensureIndexes } from '../../src/store/collections.js';
import type { Document } from '../../src/store/types.js';
import { openTestStore } from '../helpers/store.js';
import { DAY_MS, HOUR_MS, TEST_END } from '../helpers/fixed-clock.js';

describe('InteractionLogBuilder', () => {
  it('indexes ids lexicographically (plain <) and keeps row order', () => {
    const log = buildInteractionLog([
      { user: 'b', item: 'Z', ts: 3, weight: 1 },
      { user: 'a', item: 'a', ts: 1, weight: 2 },
      { user: 'b', item: 'B', ts: 2, weight: 0.5 },
      { user: 'c', item: 'a', ts: 5, weight: 1 },
    ]);
    expect(log.userIds).toEqual(['a', 'b', 'c']);
    expect(log.itemIds).toEqual(['B', 'Z', 'a']);
    expect([...log.user]).toEqual([1, 0, 1, 2]);
    expect([...log.item]).toEqual([1, 2, 0, 2]);
    expect([...log.ts]).toEqual([3, 1, 2, 5]);
    expect([...log.weight]).toEqual([1, 2, 0.5, 1]);
  });

  it('indexes ids numerically when every id is a number', () => {
    const log = buildInteractionLog([
      { user: '10', item: '2', ts: 0, weight: 1 },
      { user: '9', item: '10', ts: 0, weight: 1 },
      { user: '-1', item: '1e1', ts: 0, weight: 1 },
    ]);
    expect(log.userIds).toEqual(['-1', '9', '10']);
    // 10 and 1e1 are the same number: ties by `<`.
    expect(log.itemIds).toEqual(['2', '10', '1e1']);
    expect([...log.user]).toEqual([2, 1, 0]);
    expect([...log.item]).toEqual([0, 1, 2]);
  });

  it('grows past its initial capacity', () => {
    const b = new InteractionLogBuilder(16);
    for (let r = 0; r < 1000; r++) b.add(`u${r % 7}`, `i${r % 13}`, r, 1);
    const log = b.build();
    expect(log.user.length).toBe(1000);
    expect(log.ts[999]).toBe(999);
    expect(log.userIds[log.user[999]!]).toBe(`u${999 % 7}`);
    expect(log.itemIds[log.item[999]!]).toBe(`i${999 % 13}`);
  });
});

describe('readInteractionCsv', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sibyl-data-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const write = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  const cols = { userCol: 'u', itemCol: 'i', timeCol: 't' };

  it('reads seconds, milliseconds and ISO times, weights and a custom separator', async () => {
    const file = await write(
      'ok.csv',
      ['u;i;t;w', 'a;x;1700000000;2', 'b;y;1700000000500;1.5', 'a;y;2023-11-14T22:13:21Z;1', ''].join('\n'),
    );
    const log = await readInteractionCsv(file, { ...cols, weightCol: 'w', sep: ';' });
    expect(log.userIds).toEqual(['a', 'b']);
    expect(log.itemIds).toEqual(['x', 'y']);
    expect([...log.ts]).toEqual([1_700_000_000_000, 1_700_000_000_500, 1_700_000_001_000]);
    expect([...log.weight]).toEqual([2, 1.5, 1]);
  });

  it('weighs rows 1 without a weight column', async () => {
    const file = await write('now.csv', 'x,u,i,t\n1,a,b,5\n');
    const log = await readInteractionCsv(file, cols);
    expect([...log.weight]).toEqual([1]);
    expect([...log.ts]).toEqual([5000]);
  });

  it('names missing columns and lists the header', async () => {
    const file = await write('hdr.csv', 'user,item,time\na,b,1\n');
    await expect(readInteractionCsv(file, { ...cols, weightCol: 'w' })).rejects.toThrow(
      `${file}: no column "u" (--user-col), "i" (--item-col), "t" (--time-col), "w" (--weight-col) in the header; columns are "user", "item", "time"`,
    );
  });

  it('names file, line and column of a bad cell', async () => {
    const bad = await write('bad.csv', 'u,i,t\na,b,1\na,c,yesterday\n');
    await expect(readInteractionCsv(bad, cols)).rejects.toThrow(
      `${bad}: line 3: column "t": not a time: "yesterday"`,
    );
    const noUser = await write('nouser.csv', 'u,i,t\n,b,1\n');
    await expect(readInteractionCsv(noUser, cols)).rejects.toThrow(
      `${noUser}: line 2: column "u": empty user id`,
    );
    const badWeight = await write('badw.csv', 'u,i,t,w\na,b,1,heavy\n');
    await expect(readInteractionCsv(badWeight, { ...cols, weightCol: 'w' })).rejects.toThrow(
      `${badWeight}: line 2: column "w": not a finite number: "heavy"`,
    );
    await expect(readInteractionCsv(join(dir, 'absent.csv'), cols)).rejects.toThrow(
      /absent\.csv: no such file/,
    );
  });

  it('parses time cells', () => {
    expect(parseTime('99999999999')).toBe(99_999_999_999_000);
    expect(parseTime('100000000000')).toBe(100_000_000_000);
    expect(parseTime('1970-01-01T00:00:01Z')).toBe(1000);
    expect(parseTime('')).toBeNaN();
    expect(parseTime('soon')).toBeNaN();
  });
});

describe('marketContentTokens', () => {
  it('makes category, series, event, tag, title, price and duration tokens', () => {
    const tokens = marketContentTokens(
      {
        ticker: 'KXFED-26DEC-T4.25',
        eventTicker: 'KXFED-26DEC',
        title: 'Will the Fed cut rates above 4.25%?',
        subtitle: 'Above 4.25',
        lastPrice: 0.37,
        openTime: new Date(TEST_END.getTime() - 21 * DAY_MS),
        closeTime: new Date(TEST_END.getTime() - 11 * DAY_MS), // 240 h → log2 = 7.9
      },
      { seriesTicker: 'KXFED', title: 'Fed decision in December', category: 'Economics' },
      { category: 'Other', tags: ['rates', 'fed'] },
    );
    expect(tokens).toEqual([
      'category:Economics',
      'series:KXFED',
      'event:KXFED-26DEC',
      'tag:rates',
      'tag:fed',
      'title:fed',
      'title:cut',
      'title:rates',
      'title:above',
      'title:decision',
      'title:december',
      'price:3',
      'duration:7',
    ]);
  });

  it('clamps buckets and falls back to the bid/ask midpoint', () => {
    const tokens = marketContentTokens({
      ticker: 'T',
      eventTicker: 'E',
      title: 'x',
      yesBid: 0.98,
      yesAsk: 1,
      openTime: TEST_END.toISOString(),
      closeTime: new Date(TEST_END.getTime() + 30 * 60_000).toISOString(),
    });
    expect(tokens).toEqual(['event:E', 'price:9', 'duration:0']);
  });
});

describe('loadTrainingData', () => {
  it('keeps positive interactions of the window, weighted by type, with catalogue content', async () => {
    const store = await openTestStore({ indexes: false });
    await ensureIndexes(store);
    const at = (h: number) => new Date(TEST_END.getTime() + h * HOUR_MS);
    const stamp = { createdAt: at(0), updatedAt: at(0) };
    await coll(store, 'series').insertMany([
      { ticker: 'S', title: 'S', category: 'Crypto', tags: ['btc'], ...stamp },
    ]);
    await coll(store, 'events').insertMany([
      { eventTicker: 'E', seriesTicker: 'S', title: 'Bitcoin price', ...stamp },
    ]);
    await coll(store, 'markets').insertMany([
      {
        ticker: 'M1',
        eventTicker: 'E',
        title: 'Bitcoin above 100k',
        status: 'open',
        closeTime: at(23),
        ...stamp,
      },
      { ticker: 'M9', eventTicker: 'E', title: 'Never touched', status: 'open', closeTime: at(23), ...stamp },
    ]);
    const rows: [string, string, string, number][] = [
      ['u1', 'M1', 'view', 1],
      ['u1', 'M1', 'impression', 2],
      ['u2', 'M1', 'trade', 3],
      ['u2', 'M2', 'dismiss', 3],
      ['u2', 'M2', 'click', 4],
      ['u3', 'M1', 'watch', 9], // at `to`: excluded
      ['u3', 'M1', 'watch', 0], // before `from`: excluded
    ];
    await coll(store, 'interactions').insertMany(
      rows.map(([userId, ticker, type, h], k) => ({
        eventId: `e${k}`,
        userId,
        ticker,
        type,
        ts: at(h),
        receivedAt: at(h),
      })) as Document[] as never[],
    );
    const { log, content } = await loadTrainingData(store, { from: at(1), to: at(9) });
    expect(log.userIds).toEqual(['u1', 'u2']);
    expect(log.itemIds).toEqual(['M1', 'M2']);
    const got = [...log.user].map((u, r) => [
      log.userIds[u],
      log.itemIds[log.item[r]!],
      log.weight[r],
      log.ts[r],
    ]);
    expect(got.sort()).toEqual(
      [
        ['u1', 'M1', 1, at(1).getTime()],
        ['u2', 'M1', 5, at(3).getTime()],
        ['u2', 'M2', 2, at(4).getTime()],
      ].sort(),
    );
    expect(content[0]).toEqual(
      expect.arrayContaining([
        'category:Crypto',
        'series:S',
        'event:E',
        'tag:btc',
        'title:bitcoin',
        'title:100k',
      ]),
    );
    expect(content[1]).toEqual([]); // M2 is not in the catalogue
    await store.close();
  });
});
