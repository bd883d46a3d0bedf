import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { IdIndex } from '../../models/core/id-index.js';

describe('IdIndex', () => {
  const ids = [
    '',
    'a',
    'user-1',
    'user-2',
    'KXBTC-26NOV27-T0.185',
    ...Array.from({ length: 25_000 }, (_, i) => `u${i}`),
  ];

  it('finds every id’s row, built at once or in steps, and nothing else', async () => {
    for (const index of [IdIndex.of(ids), await IdIndex.build(ids, () => nextTurn())]) {
      ids.forEach((id, row) => expect(index.get(id)).toBe(row));
      expect(index.get('user-3')).toBeUndefined();
      expect(index.get('u25000')).toBeUndefined();
    }
  });

  it('yields between steps while building', async () => {
    let turns = 0;
    await IdIndex.build(ids, async () => {
      turns++;
    });
    expect(turns).toBe(3);
  });
});
