import { SibylError } from '../../errors.js';

/** Where the next page starts: an offset into a frozen feed snapshot. */
export interface FeedCursor {
  feedId: string;
  offset: number;
}

/** Opaque to clients: base64url JSON, versioned so the format can change. */
export function encodeCursor(cursor: FeedCursor): string {
  return Buffer.from(JSON.stringify({ v: 1, f: cursor.feedId, o: cursor.offset })).toString('base64url');
}

export function decodeCursor(raw: string): FeedCursor {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as {
      v?: unknown;
      f?: unknown;
      o?: unknown;
    };
    if (
      parsed.v === 1 &&
      typeof parsed.f === 'string' &&
      Number.isInteger(parsed.o) &&
      (parsed.o as number) >= 0
    ) {
      return { feedId: parsed.f, offset: parsed.o as number };
    }
  } catch {
    // fall through to the error below
  }
  throw new SibylError(
    'invalid_request',
    'cursor is malformed: pass back the nextCursor of a previous page unchanged',
    [{ path: 'query.cursor', message: 'malformed cursor' }],
  );
}
