import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  CSV_HEADER,
  OUTPUT_FILES,
  defaultEnd,
  // eslint-disable-next-line no-restricted-imports -- the one test of the default end, on a faked Date
  simulate as simulateWithDefaultEnd,
  writeSimulationFiles,
} from '../../src/simulator/index.js';
import { simulate } from '../helpers/simulation.js';
import { END } from './fixture.js';
import { HOUR_MS } from '../helpers/fixed-clock.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'sibyl-sim-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const digest = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [
        f,
        createHash('sha256')
          .update(readFileSync(join(dir, f)))
          .digest('hex'),
      ]),
  );

async function writeRun(seed: number, users = 200, days = 4) {
  const dir = tempDir();
  const progress: number[] = [];
  const counts = await writeSimulationFiles(simulate({ seed, users, days, end: END }), dir, (p) =>
    progress.push(p.day),
  );
  return { dir, counts, progress };
}

describe('simulate --out files', () => {
  it('are byte-identical for the same seed and end, and differ for another seed', async () => {
    const [a, b, c] = await Promise.all([writeRun(42), writeRun(42), writeRun(43)]);
    expect(Object.keys(digest(a.dir))).toEqual(Object.values(OUTPUT_FILES).sort());
    expect(digest(a.dir)).toEqual(digest(b.dir));
    expect(digest(c.dir)[OUTPUT_FILES.interactions]).not.toBe(digest(a.dir)[OUTPUT_FILES.interactions]);
    expect(digest(c.dir)[OUTPUT_FILES.users]).not.toBe(digest(a.dir)[OUTPUT_FILES.users]);
    expect(a.progress.at(-1)).toBe(4);
  });

  it('hold the same interactions as the library, one CSV row each, with empty cells for absent values', async () => {
    const { dir, counts } = await writeRun(9, 120, 3);
    const text = readFileSync(join(dir, OUTPUT_FILES.interactions), 'utf8');
    expect(text.startsWith(CSV_HEADER)).toBe(true);
    const rows: Record<string, string>[] = parse(text, { columns: true });
    const records = [...simulate({ seed: 9, users: 120, days: 3, end: END }).interactionDays()].flatMap(
      (d) => [...d.records()],
    );
    expect(rows.length).toBe(counts.interactions);
    expect(rows.length).toBe(records.length);
    const asCells = (r: (typeof records)[number]) =>
      Object.fromEntries(
        CSV_HEADER.trim()
          .split(',')
          .map((k) => [k, String((r as Record<string, unknown>)[k] ?? '')]),
      );
    expect(rows).toEqual(records.map(asCells));
    const lines = (f: string) => readFileSync(join(dir, f), 'utf8').trimEnd().split('\n');
    expect(lines(OUTPUT_FILES.users)).toHaveLength(120);
    expect(lines(OUTPUT_FILES.markets)).toHaveLength(counts.markets);
    expect(JSON.parse(lines(OUTPUT_FILES.series)[0]!)).toHaveProperty('frequency');
  });
});

describe('determinism', () => {
  it('replays the same days on every pass', () => {
    const sim = simulate({ seed: 1, users: 100, days: 3, end: END });
    const pass = () => [...sim.interactionDays()].flatMap((d) => [...d.csvChunks()]).join('');
    expect(pass()).toBe(pass());
  });

  it("keeps each user's behaviour independent of how many other users are simulated", () => {
    const strip = (users: number) =>
      [...simulate({ seed: 2, users, days: 3, end: END }).interactionDays()]
        .flatMap((d) => [...d.records()])
        .filter((r) => Number(r.userId.slice(5)) <= 50)
        .map(({ eventId: _id, ...rest }) => JSON.stringify(rest));
    const small = strip(50);
    expect(small.length).toBeGreaterThan(300);
    expect(strip(150)).toEqual(small);
  });

  it('defaults --end to the start of the current UTC day', () => {
    expect(defaultEnd(new Date(END.getTime() + 15.5 * HOUR_MS))).toEqual(END);
    // Today, faked: its own instant, the last second of a leap day (no offset from TEST_END gives
    // one nearby), where a default that rounded or added a day would land on another date.
    vi.useFakeTimers({ now: new Date('2028-02-29T23:59:59Z'), toFake: ['Date'] });
    try {
      expect(simulateWithDefaultEnd({ users: 1, days: 1 }).end.toISOString()).toBe(
        '2028-02-29T00:00:00.000Z',
      );
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects options that make no sense', () => {
    expect(() => simulate({ users: 0, end: END })).toThrow(/users must be an integer/);
    expect(() => simulate({ days: 1.5, end: END })).toThrow(/days must be an integer/);
    expect(() => simulate({ seed: -1, end: END })).toThrow(/seed must be an integer/);
    expect(() => simulate({ end: new Date('nope') })).toThrow(/end must be a valid date/);
  });
});
