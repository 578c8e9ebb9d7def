// Server-Sent Events for the console: a bounded set of clients, each sent one batch of news at most
// every `intervalMs` (so 1,000 uplinks a second cost the mock a few writes, not 1,000 per client).
// A client whose unsent bytes pass `maxQueuedBytes` (a stalled tab, a reader that never reads) is
// dropped at its next message, never buffered without end; past `maxClients` a new stream is refused with 503.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SseLimits {
  /** Streams open at once. Default 8. */
  maxClients: number;
  /** Bytes written to a client but not yet taken by its socket, past which it is dropped. Default 1 MiB. */
  maxQueuedBytes: number;
  /** Batch period. Default 250 ms. */
  intervalMs: number;
  /** A comment line this often keeps idle streams (and proxies) open. Default 15 s. */
  heartbeatMs: number;
}

export const DEFAULT_SSE_LIMITS: SseLimits = { maxClients: 8, maxQueuedBytes: 1024 * 1024, intervalMs: 250, heartbeatMs: 15000 };

interface Client {
  res: ServerResponse;
  lastWrite: number;
}

export class SseHub {
  private readonly clients = new Set<Client>();
  private timer?: NodeJS.Timeout;
  /** Clients dropped for falling behind, since start. */
  dropped = 0;
  /** Streams refused for the client bound, since start. */
  refused = 0;
  private closed = false;

  /** `batch()` returns the next message's data (JSON), or null when nothing changed. */
  constructor(
    private readonly batch: () => string | null,
    readonly limits: SseLimits = DEFAULT_SSE_LIMITS,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** Takes a GET of the event stream (already authorized); `first` is sent at once (the state the page starts from). Returns false when refused. */
  open(req: IncomingMessage, res: ServerResponse, first: string): boolean {
    if (this.closed || this.clients.size >= this.limits.maxClients) {
      this.refused++;
      const body = 'too many console streams open (at most ' + this.limits.maxClients + ')\n';
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), 'retry-after': '5', 'cache-control': 'no-store' });
      res.end(body);
      return false;
    }
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const c: Client = { res, lastWrite: Date.now() };
    this.clients.add(c);
    const gone = () => this.remove(c);
    res.on('close', gone);
    res.on('error', gone);
    this.write(c, 'retry: 2000\n' + 'data: ' + first + '\n\n');
    if (!this.timer) this.timer = setInterval(() => this.tick(), this.limits.intervalMs);
    return true;
  }

  private remove(c: Client): void {
    if (!this.clients.delete(c)) return;
    if (!c.res.destroyed) c.res.destroy();
    if (this.clients.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /**
   * Writes `text`, unless the client still has more than maxQueuedBytes unsent: then it is dropped. So
   * a client holds at most the bound plus one message (a batch is bounded by its events' count).
   */
  private write(c: Client, text: string): void {
    if (c.res.destroyed) return this.remove(c);
    if (c.res.writableLength > this.limits.maxQueuedBytes) {
      this.dropped++;
      this.log('console: dropped an event stream from ' + (c.res.socket?.remoteAddress || '?') + ': ' + c.res.writableLength + ' bytes unread (more than ' + this.limits.maxQueuedBytes + ')');
      return this.remove(c);
    }
    c.res.write(text);
    c.lastWrite = Date.now();
  }

  /** One batch to every client (the batch is built once), or a heartbeat to those idle too long. */
  tick(): void {
    if (this.clients.size === 0) return;
    const data = this.batch();
    const now = Date.now();
    for (const c of [...this.clients]) {
      if (data !== null) this.write(c, 'data: ' + data + '\n\n');
      else if (now - c.lastWrite >= this.limits.heartbeatMs) this.write(c, ': keep-alive\n\n');
    }
  }

  /** Ends every stream (the mock is closing). */
  close(): void {
    this.closed = true;
    for (const c of [...this.clients]) {
      c.res.end();
      this.remove(c);
    }
  }
}
