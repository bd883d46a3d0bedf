import { createServer, type Server } from 'node:http';
import { FEED_SOCKET_PATH } from '../api/feed-socket.js';
import { listenHttp } from '../util/listen-http.js';
import { composeApi, type ApiComposition, type ComposeApiOptions } from './api-composition.js';

export interface ApiServer {
  server: Server;
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  /** Base URL of the probes' own listener (SIBYL_PROBE_PORT), when there is one. */
  probeUrl?: string;
  /** The parts it serves (catalogue, feed, events…), for benchmarks and tests that look inside. */
  api: ApiComposition;
  /** Stops accepting connections, waits for in-flight requests to finish, then stops the parts. */
  close(): Promise<void>;
}

export interface StartApiOptions extends ComposeApiOptions {
  /** Overrides of PORT, SIBYL_PROBE_PORT and HOST (tests and benchmarks listen on free loopback ports). */
  port?: number;
  probePort?: number;
  host?: string;
}

/** Composes the API (./api-composition.ts), loads the catalogue, then listens. */
export async function startApi(options: StartApiOptions): Promise<ApiServer> {
  const { config } = options;
  const api = await composeApi(options);
  await api.catalogue.reload();
  const probePort = options.probePort ?? config.SIBYL_PROBE_PORT;
  return listenApi(api, options.port ?? config.PORT, options.host ?? config.HOST, probePort);
}

/** What the probes' own listener answers; the rest of the API is on the main port only. */
const PROBE_PATHS = new Set(['/healthz', '/readyz']);

/**
 * The probes on a listener of their own, answered by the same app (the same readiness checks): a
 * closed-loop flood on the main port fills its accept queue, and a probe there waited seconds
 * behind it while this one answered within a second (BENCHMARKS.md, "Overload").
 */
function probeServer(api: ApiComposition): Server {
  return createServer((req, res) => {
    if (req.method === 'GET' && PROBE_PATHS.has(new URL(req.url ?? '/', 'http://localhost').pathname))
      api.app(req, res);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('only /healthz and /readyz here\n');
  });
}

const closeServer = (server: Server) =>
  new Promise<void>((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeIdleConnections();
  });

/** Serves a composed API over HTTP (the feed WebSocket on its upgrade path) until `close`. */
export async function listenApi(
  api: ApiComposition,
  port: number,
  host: string,
  probePort?: number,
): Promise<ApiServer> {
  const server = createServer(api.app);
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname === FEED_SOCKET_PATH)
      api.push.socket.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  // Keep-alive longer than typical load balancer idle timeouts, so they close first.
  server.keepAliveTimeout = 65_000;
  const url = await listenHttp(server, port, host);
  let probes: Server | undefined;
  let probeUrl: string | undefined;
  if (probePort !== undefined) {
    probes = probeServer(api);
    try {
      probeUrl = await listenHttp(probes, probePort, host);
    } catch (err) {
      await closeServer(server);
      throw err;
    }
  }
  return {
    server,
    url,
    ...(probeUrl ? { probeUrl } : {}),
    api,
    close: async () => {
      // Streams never end on their own: they are told the server is going (WebSocket 1001) first.
      api.push.connections.drain();
      await closeServer(server);
      await api.close();
      // Last: an orchestrator's liveness probe is answered until the replica is gone.
      if (probes) await closeServer(probes);
    },
  };
}
