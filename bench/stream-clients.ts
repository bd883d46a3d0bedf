/**
 * The subscribers of `npm run bench -- stream`, in their own process so their work is not the
 * server's: one WebSocket per subscriber on /v1/stream, each subscribed to one feed. Reads one JSON
 * line ({ url, apiKey, subs: [[userId, feedId]…] }) on stdin, prints {"ready":n} once all are
 * subscribed, then answers "count" with the events received so far and "report" with every
 * arrival (time, ticker, type) before exiting. Times are performance.timeOrigin + now(), which the
 * driver uses too (same machine, same clock).
 */
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

interface Setup {
  url: string;
  apiKey: string;
  subs: [string, string][];
}

const now = () => performance.timeOrigin + performance.now();
const arrivals: [number, string, string][] = [];
const sockets: WebSocket[] = [];

async function connect(setup: Setup, [userId, feedId]: [string, string]): Promise<void> {
  const ws = new WebSocket(`${setup.url.replace(/^http/, 'ws')}/v1/stream`, {
    headers: { Authorization: `Bearer ${setup.apiKey}` },
    perMessageDeflate: false,
  });
  sockets.push(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => {
      ws.send(
        JSON.stringify({
          id: 1,
          cmd: 'subscribe',
          params: { channels: ['feed'], user_id: userId, feed_id: feedId },
        }),
      );
    });
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { id?: number; type: string; msg?: { ticker?: string } };
      if (m.id === 1) {
        if (m.type === 'subscribed') resolve();
        else reject(new Error(JSON.stringify(m)));
        return;
      }
      arrivals.push([now(), m.msg?.ticker ?? '', m.type]);
    });
  });
}

const lines = createInterface({ input: process.stdin });
let setup: Setup | undefined;
lines.on('line', async (line) => {
  if (!setup) {
    setup = JSON.parse(line) as Setup;
    const queue = [...setup.subs];
    let failed = 0;
    // A few hundred handshakes at a time: the server's accept queue, not the test, is the limit.
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        for (let sub = queue.shift(); sub; sub = queue.shift())
          await connect(setup!, sub).catch(() => failed++);
      }),
    );
    console.log(JSON.stringify({ ready: setup.subs.length - failed, failed }));
  } else if (line === 'count') console.log(JSON.stringify({ count: arrivals.length }));
  else if (line === 'report') {
    for (const ws of sockets) ws.terminate();
    // Exit once the (large) report is flushed to the pipe, not before.
    process.stdout.write(`${JSON.stringify({ arrivals })}\n`, () => process.exit(0));
  }
});
