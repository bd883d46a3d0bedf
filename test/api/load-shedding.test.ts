import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { API_KEY, makeTestApi } from '../helpers/api.js';

/** A POST whose body is still arriving: the server counts it in flight until the body ends. */
function heldOpen(port: number): { req: ClientRequest; response: Promise<IncomingMessage> } {
  const req = httpRequest({
    port,
    host: '127.0.0.1',
    method: 'POST',
    path: '/v1/interactions',
    headers: {
      authorization: `Bearer ${API_KEY}`,
      'content-type': 'application/json',
      'content-length': '20',
    },
  });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
  });
  req.write('{"interactions":'); // 16 of the 20 bytes announced
  req.flushHeaders();
  return { req, response };
}

async function inFlight(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^sibyl_http_in_flight_requests (\d+)/m.exec(text)?.[1] ?? NaN);
}

describe('load shedding', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  it('beyond the in-flight limit answers 503 with Retry-After at once; probes and metrics still answer', async () => {
    const t = await makeTestApi({ config: { SIBYL_MAX_IN_FLIGHT: 2, SIBYL_SHED_RETRY_AFTER_SECONDS: 7 } });
    await t.catalogue.reload();
    server = createServer(t.app);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;

    const held = [heldOpen(port), heldOpen(port)];
    while ((await inFlight(base)) < 2) await new Promise((r) => setTimeout(r, 10));

    const shed = await fetch(`${base}/v1/users/alice/feed`);
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('7');
    expect(((await shed.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    // A server-sent event stream lives as long as its listener: it is never counted nor shed.
    const stream = await fetch(`${base}/v1/users/alice/feed/stream`, {
      headers: { accept: 'text/event-stream' },
    });
    expect(stream.status).not.toBe(503);
    await stream.body?.cancel();

    // The held requests finish (their bodies are malformed JSON: a 400 each), freeing their places.
    for (const h of held) h.req.end('null}');
    for (const h of held) expect((await h.response).statusCode).toBe(400);
    while ((await inFlight(base)) > 0) await new Promise((r) => setTimeout(r, 10));
    expect((await fetch(`${base}/v1/users/alice/feed`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/sibyl_http_request_duration_seconds_count\{[^}]*status="503"\} 1/);
  });

  it('is off with a limit of 0', async () => {
    const t = await makeTestApi({ config: { SIBYL_MAX_IN_FLIGHT: 0 } });
    server = createServer(t.app);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const held = [heldOpen(port), heldOpen(port), heldOpen(port)];
    expect((await fetch(`http://127.0.0.1:${port}/v1/users/alice/feed`)).status).toBe(200);
    for (const h of held) {
      h.response.catch(() => undefined); // destroyed unanswered
      h.req.destroy();
    }
  });
});
