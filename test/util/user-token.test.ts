import { describe, expect, it } from 'vitest';
import { issueUserToken, verifyUserToken } from '../../src/util/user-token.js';
import { HOUR_MS, TEST_NOW } from '../helpers/fixed-clock.js';

const SECRET = 'user-token-test-secret-0123456789abcdef';
const later = new Date(TEST_NOW.getTime() + HOUR_MS);

describe('user tokens', () => {
  it('carry their user (any characters) until they expire', () => {
    const token = issueUserToken(SECRET, 'user 7/é', later);
    expect(verifyUserToken(SECRET, token, TEST_NOW)).toEqual({
      ok: true,
      claims: { userId: 'user 7/é', expiresAt: later },
    });
    expect(verifyUserToken(SECRET, token, later)).toEqual({ ok: false, reason: 'expired' });
  });

  it('are refused when signed with another secret, altered or malformed', () => {
    const token = issueUserToken(SECRET, 'user-1', later);
    expect(verifyUserToken(`${SECRET}x`, token, TEST_NOW)).toEqual({ ok: false, reason: 'bad signature' });
    const [v, , exp, sig] = token.split('.');
    const otherUser = [v, Buffer.from('user-2').toString('base64url'), exp, sig].join('.');
    expect(verifyUserToken(SECRET, otherUser, TEST_NOW)).toEqual({ ok: false, reason: 'bad signature' });
    const longer = [v, token.split('.')[1], String(Number(exp) + 3600), sig].join('.');
    expect(verifyUserToken(SECRET, longer, TEST_NOW)).toEqual({ ok: false, reason: 'bad signature' });
    for (const bad of ['', 'v1.a.b', 'v2.dXNlcg.1.x', `${token}.extra`, 'v1.dXNlcg.soon.sig'])
      expect(verifyUserToken(SECRET, bad, TEST_NOW)).toEqual({ ok: false, reason: 'malformed' });
  });
});
