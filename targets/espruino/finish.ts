// The last stage of Espruino's staged mint (mint.ts), in the akenza-finish Storage module: r and s
// from akenza-comb's point, through two blinded inversions. Only field, scalar and inversion code:
// no HMAC (a rejected r or s goes back to akenza-sign), no comb.
import { P, fpMul, fpSqr, fpToMont, fpToPlain } from '../../src/sign/p256/fp';
import { HALF_N, N, NPRIME, fnAdd, fnFromBytes, fnFromMont, fnMul, fnReduce, fnToBytes, fnToMont } from '../../src/sign/p256/fn';
import { invRun, invStart, newInvJob } from '../../src/sign/p256/inv';
import { cmov, condSub, limbsFromBytes, ltMask, zeroMask } from '../../src/sign/p256/limbs';
import { BLIND, BLIND2, KINV, RETRY, S, SIGN, ZINV, type MintJob } from './mint';

/** Work units (roughly ms of this interpreter's CPU on the test machine) a turn may take: ~20-25 ms,
 *  so no turn blocks the event loop for more than 50 ms. */
const BUDGET = 20;
const INV_BATCH = 4; // one batch of 22 divsteps (inv.ts)

/** Runs akenza-finish's phases for one turn; true when its stage is done: j.sig is out, or j.n is
 *  akenza-sign again for another nonce. */
export function finish(j: MintJob): boolean {
  let spent = 0;
  for (;;) {
    const ph = j.ph;
    // the frequent phases first: Espruino reads past every branch before the one that runs
    if (ph === ZINV || ph === KINV) {
      if (!invRun(j.inv, ph === ZINV ? j.zi : j.ki, (BUDGET - spent) / INV_BATCH)) return false;
      if (ph === KINV) {
        fnToMont(j.ki, j.ki); // (k b)^-1
        fnMul(j.ki, j.ki, j.bn); // k^-1 (Montgomery)
        j.ph = S;
        return false;
      }
      fpToMont(j.zi, j.zi); // (z b)^-1
      fpMul(j.zi, j.zi, j.bp); // z^-1
      // x = X / Z^2, then r = x mod n (x < p < 2*n, so one conditional subtraction)
      fpSqr(j.t, j.zi);
      fpMul(j.t, j.c.r.x, j.t);
      fpToPlain(j.r, j.t);
      fnReduce(j.r, j.r);
      if (zeroMask(j.r)) break;
      j.ph = BLIND2;
      return false;
    } else if (ph === BLIND) {
      // Both inversions run a variable-time algorithm (inv.ts) on blinded inputs: z b and k b for a
      // secret pseudo-random b (from the RFC 6979 state, see drbgBlind), then multiply by b again.
      // Their running time depends on z b and k b only, which are independent of z and k. b = 0 mod
      // p or mod n (probability 2^-256) falls back to b = 1.
      const c = j.c;
      if (!j.inv) {
        // the comb's field elements that are free now (its table entries, y, its scalar wiped), and
        // after z^-1 its x and z: fewer variables than new ones; the inversions' four are new
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
      spent = 6;
    } else if (ph === BLIND2) {
      // b mod n, k b, and the inversion mod n started: a turn
      j.bn = j.c.r.z, j.s = j.c.r.x;
      const bn = j.bn, ki = j.ki;
      fnFromBytes(bn, j.bb as Uint8Array, 0);
      (j.bb as Uint8Array).fill(0);
      j.bb = null;
      fnReduce(bn, bn);
      bn[0] |= zeroMask(bn) & 1;
      fnToMont(bn, bn);
      fnToMont(ki, j.k);
      fnMul(ki, ki, bn); // k b (Montgomery)
      fnFromMont(ki, ki);
      j.inv.m = N;
      j.inv.mPrime = NPRIME;
      invStart(j.inv, ki);
      j.ph = KINV;
      return false;
    } else {
      // S: s = k^-1 (e + r d) mod n, in Montgomery form (d R from the key's bytes): a turn
      const s = j.s, t = j.t;
      fnFromBytes(s, j.d, 0);
      fnToMont(s, s);
      fnToMont(t, j.r);
      fnMul(t, t, s);
      fnToMont(s, j.e);
      fnAdd(t, t, s);
      fnMul(s, j.ki, t);
      fnFromMont(s, s);
      if (zeroMask(s)) break;
      // low-S: s > n/2 -> n - s (mask select, no branch)
      const high = ltMask(HALF_N, s);
      let c = 0;
      for (let i = 0; i < 11; i++) {
        const v = N[i] - s[i] + c;
        c = v >> 24;
        t[i] = v & 16777215;
      }
      cmov(s, t, high);
      const sig = new Uint8Array(64);
      fnToBytes(j.r, sig, 0);
      fnToBytes(s, sig, 32);
      j.k.fill(0);
      j.c.b.fill(0);
      j.ki.fill(0);
      j.bn.fill(0);
      t.fill(0);
      j.inv.d.fill(0);
      j.inv.e.fill(0);
      j.sig = sig;
      return true;
    }
  }
  // r = 0 or s = 0 (probability ~2^-256): akenza-sign makes the next nonce
  j.ph = RETRY;
  j.n = SIGN;
  return true;
}
