import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

/** The dashboard's session cookie. */
export const SESSION_COOKIE = 'sibyl_session';
/** Cookie-authenticated API calls carry the session's CSRF token in this header. */
export const CSRF_HEADER = 'x-csrf-token';

export interface Session {
  expiresAt: Date;
  /** Sent back in CSRF_HEADER by the dashboard's scripts; a cross-site page cannot read it. */
  csrfToken: string;
}

const safeEqual = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Stateless sessions: the cookie is `v1.<expiry ms>.<nonce>.<HMAC>`, signed with a secret derived
 * from SIBYL_API_KEYS. Every API replica with the same keys accepts it without shared storage, and
 * rotating the keys ends every session. The price of statelessness: a cookie copied before logout
 * stays valid until it expires (sessions are short for that reason).
 */
export class SessionSigner {
  private readonly secret: Buffer;

  constructor(
    apiKeys: string[],
    /** How long a login lasts. */
    readonly ttlMs: number,
  ) {
    const keys = [...apiKeys].sort().join('\n');
    this.secret = createHash('sha256').update(`sibyl dashboard sessions\n${keys}`).digest();
  }

  private mac(text: string): string {
    return createHmac('sha256', this.secret).update(text).digest('base64url');
  }

  /** A new session's cookie value and what the page needs to know of it. */
  issue(now: Date): { cookie: string; session: Session } {
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    const body = `v1.${expiresAt.getTime()}.${randomBytes(18).toString('base64url')}`;
    const cookie = `${body}.${this.mac(body)}`;
    return { cookie, session: { expiresAt, csrfToken: this.csrfToken(body) } };
  }

  /** The session a cookie value carries, if it is genuine and unexpired. */
  verify(cookie: string | undefined, now: Date): Session | undefined {
    const parts = cookie?.split('.');
    if (parts?.length !== 4 || parts[0] !== 'v1') return undefined;
    const body = parts.slice(0, 3).join('.');
    if (!safeEqual(parts[3]!, this.mac(body))) return undefined;
    const expiresAt = new Date(Number(parts[1]));
    if (!(expiresAt.getTime() > now.getTime())) return undefined;
    return { expiresAt, csrfToken: this.csrfToken(body) };
  }

  /** A session authenticates an API call only with its CSRF token in the header. */
  authenticates(req: Request, now: Date): boolean {
    const session = this.verify(readCookie(req, SESSION_COOKIE), now);
    const token = req.get(CSRF_HEADER);
    return session !== undefined && token !== undefined && safeEqual(token, session.csrfToken);
  }

  private csrfToken(body: string): string {
    return this.mac(`csrf.${body}`);
  }
}

/** One cookie's value from the request's Cookie header. */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
