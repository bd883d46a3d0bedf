import { z } from 'zod';
import { eventInput, interactionFields, marketInput, seriesInput } from '../../domain/schemas.js';
import { ImportFileError } from './import-error.js';
import type { RecordType } from './record-types.js';
import type { SourceRecord } from './records.js';
import { csvRows } from './csv-rows.js';

type CellType = 'text' | 'number' | 'boolean' | 'list';

/** Columns of each record type, read from its input schema. Users are the exception: see `usersLayout`. */
const SHAPES: Record<Exclude<RecordType, 'users'>, Record<string, z.ZodType>> = {
  series: seriesInput.shape,
  events: eventInput.shape,
  markets: marketInput.shape,
  interactions: interactionFields.shape,
};

/** Separator of list cells (`tags`): `politics|elections`. */
const LIST_SEPARATOR = '|';

interface CsvLayout {
  columns: string[];
  /** How each column's cells become values; users' attribute columns are not listed. */
  types: Map<string, CellType>;
  /** Users: every column but `userId` is a targeting attribute. */
  attributes: boolean;
}

/**
 * CSV with a header row. Cells are converted to what the schema expects (numbers, booleans,
 * `|`-separated lists); empty cells mean absent; a cell that does not convert is passed on as
 * text so that validation names its field. Rows are yielded as they are read (bounded memory); a
 * row the CSV reader cannot make out is reported by its line, and the rows after it still read.
 */
export async function* csvRecords(
  stream: AsyncIterable<string>,
  recordType: RecordType,
  file: string,
): AsyncGenerator<SourceRecord> {
  let layout: CsvLayout | undefined;
  for await (const row of csvRows(stream)) {
    const where = `line ${row.line}`;
    if ('error' in row) {
      // A header that cannot be read leaves every row unreadable: refuse the file.
      if (!layout) throw new ImportFileError(file, `${where}: ${row.error}`);
      yield { where, error: row.error };
    } else if (!layout) {
      layout = checkHeader(recordType, row.cells, file, row.line);
    } else if (row.cells.length !== layout.columns.length) {
      yield { where, error: `expected ${layout.columns.length} columns, found ${row.cells.length}` };
    } else {
      yield { where, value: rowObject(layout, row.cells) };
    }
  }
}

/** A header naming an unknown column, or missing a required one, would reject every row: refuse the file. */
function checkHeader(recordType: RecordType, header: string[], file: string, line: number): CsvLayout {
  const refuse = (problem: string) => new ImportFileError(file, `line ${line}: ${problem}`);
  const columns = header.map((c) => c.trim());
  const repeated = columns.find((c, i) => columns.indexOf(c) !== i);
  if (repeated !== undefined) throw refuse(`column "${repeated}" appears twice`);
  if (recordType === 'users') {
    if (!columns.includes('userId')) throw refuse('missing required column "userId"');
    return { columns, types: new Map([['userId', 'text']]), attributes: true };
  }
  const shape = SHAPES[recordType];
  const unknown = columns.filter((c) => !Object.hasOwn(shape, c));
  if (unknown.length) {
    const known = quoteList(Object.keys(shape));
    throw refuse(`unknown ${plural('column', unknown)}; ${recordType} columns are ${known}`);
  }
  const missing = Object.keys(shape).filter(
    (c) => !columns.includes(c) && !shape[c]!.safeParse(undefined).success,
  );
  if (missing.length) throw refuse(`missing required ${plural('column', missing)}`);
  return { columns, types: new Map(columns.map((c) => [c, cellType(shape[c]!)])), attributes: false };
}

function cellType(field: z.ZodType): CellType {
  const inner = field instanceof z.ZodOptional ? (field.unwrap() as z.ZodType) : field;
  if (inner instanceof z.ZodNumber) return 'number';
  if (inner instanceof z.ZodBoolean) return 'boolean';
  if (inner instanceof z.ZodArray) return 'list';
  return 'text';
}

function rowObject(layout: CsvLayout, cells: string[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  const attributes: Record<string, string> = {};
  layout.columns.forEach((column, i) => {
    const cell = cells[i] ?? '';
    if (cell === '') return;
    const type = layout.types.get(column);
    if (type === undefined) attributes[column] = cell;
    else row[column] = convert(cell, type);
  });
  if (layout.attributes && Object.keys(attributes).length) row.attributes = attributes;
  return row;
}

function convert(cell: string, type: CellType): unknown {
  switch (type) {
    case 'number': {
      const n = Number(cell);
      return cell.trim() !== '' && Number.isFinite(n) ? n : cell;
    }
    case 'boolean':
      return cell === 'true' ? true : cell === 'false' ? false : cell;
    case 'list':
      return cell
        .split(LIST_SEPARATOR)
        .map((s) => s.trim())
        .filter(Boolean);
    case 'text':
      return cell;
  }
}

function quoteList(names: string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}

/** `column "a"`, `columns "a", "b"`. */
function plural(noun: string, names: string[]): string {
  return `${noun}${names.length > 1 ? 's' : ''} ${quoteList(names)}`;
}
