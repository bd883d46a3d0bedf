/**
 * The demo shows its children's pino JSON as one compact, human-readable line each, prefixed by
 * role; per-request access logs are left out unless they are warnings or errors.
 */

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
/** pino's own fields, and bulky ones that do not belong on one line. */
const HIDDEN = new Set([
  'level',
  'time',
  'pid',
  'hostname',
  'name',
  'msg',
  'req',
  'res',
  'responseTime',
  'v',
]);

export function formatLine(role: string, line: string): string | undefined {
  const tag = `${role.padEnd(6)}|`;
  if (!line.startsWith('{')) return line.trim() ? `${tag} ${line}` : undefined;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${tag} ${line}`;
  }
  const level = Number(entry.level ?? 30);
  if (entry.req && level < 40) return undefined;
  const fields = Object.entries(entry)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' ');
  const marker = level >= 40 ? ` ${LEVELS[level] ?? level}` : '';
  return `${tag}${marker} ${String(entry.msg ?? '')}${fields ? `  ${fields}` : ''}`.slice(0, 400);
}
