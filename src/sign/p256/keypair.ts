// P-256 key material on a loaded comb table: private scalar checks, public key derivation
// (65-byte uncompressed point), key pair generation from a caller's RNG, and the SPKI DER encoding
// used for upload and `kid`. keys.ts adds the computed-table defaults.
import { fail, KEY_INVALID, OPTION_INVALID } from '../../errors';
import { fpToBytes } from './fp';
import { fnFromBytes } from './fn';
import { newFe, zeroMask } from './limbs';
import { combMul, type CombTable } from './comb';
import { newPoint, toAffine } from './point';

/** Private key bytes -> plain scalar limbs; KEY_INVALID unless 32 bytes with 1 <= d < n. */
export function privateScalar(o: Int32Array, privateKey: Uint8Array): void {
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== 32) fail(KEY_INVALID, 'P-256 private key must be 32 bytes');
  const lt = fnFromBytes(o, privateKey, 0);
  if (!lt || zeroMask(o)) fail(KEY_INVALID, 'P-256 private key out of range');
}

/** 65-byte uncompressed public point 0x04 || x || y for a 32-byte private key. */
export function publicKeyFromTable(privateKey: Uint8Array, table: CombTable): Uint8Array {
  const d = newFe();
  privateScalar(d, privateKey);
  const p = newPoint();
  combMul(p, d, table);
  d.fill(0);
  const x = newFe();
  const y = newFe();
  toAffine(x, y, p);
  const out = new Uint8Array(65);
  out[0] = 4;
  fpToBytes(x, out, 1);
  fpToBytes(y, out, 33);
  return out;
}

export interface P256KeyPair {
  privateKey: Uint8Array; // 32 bytes
  publicKey: Uint8Array; // 65 bytes, uncompressed
}

/**
 * A fresh key pair from `randomBytes(n)` (the platform RNG: E.hwRand-based on Espruino,
 * node:crypto in Node). Rejection sampling: candidates outside [1, n) (probability ~2^-32) are redrawn.
 */
export function generateKeyPairFromTable(randomBytes: (n: number) => Uint8Array, table: CombTable): P256KeyPair {
  const d = newFe();
  for (let i = 0; i < 64; i++) {
    const sk = randomBytes(32);
    if (!(sk instanceof Uint8Array) || sk.length !== 32) fail(OPTION_INVALID, 'randomBytes(32) must return 32 bytes');
    if (fnFromBytes(d, sk, 0) && !zeroMask(d)) {
      const out = new Uint8Array(32);
      out.set(sk);
      return { privateKey: out, publicKey: publicKeyFromTable(out, table) };
    }
  }
  return fail(OPTION_INVALID, 'randomBytes keeps returning out-of-range keys');
}

// SEQUENCE { SEQUENCE { OID id-ecPublicKey 1.2.840.10045.2.1, OID prime256v1 1.2.840.10045.3.1.7 },
//            BIT STRING (0 unused bits) point }
const SPKI_PREFIX = [
  0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86,
  0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/** DER SubjectPublicKeyInfo (91 bytes) for a 65-byte uncompressed P-256 point. */
export function publicKeyToSpki(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 65 || publicKey[0] !== 4) fail(KEY_INVALID, 'expected a 65-byte uncompressed P-256 point');
  const out = new Uint8Array(SPKI_PREFIX.length + 65);
  for (let i = 0; i < SPKI_PREFIX.length; i++) out[i] = SPKI_PREFIX[i];
  out.set(publicKey, SPKI_PREFIX.length);
  return out;
}
