import WebSocket from 'ws';

/** Anything a stream delivered, as parsed JSON. */
export type Json = Record<string, unknown> & { type?: string; seq?: number; msg?: Record<string, unknown> };

/** Waits for a condition on what arrived; fails (never passes) if it never comes. */
export async function until<T>(check: () => T | undefined, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A WebSocket client of /v1/stream that records every message. */
export class SocketClient {
  readonly messages: Json[] = [];
  closed: { code: number; reason: string } | undefined;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.messages.push(JSON.parse(String(data)) as Json));
    ws.on('close', (code, reason) => (this.closed = { code, reason: String(reason) }));
  }

  static async open(baseUrl: string, token?: string): Promise<SocketClient> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/v1/stream${token ? `?token=${encodeURIComponent(token)}` : ''}`;
    const ws = new WebSocket(url);
    const client = new SocketClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
    return client;
  }

  /** Sends a command and returns the reply with its id (subscribed, unsubscribed or error). */
  async command(id: number, cmd: string, params: Record<string, unknown>): Promise<Json> {
    this.ws.send(JSON.stringify({ id, cmd, params }));
    return until(() => this.messages.find((m) => m.id === id), `reply to command ${id}`);
  }

  /** Pushed events (not replies), as their `msg`. */
  events(): Json[] {
    return this.messages
      .filter((m) => m.sid !== undefined && m.msg && m.id === undefined)
      .map((m) => m.msg as Json);
  }

  async nextEvent(predicate: (e: Json) => boolean, what: string): Promise<Json> {
    return until(() => this.events().find(predicate), what);
  }

  async waitClosed(): Promise<{ code: number; reason: string }> {
    return until(() => this.closed, 'the socket to close');
  }

  close(): void {
    this.ws.close();
  }
}

/** A Server-Sent Events client (fetch, reading the body as it comes). */
export class SseClient {
  readonly events: (Json & { id?: string; event?: string })[] = [];
  readonly comments: string[] = [];
  ended = false;
  private constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
    void this.read();
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient | Response> {
    const abort = new AbortController();
    const res = await fetch(url, {
      headers: { Accept: 'text/event-stream', ...headers },
      signal: abort.signal,
    });
    if (res.status !== 200) return res;
    return new SseClient(res, abort);
  }

  private async read(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of this.response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
            else {
              const i = line.indexOf(':');
              fields[line.slice(0, i)] = line.slice(i + 1).trimStart();
            }
          }
          if (fields.data)
            this.events.push({ ...(JSON.parse(fields.data) as Json), id: fields.id, event: fields.event });
        }
      }
    } catch {
      // aborted
    }
    this.ended = true;
  }

  async nextComment(text: string): Promise<string> {
    return until(() => this.comments.find((c) => c === text), `the comment "${text}"`);
  }

  async next(predicate: (e: Json & { event?: string }) => boolean, what: string): Promise<Json> {
    return until(() => this.events.find(predicate), what);
  }

  close(): void {
    this.abort.abort();
  }
}
