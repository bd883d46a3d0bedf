import type { z } from 'zod';
import { SibylError, type FieldIssue } from '../errors.js';

export interface ParsedBatch<T> {
  /** Valid items with their index in the input. */
  valid: { index: number; value: T }[];
  issues: FieldIssue[];
}

/** Validates every item, collecting an issue per offending field (never stopping at the first). */
export function parseBatch<S extends z.ZodType>(
  schema: S,
  items: unknown[],
  name: string,
): ParsedBatch<z.output<S>> {
  return parseEach<z.output<S>>(items, name, () => schema as z.ZodType<z.output<S>>);
}

/** `parseBatch` with a schema chosen per item (a new market is validated whole, a stored one as a patch). */
export function parseEach<T>(
  items: unknown[],
  name: string,
  schemaOf: (item: unknown, index: number) => z.ZodType<T>,
): ParsedBatch<T> {
  const valid: ParsedBatch<T>['valid'] = [];
  const issues: FieldIssue[] = [];
  items.forEach((item, index) => {
    const parsed = schemaOf(item, index).safeParse(item);
    if (parsed.success) valid.push({ index, value: parsed.data });
    else {
      for (const issue of parsed.error.issues) {
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
        for (const key of keys) {
          issues.push({
            index,
            path: itemPath(name, index, key === undefined ? issue.path : [...issue.path, key]),
            message: messageOf(issue),
          });
        }
      }
    }
  });
  return { valid, issues };
}

/** A record's bad key is reported by what is wrong with it, not zod's generic "Invalid key in record". */
function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key' && issue.issues.length > 0)
    return issue.issues.map((i) => i.message).join('; ');
  return issue.message;
}

export function itemPath(name: string, index: number, path: PropertyKey[] = []): string {
  return `${name}[${index}]` + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

/** The whole-batch policy of the API: one bad item rejects the batch, and every issue is reported. */
export function rejectIfInvalid(issues: FieldIssue[], total: number, name: string): void {
  if (issues.length === 0) return;
  const badItems = new Set(issues.map((i) => i.index)).size;
  throw new SibylError(
    issues.every((i) => i.reference) ? 'unknown_reference' : 'validation_failed',
    `${badItems} of ${total} ${name} are invalid; nothing was stored`,
    issues,
  );
}

export function checkBatchSize(items: unknown, name: string, max: number): unknown[] {
  if (!Array.isArray(items)) {
    throw new SibylError('validation_failed', `${name} must be an array`, [
      { path: name, message: 'expected an array' },
    ]);
  }
  if (items.length === 0) {
    throw new SibylError('validation_failed', `${name} is empty`, [
      { path: name, message: 'at least one item is required' },
    ]);
  }
  if (items.length > max) {
    throw new SibylError(
      'batch_too_large',
      `${name} has ${items.length} items; at most ${max} are accepted per request`,
      [{ path: name, message: `at most ${max} items` }],
    );
  }
  return items;
}
