import { createHash } from 'node:crypto';
import { stringify } from 'safe-stable-stringify';
import type { JobName } from '../job-types.js';

/**
 * What makes two triggers the same job: its name and its payload, key order aside. A trigger joins
 * a pending job only if it asks for the same thing: `daily-report` of another date, or `train` of
 * another kind, is another job, not a duplicate of the one waiting. Hashed, so that a payload of
 * hyperparameters makes a short Redis key (BullMQ's deduplication id).
 */
export function triggerKey(name: JobName, data: unknown): string {
  const payload = stringify(data ?? {}) ?? '{}';
  return `${name}:${createHash('sha256').update(payload).digest('base64url').slice(0, 22)}`;
}
