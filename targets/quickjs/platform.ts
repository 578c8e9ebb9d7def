// The QuickJS-style embedder as a Platform: the host injects its IO through one small object
// (QuickJsHost: sockets, timers, clock, randomness); ES256 on the BigInt-free P-256 signer, RS256 on BigInt.
import { sha256 } from '../../src/hash/sha256';
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
  };
  if (host.monotonic) p.monotonic = () => (host.monotonic as () => number)();
  return p;
};
