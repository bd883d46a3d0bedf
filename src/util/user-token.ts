import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * User tokens, v1: `v1.<base64url user id>.<expiry, unix seconds>.<base64url HMAC-SHA256>`, the
 * HMAC keyed by SIBYL_USER_TOKEN_SECRET over everything before the last dot. The exchange's
 * backend issues one per signed-in user, so a browser can open that user's feed stream (and, when
 * configured, feed) without holding an API key.
 */
const VERSION = 'v1';

export interface UserTokenClaims {
  userId: string;
  expiresAt: Date;
}

const sign = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest();

export function issueUserToken(secret: string, userId: string, expiresAt: Date): string {
  const payload = `${VERSION}.${Buffer.from(userId).toString('base64url')}.${Math.floor(expiresAt.getTime() / 1000)}`;
  return `${payload}.${sign(secret, payload).toString('base64url')}`;
}

export type UserTokenCheck =
  { ok: true; claims: UserTokenClaims } | { ok: false; reason: 'malformed' | 'bad signature' | 'expired' };

/** Checks the signature (in constant time) and the expiry against `now`. */
export function verifyUserToken(secret: string, token: string, now: Date): UserTokenCheck {
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION || !/^\d{1,12}$/.test(parts[2]!))
    return { ok: false, reason: 'malformed' };
  const given = Buffer.from(parts[3]!, 'base64url');
  const expected = sign(secret, parts.slice(0, 3).join('.'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad signature' };
  const expiresAt = new Date(Number(parts[2]) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { userId: Buffer.from(parts[1]!, 'base64url').toString(), expiresAt } };
}

/** Whether `value` looks like a user token rather than an API key. */
export const isUserToken = (value: string) => value.startsWith(`${VERSION}.`);
