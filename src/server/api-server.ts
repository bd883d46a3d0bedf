import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { FEED_SOCKET_PATH } from '../api/feed-socket.js';
import { composeApi, type ApiComposition, type ComposeApiOptions } from './api-composition.js';

export interface ApiServer {
  server: Server;
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  /** The parts it serves (catalogue, feed, events…), for benchmarks and tests that look inside. */
  api: ApiComposition;
  /** Stops accepting connections, waits for in-flight requests to finish, then stops the parts. */
  close(): Promise<void>;
}

export interface StartApiOptions extends ComposeApiOptions {
  /** Overrides of PORT and HOST (tests and benchmarks listen on a free loopback port). */
  port?: number;
  host?: string;
}

/** Composes the API (./api-composition.ts), loads the catalogue, then listens. */
export async function startApi(options: StartApiOptions): Promise<ApiServer> {
  const { config } = options;
  const api = await composeApi(options);
  await api.catalogue.reload();
  return listenApi(api, options.port ?? config.PORT, options.host ?? config.HOST);
}

/** Serves a composed API over HTTP (the feed WebSocket on its upgrade path) until `close`. */
export async function listenApi(api: ApiComposition, port: number, host: string): Promise<ApiServer> {
  const server = createServer(api.app);
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname === FEED_SOCKET_PATH)
      api.push.socket.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  // Keep-alive longer than typical load balancer idle timeouts, so they close first.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${address.port}`,
    api,
    close: async () => {
      // Streams never end on their own: they are told the server is going (WebSocket 1001) first.
      api.push.connections.drain();
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      });
      await api.close();
    },
  };
}
