/** One open stream (an SSE response or a WebSocket) as the registry sees it. */
export interface StreamConnection {
  /** Every heartbeat interval: an SSE comment, a WebSocket ping (and a check for the last pong). */
  heartbeat(): void;
  /** Ends the stream because the server is shutting down. */
  drain(): void;
}

/**
 * The replica's open streams: one timer beats them all (every 15 s), and shutdown drains them so
 * the HTTP server can close (streams never end on their own).
 */
export class StreamConnections {
  private readonly open = new Set<StreamConnection>();
  private readonly timer: NodeJS.Timeout;
  private draining = false;

  constructor(heartbeatMs = 15_000) {
    this.timer = setInterval(() => {
      for (const connection of this.open) connection.heartbeat();
    }, heartbeatMs);
    this.timer.unref();
  }

  get size(): number {
    return this.open.size;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Registers a stream; the returned function forgets it (call it when the stream ends). */
  add(connection: StreamConnection): () => void {
    this.open.add(connection);
    return () => this.open.delete(connection);
  }

  /** Ends every stream (and refuses new ones, see isDraining). */
  drain(): void {
    this.draining = true;
    clearInterval(this.timer);
    for (const connection of [...this.open]) connection.drain();
    this.open.clear();
  }
}
