// MQTT over WebSocket in Node: the `ws` package's client (an optional peer dependency, also the
// mock's) when it is installed; without it the core's own RFC 6455 framing over node:net/tls
// (src/mqtt/websocket.ts), so ws:// and wss:// work either way.
import { createRequire } from 'node:module';
import { isIPv6 } from 'node:net';
import type { Socket, SocketOptions } from '../../src/platform';

interface WsClient {
  readyState: number;
  bufferedAmount: number;
  isPaused: boolean;
  pause(): void;
  resume(): void;
  on(event: string, fn: (...a: any[]) => void): void;
  send(b: Uint8Array, cb: (err?: Error) => void): void;
  close(code?: number): void;
  terminate(): void;
}
type WsClass = new (url: string, protocols: string, options: object) => WsClient;

function loadWs(): WsClass | null {
  try {
    return createRequire(import.meta.url)('ws') as WsClass;
  } catch {
    return null;
  }
}

/** Platform.webSocket over the `ws` package, or null when it is not installed. */
export function wsPackageClient(): ((o: SocketOptions, path: string) => Socket) | null {
  const Ws = loadWs();
  if (!Ws) return null;
  return (o, path) => {
    const host = isIPv6(o.host) ? '[' + o.host + ']' : o.host;
    const w = new Ws((o.tls ? 'wss://' : 'ws://') + host + ':' + o.port + path, 'mqtt', {
      perMessageDeflate: false,
      // as connect() does for mqtts: the CA given, TLS 1.2 or later, the host's name unless it is an address
      ca: o.tls ? o.tls.ca : undefined,
      servername: o.tls ? o.tls.servername || (/^[\d.:]+$/.test(o.host) ? undefined : o.host) : undefined,
      minVersion: 'TLSv1.2',
      // the session bounds MQTT packets; a WebSocket message holds one or a few
      maxPayload: 1 << 20,
    });
    let done = false;
    const fail = (e: Error) => {
      if (!done) o.onError(e);
    };
    w.on('open', () => o.onConnect());
    w.on('message', (data: Buffer, binary: boolean) => {
      if (binary) o.onData(new Uint8Array(data.buffer, data.byteOffset, data.length));
      else {
        fail(new Error('WebSocket: a text message (MQTT travels in binary messages)'));
        w.terminate();
      }
    });
    w.on('unexpected-response', (_req: unknown, res: { statusCode: number; statusMessage?: string }) => {
      fail(new Error('WebSocket upgrade refused: HTTP ' + res.statusCode + ' ' + (res.statusMessage || '')));
      w.terminate();
    });
    w.on('error', fail);
    w.on('close', () => {
      if (done) return;
      done = true;
      o.onClose();
    });
    // backpressure as connect() has it: unsent = what ws still buffers; reading paused above maxUnsent
    const sent = () => {
      if (w.bufferedAmount === 0) {
        if (w.isPaused) w.resume();
        if (!done && o.onDrain) o.onDrain();
      }
    };
    return {
      write: (b) => {
        if (w.readyState !== 1) return;
        w.send(b, sent);
        if (o.maxUnsent !== undefined && w.bufferedAmount > o.maxUnsent && !w.isPaused) w.pause();
      },
      unsent: () => w.bufferedAmount,
      close: () => {
        if (w.readyState === 0) w.terminate();
        else w.close(1000);
      },
    };
  };
}
