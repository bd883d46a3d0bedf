import type { ImportIssue, ImportResult } from './import-file.js';

const count = (n: number) => n.toLocaleString('en-US');

/** `markets.jsonl: line 17: status: Invalid option: …`, as a person searches for it in an editor. */
export function formatIssue(file: string, issue: ImportIssue): string {
  return [file, issue.where, issue.field, issue.message].filter((part) => part !== undefined).join(': ');
}

/** One line per file: what was read and what became of it. */
export function formatSummary(result: ImportResult, seconds?: number): string {
  const outcome =
    result.type === 'interactions'
      ? `${count(result.duplicates)} duplicates`
      : `${count(result.updated)} updated`;
  const parts = [
    `${count(result.read)} read`,
    `${count(result.inserted)} inserted`,
    outcome,
    `${count(result.rejected)} rejected`,
  ];
  const timing = seconds === undefined ? '' : ` in ${seconds.toFixed(1)}s`;
  return `${result.file} (${result.type}): ${parts.join(', ')}${timing}${result.aborted ? ' (interrupted)' : ''}`;
}

/** Every issue kept in the result, then how many more were found. */
export function formatIssues(result: ImportResult): string[] {
  const lines = result.issues.map((issue) => formatIssue(result.file, issue));
  const more = result.issueCount - result.issues.length;
  if (more > 0) lines.push(`${result.file}: … and ${count(more)} more issue${more === 1 ? '' : 's'}`);
  return lines;
}
