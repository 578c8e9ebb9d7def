// akenza-device for QuickJS-style embedders: the host injects its IO through one small object
// (sockets, timers, clock, randomness). ES256 uses the BigInt-free P-256 signer (smaller and, in
// QuickJS, within 2x of noble); RS256 uses BigInt, which QuickJS has.
import { createDevice as createCoreDevice, type Device, type DeviceOptions } from '../../src/device/device';
import { sha256 } from '../../src/hash/sha256';
import { keyPairPems } from '../../src/keys';
import type { Platform, Socket, SocketOptions } from '../../src/platform';
import { makeSignJwt } from '../../src/sign/sign-jwt';
import { p256Binding } from '../../src/sign/p256-binding';
import { generateKeyPairFromTable } from '../../src/sign/p256/keypair';
import { combTable } from '../../src/sign/p256/keys';
import { createBigIntRs256Signer } from '../../src/sign/rs256.bigint';

export { parsePrivateKey, parsePublicKey, fingerprint } from '../../src/keys';
export { AkenzaError } from '../../src/errors';

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

// The comb table is computed on first use (about 80 ms in QuickJS) rather than shipped.
const signers = p256Binding({ table: () => combTable(), hash: sha256, rs256: createBigIntRs256Signer });

export const signJwt = makeSignJwt(signers);

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
    signers,
  };
  if (host.monotonic) p.monotonic = () => (host.monotonic as () => number)();
  return p;
}

export function createDevice(options: DeviceOptions, host: QuickJsHost): Device {
  return createCoreDevice(createPlatform(host), options);
}

/** A new ES256 key pair from the host's RNG: PKCS#8 + SPKI PEM and the fingerprint to register. */
export function generateKeyPair(host: QuickJsHost) {
  const kp = generateKeyPairFromTable((n) => host.randomBytes(n), combTable());
  return keyPairPems(kp.privateKey, kp.publicKey);
}
