// ECDSA P-256 verification (SHA-256, JOSE r || s) on the same arithmetic. Public data only, so it is
// plain variable-time double-and-add; slower than signing and not meant for the device's hot path.
import type { Hash } from '../../hash/hash';
import { sha256 } from '../../hash/sha256';
import { FP_ONE, fpFromBytes, fpToPlain } from './fp';
import { fnFromBytes, fnFromMont, fnInvVar, fnMul, fnReduce, fnToMont, N } from './fn';
import { condSub, newFe, zeroMask, LIMBS } from './limbs';
import { basePoint } from './comb';
import { newPoint, onCurveMask, pointAdd, pointDouble, toAffine, type JPoint } from './point';

/** Decodes a 65-byte uncompressed point; null unless 0x04 || x || y with x, y < p on the curve. */
export function decodePoint(pub: Uint8Array): JPoint | null {
  if (pub.length !== 65 || pub[0] !== 4) return null;
  const q = newPoint();
  if (!fpFromBytes(q.x, pub, 1) || !fpFromBytes(q.y, pub, 33)) return null;
  if (!onCurveMask(q.x, q.y)) return null;
  q.z.set(FP_ONE);
  return q;
}

function bit(a: Int32Array, i: number): number {
  return (a[(i / 24) | 0] >> i % 24) & 1;
}

/** True iff `sig` (64-byte r || s) is a valid ES256 signature of `message` under `publicKey` (65 bytes). */
export function verifyP256(sig: Uint8Array, message: Uint8Array, publicKey: Uint8Array, hash?: Hash): boolean {
  if (sig.length !== 64) return false;
  const q = decodePoint(publicKey);
  if (!q) return false;
  const r = newFe();
  const s = newFe();
  if (!fnFromBytes(r, sig, 0) || !fnFromBytes(s, sig, 32) || zeroMask(r) || zeroMask(s)) return false;
  const e = newFe();
  fnFromBytes(e, (hash || sha256)(message), 0);
  fnReduce(e, e);
  // w = s^-1, u1 = e w, u2 = r w (plain)
  const w = newFe();
  fnInvVar(w, s); // public values: variable time is fine
  fnToMont(w, w);
  const u1 = newFe();
  const u2 = newFe();
  fnToMont(u1, e);
  fnMul(u1, u1, w);
  fnFromMont(u1, u1);
  fnToMont(u2, r);
  fnMul(u2, u2, w);
  fnFromMont(u2, u2);
  // Shamir's trick with the complete (branching) addition: R = u1 G + u2 Q
  const g = basePoint();
  const gq = newPoint();
  pointAdd(gq, g, q);
  const acc = newPoint();
  for (let i = 255; i >= 0; i--) {
    pointDouble(acc, acc);
    const b1 = bit(u1, i);
    const b2 = bit(u2, i);
    if (b1 && b2) pointAdd(acc, acc, gq);
    else if (b1) pointAdd(acc, acc, g);
    else if (b2) pointAdd(acc, acc, q);
  }
  if (zeroMask(acc.z)) return false;
  const x = newFe();
  const y = newFe();
  toAffine(x, y, acc);
  fpToPlain(x, x);
  condSub(x, x, N); // x < p < 2*n
  for (let i = 0; i < LIMBS; i++) if (x[i] !== r[i]) return false;
  return true;
}
