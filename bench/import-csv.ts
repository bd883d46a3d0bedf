/**
 * Reading an interactions CSV: `sibyl import`'s row reader (src/ingest/import/csv-rows.ts: lines
 * gathered until their quotes balance, so a malformed row costs only itself) against one csv-parse
 * stream over the whole file with line info, as the importer read CSV before (the baseline, same run).
 * Reading only: validation and writes are the same for both and measured by `bench ingest`.
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { csvRows } from '../src/ingest/import/csv-rows.js';
import { median, table, timeRuns } from './harness.js';

const ROWS = 300_000;

function interactionsCsv(): string {
  const rows = ['eventId,userId,ticker,type,ts,side,contracts,price'];
  for (let i = 0; i < ROWS; i++) {
    const trade = i % 5 === 0;
    // One row in a hundred has a quoted cell, as exported ids with commas would.
    const eventId = i % 100 === 0 ? `"ev-${i},x"` : `ev-${i}`;
    rows.push(
      `${eventId},user-${i % 977},KXCPI-26DEC-T3.${i % 9},${trade ? 'trade' : 'view'},2026-11-20T10:00:00Z,${trade ? 'yes,3,0.42' : ',,'}`,
    );
  }
  return rows.join('\n');
}

/** The file as the importer receives it: 64 KiB chunks. */
const chunks = (text: string) => Readable.from(text.match(/[\s\S]{1,65536}/g) ?? []);

export default async function run(): Promise<void> {
  const text = interactionsCsv();
  let counted = 0;
  const baseline = await timeRuns(5, async () => {
    const parser = parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true });
    chunks(text).pipe(parser);
    counted = 0;
    for await (const _ of parser) counted++;
  });
  const baselineRows = counted;
  const rows = await timeRuns(5, async () => {
    counted = 0;
    for await (const _ of csvRows(chunks(text))) counted++;
  });
  if (counted !== baselineRows) throw new Error(`row counts differ: ${counted} vs ${baselineRows}`);
  const base = median(baseline);
  table(
    `Reading ${ROWS.toLocaleString('en-US')} interaction rows (${(text.length / 1e6).toFixed(1)} MB), median of 5`,
    [
      {
        reader: 'csv-parse stream with line info (before #23)',
        ms: base,
        'rows/s': (ROWS / base) * 1000,
        'vs baseline': 1,
      },
      {
        reader: 'csvRows (sibyl import now)',
        ms: median(rows),
        'rows/s': (ROWS / median(rows)) * 1000,
        'vs baseline': base / median(rows),
      },
    ],
  );
}
