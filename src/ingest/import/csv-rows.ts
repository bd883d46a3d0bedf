import { CsvError } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { stripBom, textLines } from './records.js';

/** A row's cells with the line it starts on, or why the row starting there could not be read. */
export type CsvRow = { line: number; cells: string[] } | { line: number; error: string };

/**
 * How many physical lines one quoted cell may span. A row whose quotes do not close within them
 * (or before the end of the file) is reported, and reading resumes on the line after its start.
 */
export const MAX_ROW_LINES = 100;

/**
 * CSV rows of a text stream (RFC 4180: `,`-separated, `"`-quoted cells that may span lines, `""`
 * for a quote), one at a time. Unlike one parser over the whole file, a malformed row costs only
 * itself: an unclosed quote would otherwise swallow every line after it. Blank lines are skipped
 * but counted.
 */
export async function* csvRows(stream: AsyncIterable<string>): AsyncGenerator<CsvRow> {
  /** Lines of the row being gathered (and, after a bad row, the lines to read again). */
  let pending: { line: number; text: string }[] = [];
  let lineNo = 0;
  const lines = textLines(stream)[Symbol.asyncIterator]();
  let ended = false;
  for (;;) {
    // Gather a row: lines until its quotes balance, the span limit or the end of the file.
    let taken = 0;
    let open = false;
    while (taken === 0 || open) {
      if (taken === pending.length) {
        if (ended) break;
        const next = await lines.next();
        if (next.done) {
          ended = true;
          break;
        }
        lineNo++;
        pending.push({ line: lineNo, text: lineNo === 1 ? stripBom(next.value) : next.value });
      }
      if (taken === 0 && pending[0]!.text.trim() === '') {
        pending.shift();
        continue;
      }
      open = quotesOpen(pending[taken]!.text, open);
      taken++;
      if (open && taken >= MAX_ROW_LINES) break;
    }
    if (taken === 0) return;

    const start = pending[0]!.line;
    if (open) {
      yield { line: start, error: `unclosed quote: the quoted cell starting here does not end` };
      pending = pending.slice(1);
      continue;
    }
    const rowLines = pending.slice(0, taken);
    const cells = cellsOf(rowLines.map((l) => l.text).join('\n'));
    if (typeof cells === 'string') {
      yield { line: start, error: cells };
      pending = pending.slice(1);
      continue;
    }
    pending = pending.slice(taken);
    yield { line: start, cells };
  }
}

/** Whether a quoted cell is still open after `text`, given whether it was before (`""` toggles twice). */
function quotesOpen(text: string, open: boolean): boolean {
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) open = !open;
  return open;
}

/** One row's cells, or the parser's complaint about it. Rows without quotes skip the parser. */
function cellsOf(text: string): string[] | string {
  if (!text.includes('"')) return text.split(',');
  try {
    const records = parse(text, { relax_column_count: true }) as string[][];
    if (records.length !== 1) return 'not one row';
    return records[0]!;
  } catch (err) {
    if (err instanceof CsvError) return err.message.replace(/ at line \d+/, '');
    throw err;
  }
}
