// The ES256 Signer factory with defaults: the pure-JS SHA-256 unless a hash is given, the comb table
// from the given bytes or computed at start-up. Devices that ship the table and have a native
// SHA-256 can use createP256SignerCore (ecdsa.ts) and carry neither default.
import type { Signer } from '../signer';
import type { Hash } from '../../hash/hash';
import { sha256 } from '../../hash/sha256';
import { createP256SignerCore } from './ecdsa';
import { combTable } from './keys';

export interface P256SignerOptions {
  /** 32-byte private scalar, 1 <= d < n (else AkenzaError KEY_INVALID). */
  privateKey: Uint8Array;
  /** comb-table.bin bytes; computed once at start-up when absent. */
  table?: Uint8Array;
  /** SHA-256 for the message hash and HMAC (e.g. Espruino's crypto.SHA256); default: pure JS. */
  hash?: Hash;
  /** RFC 6979 section 3.6 extra input k', called once per signature (e.g. hardware-random bytes). */
  extraEntropy?: () => Uint8Array;
  /** Work per step in field-multiplication units (default 150, see ecdsa.ts). */
  sliceBudget?: number;
}

export function createP256Signer(opts: P256SignerOptions): Signer {
  return createP256SignerCore({
    privateKey: opts.privateKey,
    table: combTable(opts.table),
    hash: opts.hash || sha256,
    extraEntropy: opts.extraEntropy,
    sliceBudget: opts.sliceBudget,
  });
}
