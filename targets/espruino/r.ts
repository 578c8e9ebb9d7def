// The third stage of Espruino's staged mint (mint.ts), the akenza-r Storage module: r = x mod n of
// akenza-comb's point, through a blinded inversion mod p (or, in a key's first job, the check of
// its stored public point against d*G). Only field and inversion code.
import { fail, KEY_INVALID } from '../../src/errors';
import { samePoint } from '../../src/sign/p256/ecdsa';
import { P, fpMul, fpSqr, fpToMont, fpToPlain } from '../../src/sign/p256/fp';
import { fnReduce } from '../../src/sign/p256/fn';
import { invRun, invStart, newInvJob } from '../../src/sign/p256/inv';
import { condSub, limbsFromBytes, zeroMask } from '../../src/sign/p256/limbs';
import { BLIND2, CHECKED, HASH, NONCE_MOD, RETRY, S_MOD, ZINV, type MintJob } from './mint';

/** Runs akenza-r's phases (CHECKED, or BLIND and ZINV) for one turn: ~20 ms of this interpreter's
 *  CPU (an inversion batch ~4), so no turn blocks the event loop for more than 50 ms. True when its
 *  stage is done: j.n is akenza-s, or akenza-nonce (after the check, or for another nonce: r = 0). */
export function stageR(j: MintJob): boolean {
  const c = j.c;
  let batches = 5;
  if (j.ph === CHECKED) {
    if (!samePoint(c.r, j.pub as Uint8Array)) fail(KEY_INVALID, 'the public key stored with the EC private key does not match it');
    j.pub = undefined;
    j.ph = HASH;
    j.n = NONCE_MOD;
    return true;
  }
  if (j.ph !== ZINV) {
    // BLIND. Both inversions run a variable-time algorithm (inv.ts) on blinded inputs: z b here, k b
    // in akenza-s, for a secret pseudo-random b (from the RFC 6979 state, see drbgBlind), then
    // multiply by b again. Their running time depends on z b and k b only, which are independent
    // of z and k. b = 0 mod p or mod n (probability 2^-256) falls back to b = 1.
    if (!j.inv) {
      // the comb's field elements that are free now (its table entries, y, its scalar wiped; after
      // z^-1 its x and z): fewer variables than new ones; the inversions' four are new
      c.b.fill(0);
      j.zi = c.qx, j.bp = c.qy, j.t = c.ny, j.r = c.r.y, j.ki = c.b;
      j.inv = newInvJob(P, 1); // -p^-1 mod 2^24 = 1; the inversion mod n takes its elements after
    }
    const bp = j.bp, t = j.t;
    limbsFromBytes(bp, j.bb as Uint8Array, 0);
    condSub(bp, bp, P);
    bp[0] |= zeroMask(bp) & 1;
    fpToMont(bp, bp);
    fpMul(t, c.r.z, bp); // z b
    fpToPlain(t, t);
    j.inv.m = P;
    j.inv.mPrime = 1;
    invStart(j.inv, t);
    j.ph = ZINV;
    batches = 3;
  }
  if (!invRun(j.inv, j.zi, batches)) return false;
  fpToMont(j.zi, j.zi); // (z b)^-1
  fpMul(j.zi, j.zi, j.bp); // z^-1
  // x = X / Z^2, then r = x mod n (x < p < 2*n, so one conditional subtraction)
  fpSqr(j.t, j.zi);
  fpMul(j.t, c.r.x, j.t);
  fpToPlain(j.r, j.t);
  fnReduce(j.r, j.r);
  const zero = zeroMask(j.r);
  // r = 0 (probability ~2^-256): akenza-nonce makes the next nonce
  j.ph = zero ? RETRY : BLIND2;
  j.n = zero ? NONCE_MOD : S_MOD;
  return true;
}
