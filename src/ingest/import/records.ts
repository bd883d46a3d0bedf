/** One record of a file, or why it could not be read, with where it is as a person would find it. */
export type SourceRecord =
  | {
      /** `line 17` in line-oriented files (1-based, CSV header included), `markets[3]` in a JSON document. */
      where: string;
      value: unknown;
    }
  | { where: string; error: string };

/**
 * Lines of a text stream (`\n` or `\r\n`), pulled one chunk at a time so that memory stays bounded
 * and a slow consumer pauses the file rather than buffering it.
 */
export async function* textLines(stream: AsyncIterable<string>): AsyncGenerator<string> {
  let carry = '';
  for await (const chunk of stream) {
    const parts = (carry + chunk).split('\n');
    carry = parts.pop() ?? '';
    for (const part of parts) yield part.endsWith('\r') ? part.slice(0, -1) : part;
  }
  if (carry !== '') yield carry.endsWith('\r') ? carry.slice(0, -1) : carry;
}

/** JSON Lines: one value per line; blank lines are skipped, malformed ones reported. */
export async function* jsonlRecords(stream: AsyncIterable<string>): AsyncGenerator<SourceRecord> {
  let line = 0;
  for await (const text of textLines(stream)) {
    line++;
    const trimmed = line === 1 ? stripBom(text).trim() : text.trim();
    if (trimmed === '') continue;
    yield parseJsonLine(trimmed, `line ${line}`);
  }
}

function parseJsonLine(text: string, where: string): SourceRecord {
  try {
    return { where, value: JSON.parse(text) };
  } catch (err) {
    return { where, error: `invalid JSON: ${(err as Error).message}` };
  }
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
