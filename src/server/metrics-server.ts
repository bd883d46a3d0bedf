import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { listenHttp } from '../util/listen-http.js';

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9464/metrics */
  url: string;
  close(): Promise<void>;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * A process without an HTTP API (the worker) serving its Prometheus registry: GET /metrics, behind
 * `Authorization: Bearer <apiKey>` when a key is given.
 */
export async function serveMetrics(
  registry: Registry,
  options: { port: number; host: string; apiKey?: string },
): Promise<MetricsServer> {
  const key = options.apiKey ? digest(options.apiKey) : undefined;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
    if (key && !(given !== undefined && timingSafeEqual(digest(given), key))) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('metrics need the METRICS_API_KEY\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  const base = await listenHttp(server, options.port, options.host);
  return {
    url: `${base}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
