// The QuickJS-style embedder as a Platform: the host injects its IO through one small object
// (QuickJsHost: sockets, timers, clock, randomness); ES256 on the BigInt-free P-256 signer, RS256 on BigInt.
import { sha256 } from '../../src/hash/sha256';
import { wsConnect } from '../../src/mqtt/websocket';
import { allUplinks } from '../../src/uplink/index';
import type { Platform, Socket, SocketOptions } from '../../src/platform';
import { p256Binding } from '../../src/sign/p256-binding';
import { combTable } from '../../src/sign/p256/keys';
import { createBigIntRs256Signer } from '../../src/sign/rs256.bigint';

/**
 * What the embedding host provides. Callbacks may be called at any later time, never from inside
 * the call that caused them; bytes are Uint8Array both ways.
 */
export interface QuickJsHost {
  /**
   * Opens a TCP (or TLS, when `tls` is set) connection. For write backpressure the socket returns
   * `unsent()` (bytes written that the host has not handed to the network yet) and calls
   * `onDrain()` when they reach 0; a host that can stops reading while unsent() is above
   * `maxUnsent`. Without unsent() every write counts as gone at once.
   */
  connect(options: { host: string; port: number; tls?: { ca?: string; servername?: string }; maxUnsent?: number }, events: {
    onConnect(): void;
    onData(bytes: Uint8Array): void;
    onError(message: string): void;
    onClose(): void;
    onDrain(): void;
  }): { write(bytes: Uint8Array): void; close(): void; unsent?(): number };
  setTimeout(fn: () => void, ms: number): number;
  clearTimeout(id: number): void;
  /** Wall clock, ms since the epoch. */
  now(): number;
  /** A monotonic ms clock, if the host has one (enables clock-step detection). */
  monotonic?(): number;
  /** Cryptographically strong random bytes. */
  randomBytes(n: number): Uint8Array;
  /**
   * Optional UDP (the CoAP and UDP fallback uplinks): one socket per call, bound to any local port;
   * `send` resolves host names itself. Without it only the HTTP fallback (HTTP/1.1 over `connect`) runs.
   */
  udp?(events: { onMessage(bytes: Uint8Array, address: string, port: number): void; onError?(message: string): void }): {
    send(bytes: Uint8Array, host: string, port: number): void;
    close(): void;
  };
}

// The comb table is computed on first use (about 80 ms in QuickJS) rather than shipped.
export const signers = p256Binding({ table: () => combTable(), hash: sha256, rs256: createBigIntRs256Signer });

export const createPlatform = (host: QuickJsHost): Platform => {
  const p: Platform = {
    connect(o: SocketOptions): Socket {
      return host.connect({ host: o.host, port: o.port, tls: o.tls, maxUnsent: o.maxUnsent }, {
        onConnect: () => o.onConnect(),
        onData: (b) => o.onData(b),
        onError: (m) => o.onError(new Error(m)),
        onClose: () => o.onClose(),
        onDrain: () => o.onDrain && o.onDrain(),
      });
    },
    setTimeout: (fn, ms) => host.setTimeout(fn, ms),
    clearTimeout: (h) => host.clearTimeout(h as number),
    now: () => host.now(),
    randomBytes: (n) => host.randomBytes(n),
    signers,
    // ws:// and wss://: the SDK's RFC 6455 framing over the host's connect()
    webSocket: (o, path) => wsConnect(p, o, path),
    // the fallback: HTTP/1.1 over connect(), CoAP and UDP over host.udp
    uplinks: allUplinks,
  };
  if (host.monotonic) p.monotonic = () => (host.monotonic as () => number)();
  const udp = host.udp;
  if (udp) p.udp = (o) => udp({ onMessage: (b, address, port) => o.onMessage(b, { address, port }), onError: (m) => o.onError && o.onError(new Error(m)) });
  return p;
};
