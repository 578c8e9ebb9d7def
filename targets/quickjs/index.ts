// akenza-device for QuickJS-style embedders: the host injects its IO through one small object
// (sockets, timers, clock, randomness); signing uses noble ES256 and BigInt RS256 (QuickJS has BigInt).
import { createDevice as createCoreDevice, type Device, type DeviceOptions } from '../../src/device/device';
import { portableSigners } from '../../src/index';
import type { Platform, SocketOptions, Socket } from '../../src/platform';

export { signJwt, parsePrivateKey, parsePublicKey, fingerprint, AkenzaError } from '../../src/index';
import { generateKeyPair as generate } from '../../src/index';

/**
 * What the embedding host provides. Callbacks may be called at any later time, never from inside
 * the call that caused them; bytes are Uint8Array both ways.
 */
export interface QuickJsHost {
  /** Opens a TCP (or TLS, when `tls` is set) connection. */
  connect(options: { host: string; port: number; tls?: { ca?: string; servername?: string } }, events: {
    onConnect(): void;
    onData(bytes: Uint8Array): void;
    onError(message: string): void;
    onClose(): void;
  }): { write(bytes: Uint8Array): void; close(): void };
  setTimeout(fn: () => void, ms: number): number;
  clearTimeout(id: number): void;
  /** Wall clock, ms since the epoch. */
  now(): number;
  /** A monotonic ms clock, if the host has one (enables clock-step detection). */
  monotonic?(): number;
  /** Cryptographically strong random bytes. */
  randomBytes(n: number): Uint8Array;
}

export function createPlatform(host: QuickJsHost): Platform {
  const p: Platform = {
    connect(o: SocketOptions): Socket {
      return host.connect({ host: o.host, port: o.port, tls: o.tls }, {
        onConnect: () => o.onConnect(),
        onData: (b) => o.onData(b),
        onError: (m) => o.onError(new Error(m)),
        onClose: () => o.onClose(),
      });
    },
    setTimeout: (fn, ms) => host.setTimeout(fn, ms),
    clearTimeout: (h) => host.clearTimeout(h as number),
    now: () => host.now(),
    randomBytes: (n) => host.randomBytes(n),
    signers: portableSigners,
  };
  if (host.monotonic) p.monotonic = () => (host.monotonic as () => number)();
  return p;
}

export function createDevice(options: DeviceOptions, host: QuickJsHost): Device {
  return createCoreDevice(createPlatform(host), options);
}

/** A new ES256 key pair from the host's RNG: PKCS#8 + SPKI PEM and the fingerprint to register. */
export function generateKeyPair(host: QuickJsHost) {
  return generate((n) => host.randomBytes(n));
}
