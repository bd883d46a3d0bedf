import { Writable } from 'node:stream';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { makeTestApi } from '../helpers/api.js';

/** A logger whose lines are kept, as the servers' stdout would receive them. */
function capturedLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger('info', sink), lines };
}

describe('credentials in logs', () => {
  it('redacts an api_key (or token) in a request query string from request logs', async () => {
    const { logger, lines } = capturedLogger();
    const t = await makeTestApi({ logger, requestLogging: true });
    await request(t.app).get('/v1/users/alice/feed?limit=2&api_key=hunter2-secret&access_token=tok-secret');
    await request(t.app).get('/v1/nowhere?apiKey=other-secret').set('Authorization', 'Bearer header-secret');
    const logged = lines.join('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const secret of ['hunter2-secret', 'tok-secret', 'other-secret', 'header-secret'])
      expect(logged).not.toContain(secret);
    // What is not a credential stays readable.
    expect(logged).toContain('limit=2');
    expect(logged).toContain('api_key=[redacted]');
  });
});
