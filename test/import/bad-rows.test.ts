import { beforeEach, describe, expect, it } from 'vitest';
import { importFile } from '../../src/ingest/import/import-file.js';
import { formatIssue, formatIssues } from '../../src/ingest/import/report.js';
import type { Store } from '../../src/store/types.js';
import { fixture, importFixturePerTest, stored } from './helpers.js';

const TYPES = '"impression"|"view"|"click"|"watch"|"unwatch"|"trade"|"dismiss"';

describe('bad records', () => {
  const fixtures = importFixturePerTest();
  let store: Store;
  let tmp: ReturnType<typeof fixtures.tmp>;
  beforeEach(async () => {
    store = fixtures.store();
    tmp = fixtures.tmp();
    await importFile(store, fixture('simulate-out', 'markets.jsonl'));
  });

  const lines = (result: Awaited<ReturnType<typeof importFile>>) =>
    result.issues.map((issue) => formatIssue('f', issue));

  it('skips bad CSV rows, reporting line (header included) and field, and stores the good ones', async () => {
    const path = await tmp.write(
      'interactions.csv',
      [
        'eventId,userId,ticker,type,ts,side,contracts,price', // line 1
        'ok-1,user-1,KXCPI-26DEC-T3.0,view,2026-11-20T10:00:00Z,,,',
        'bad-type,user-1,KXCPI-26DEC-T3.0,like,2026-11-20T10:00:00Z,,,',
        '', // blank lines are skipped but still counted
        'unknown,user-1,KXNOPE-1,view,2026-11-20T10:00:00Z,,,',
        'short,user-1',
        'bad-price,user-1,KXCPI-26DEC-T3.0,trade,2026-11-20T10:00:00Z,yes,1,1.5',
        'bad-number,user-1,KXCPI-26DEC-T3.0,trade,not-a-date,yes,lots,0.5',
        'ok-2,user-2,KXCPI-26DEC-T3.2,trade,2026-11-20T10:00:00Z,yes,3,0.2',
      ].join('\n'),
    );

    const result = await importFile(store, path, { batchSize: 3 });

    expect(lines(result)).toEqual([
      `f: line 3: type: Invalid option: expected one of ${TYPES}`,
      'f: line 5: ticker: unknown market "KXNOPE-1"',
      'f: line 6: expected 8 columns, found 2',
      'f: line 7: price: must be between 0 and 1 dollars',
      'f: line 8: ts: Invalid ISO datetime',
      'f: line 8: contracts: must be a non-negative decimal, as "0.4200" or "10.00"',
    ]);
    expect(result).toMatchObject({ read: 7, inserted: 2, duplicates: 0, rejected: 5, issueCount: 6 });
    expect((await stored(store, 'interactions', 'eventId')).map((i) => i.eventId)).toEqual(['ok-1', 'ok-2']);
  });

  it('reports malformed and invalid JSONL lines by line number, CRLF line endings included', async () => {
    const path = await tmp.write(
      'interactions.jsonl',
      [
        '{"eventId":"a","userId":"u","ticker":"KXCPI-26DEC-T3.0","type":"view","ts":"2026-11-20T10:00:00Z"}',
        '{"eventId":"b","userId":"u",',
        '[]',
        '{"eventId":"c","userId":"u","ticker":"KXCPI-26DEC-T3.0","type":"click","ts":"2026-11-20T10:00:00Z","side":"yes","colour":"red"}',
        '',
        '{"eventId":"d","userId":"u","ticker":"KXCPI-26DEC-T3.0","type":"click","ts":"2026-11-20T10:00:00Z","position":2}',
      ].join('\r\n'),
    );

    const result = await importFile(store, path);

    expect(lines(result)).toEqual([
      expect.stringMatching(/^f: line 2: invalid JSON: /),
      'f: line 3: Invalid input: expected object, received array',
      'f: line 4: colour: Unrecognized key: "colour"',
      'f: line 4: type: side, contracts and price are only allowed on trades',
      'f: line 6: feedId: required when position is given',
    ]);
    expect(result).toMatchObject({ read: 5, inserted: 1, rejected: 4 });
  });

  it('counts the line a quoted multi-line cell starts on', async () => {
    const path = await tmp.write(
      'markets.csv',
      [
        'ticker,eventTicker,title,status,closeTime',
        'M-1,E-1,"A title',
        'on two lines",opened,2026-12-01T00:00:00Z',
        'M-2,E-1,"Another',
        '",open,2026-12-01T00:00:00Z',
        'M-3,E-1,Fine,open,yesterday',
      ].join('\n'),
    );

    const result = await importFile(store, path);

    expect(lines(result)).toEqual([
      'f: line 2: status: Invalid option: expected one of "unopened"|"open"|"paused"|"closed"|"settled"',
      'f: line 6: closeTime: Invalid ISO datetime',
    ]);
    expect(result).toMatchObject({ read: 3, inserted: 1, rejected: 2 });
  });

  it('keeps the first 20 issues and counts them all', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `e-${i},u,KXCPI-26DEC-T3.0,like,2026-11-20T10:00:00Z`);
    const path = await tmp.write('interactions.csv', ['eventId,userId,ticker,type,ts', ...rows].join('\n'));

    const result = await importFile(store, path, { batchSize: 7 });

    expect(result).toMatchObject({ read: 50, inserted: 0, rejected: 50, issueCount: 50 });
    expect(result.issues).toHaveLength(20);
    expect(result.issues.at(-1)?.where).toBe('line 21');
    expect(formatIssues(result).at(-1)).toBe(`${path}: … and 30 more issues`);
  });

  it('refuses a CSV file whose header names unknown columns or lacks required ones', async () => {
    const extra = await tmp.write('interactions.csv', 'eventId,userId,ticker,type,ts,colour,constructor\n');
    const missing = await tmp.write('markets.csv', 'ticker,title,status\n');

    await expect(importFile(store, extra)).rejects.toThrow(
      /interactions\.csv: line 1: unknown columns "colour", "constructor"; interactions columns are "eventId", /,
    );
    await expect(importFile(store, missing)).rejects.toThrow(
      /markets\.csv: line 1: missing required columns "eventTicker", "closeTime"/,
    );
  });

  it('reports a row with an unclosed or stray quote by its line, and imports the rows after it', async () => {
    const good = (n: number) => `M-${n},E-1,Fine ${n},open,2026-12-01T00:00:00Z`;
    const path = await tmp.write(
      'markets.csv',
      [
        'ticker,eventTicker,title,status,closeTime', // line 1
        good(1),
        'M-2,E-1,"Unclosed,open,2026-12-01T00:00:00Z', // line 3
        good(3),
        'M-4,E-1,"Quoted, fine",open,2026-12-01T00:00:00Z',
        'M-5,E-1,Stray "quote" inside,open,2026-12-01T00:00:00Z', // line 6
        ...Array.from({ length: 300 }, (_, i) => good(10 + i)),
        'M-6,E-1,"Unclosed at the end,open,2026-12-01T00:00:00Z', // line 307
      ].join('\n'),
    );

    const result = await importFile(store, path, { batchSize: 50 });

    expect(lines(result)).toEqual([
      expect.stringMatching(/^f: line 3: unclosed quote/),
      expect.stringMatching(/^f: line 6: /),
      expect.stringMatching(/^f: line 307: unclosed quote/),
    ]);
    expect(result).toMatchObject({ read: 306, inserted: 303, rejected: 3 });
    expect(await store.collection('markets').countDocuments({ eventTicker: 'E-1' })).toBe(303);
    expect((await store.collection('markets').findOne({ ticker: 'M-4' }))?.title).toBe('Quoted, fine');
  });

  it('rejects interactions with unknown markets until the market is imported', async () => {
    const path = await tmp.write(
      'interactions.csv',
      'eventId,userId,ticker,type,ts\nlate-1,u,KXNEW-1,view,2026-11-20T10:00:00Z\n',
    );
    expect(await importFile(store, path)).toMatchObject({ inserted: 0, rejected: 1 });

    const market = await tmp.write(
      'markets.jsonl',
      JSON.stringify({
        ticker: 'KXNEW-1',
        eventTicker: 'KXNEW',
        title: 'New',
        status: 'open',
        closeTime: '2026-12-01T00:00:00Z',
      }),
    );
    await importFile(store, market);

    expect(await importFile(store, path)).toMatchObject({ inserted: 1, rejected: 0 });
  });
});
