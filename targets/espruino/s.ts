// The last stage of Espruino's staged mint (mint.ts), the akenza-s Storage module: s = k^-1 (e + r d)
// mod n, low-S, through a blinded inversion mod n (see r.ts). Only scalar and inversion code.
import { N, NPRIME, fnFromMont, fnMul, fnReduce, fnToBytes, fnToMont } from '../../src/sign/p256/fn';
import { invRun, invStart } from '../../src/sign/p256/inv';
import { ltMask, limbsFromBytes, zeroMask } from '../../src/sign/p256/limbs';
import { BLIND2, KINV, NONCE_MOD, RETRY, SIG, type MintJob } from './mint';

/** Runs akenza-s's phases (BLIND2, KINV, then s) for one turn: ~20 ms of this interpreter's CPU at
 *  most. True when its stage is done: j.sig is out, or j.n is akenza-nonce for another nonce (s = 0). */
export function stageS(j: MintJob): boolean {
  const ph = j.ph;
  const c = j.c;
  const ki = j.ki;
  if (ph === BLIND2) {
    // b mod n, k b, and the inversion mod n started (r's x and z are free now)
    const bn = (j.bn = c.r.z);
    j.s = c.r.x;
    limbsFromBytes(bn, j.bb as Uint8Array, 0); // < 2^256 < 2n
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
  }
  if (ph === KINV) {
    if (invRun(j.inv, ki, 5)) {
      fnToMont(ki, ki); // (k b)^-1
      fnMul(ki, ki, j.bn); // k^-1 (Montgomery)
      j.ph = SIG; // next turn
    }
    return false;
  }
  // SIG: s = k^-1 (e + r d) mod n in Montgomery form, d R from the key's bytes (d < n)
  const s = j.s, t = j.t;
  limbsFromBytes(s, j.d, 0);
  fnToMont(s, s);
  fnToMont(t, j.r);
  fnMul(t, t, s); // r d R, < 2n
  fnToMont(s, j.e); // e R, < 2n
  // t + s < 4n without a reduction: fnMul takes inputs below 4n (a b < 16 n^2 < n R, R = 2^264),
  // and its output is below 2n
  let i = 0, v = 0, cy = 0;
  for (i = 0; i < 10; i++) {
    v = t[i] + s[i] + cy;
    cy = v >> 24;
    t[i] = v & 16777215;
  }
  t[10] += s[10] + cy;
  fnMul(s, ki, t);
  fnFromMont(s, s);
  if (zeroMask(s)) {
    // s = 0 (probability ~2^-256): akenza-nonce makes the next nonce
    j.ph = RETRY;
    j.n = NONCE_MOD;
    return true;
  }
  // low-S: s > n/2, i.e. n - s < s (n is odd) -> n - s (mask select, no branch)
  for (i = 0, cy = 0; i < 11; i++) {
    v = N[i] - s[i] + cy;
    cy = v >> 24;
    t[i] = v & 16777215;
  }
  const high = ltMask(t, s);
  for (i = 0; i < 11; i++) s[i] ^= (s[i] ^ t[i]) & high;
  const sig = new Uint8Array(64);
  fnToBytes(j.r, sig, 0);
  fnToBytes(s, sig, 32);
  j.k.fill(0);
  ki.fill(0);
  j.bn.fill(0);
  t.fill(0);
  j.inv.d.fill(0);
  j.inv.e.fill(0);
  j.sig = sig;
  return true;
}
