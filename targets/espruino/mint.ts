// Espruino's ES256 mint in stages (driven by the core's lazy-signer.ts), and its first stage, the
// nonce. The job is data only (a MintJob), so each stage's Storage module is loaded while it runs and
// released after, and the peak is the largest stage, not the sum: akenza-nonce makes the nonce (RFC
// 6979), akenza-comb (comb-module.ts) the k*G, akenza-r (r.ts) r, akenza-s (s.ts) s. The steps are
// src/sign/p256/ecdsa.ts's: RFC 6979 nonces, blinded inversions, low-S, the stored public key
// checked by the first job; nothing branches on secret values.
import { concatBytes } from '../../src/bytes';
import { fail, OPTION_INVALID } from '../../src/errors';
import type { P256BindingOptions } from '../../src/sign/p256-binding';
import { fnFromBytes, fnReduce, fnToBytes } from '../../src/sign/p256/fn';
import { views } from '../../src/sign/p256/ecdsa';
import type { InvJob } from '../../src/sign/p256/inv';
import { zeroMask } from '../../src/sign/p256/limbs';
import { combStart, newCombJob, type CombJob } from '../../src/sign/p256/comb';
import { privateScalar } from '../../src/sign/p256/keypair';
import { drbgBlind, drbgInit, drbgNext, drbgUpdate, type Drbg } from '../../src/sign/p256/rfc6979';

// the stages' Storage modules (targets/espruino/modules.json)
export const NONCE_MOD = 'akenza-nonce';
export const COMB_MOD = 'akenza-comb';
export const R_MOD = 'akenza-r';
export const S_MOD = 'akenza-s';

/** One signature's state between turns. The core makes it with n, msg, d, pub and o; the stages fill the rest. */
export interface MintJob {
  /** The Storage module that runs the next stage (NONCE_MOD, COMB_MOD, R_MOD or S_MOD). */
  n: string;
  msg: Uint8Array;
  /** The private scalar's 32 bytes (1 <= d < n, checked by the first stage). */
  d: Uint8Array;
  /** The public point stored with the key while no signature has checked it. */
  pub?: Uint8Array;
  o: P256BindingOptions;
  /** The phase within the stage (below). */
  ph: number;
  /** The k*G (or the check's d*G): its recoded scalar, then its point. */
  c: CombJob;
  e: Int32Array;
  k: Int32Array;
  g: Drbg | null;
  seed: Uint8Array | null;
  /** The blinding value's bytes, from NONCE (where HMAC is loaded) to BLIND2. */
  bb: Uint8Array | null;
  /** The last stages' field elements (the comb's, reused): z^-1, b mod p, k^-1, b mod n, r, s, t. */
  zi: Int32Array;
  bp: Int32Array;
  ki: Int32Array;
  bn: Int32Array;
  r: Int32Array;
  s: Int32Array;
  t: Int32Array;
  /** The inversion mod p, then the one mod n (they share their field elements). */
  inv: InvJob;
  /** The signature, r || s, when done. */
  sig: Uint8Array | null;
}

// Phases, in order; a rejected nonce (k out of range, r = 0 or s = 0) goes back to NONCE (RETRY).
// akenza-nonce's:
const START = 0;
export const HASH = 1;
const SEED = 2;
const SEED2 = 3;
const NONCE = 4;
export const RETRY = 5;
// akenza-r's (after akenza-comb's point):
export const CHECKED = 6; // a d*G: compared with the stored point, then HASH
export const BLIND = 7;
export const ZINV = 8;
// akenza-s's:
export const BLIND2 = 9;
export const KINV = 10;
export const SIG = 11;

/** Runs akenza-nonce's next phase (one turn: a hash call or two HMACs at most); true when its stage is
 *  done (j.n names the next). */
export function mint(j: MintJob): boolean {
  if (j.ph === START) {
    // the job's field elements are views on one buffer (a view is a variable, a separate array
    // about five): e, k and the comb's, which the last stages reuse
    const f = views(9);
    j.e = f();
    j.k = f();
    j.c = newCombJob(f);
    privateScalar(j.k, j.d); // KEY_INVALID unless 1 <= d < n
    const check = j.pub && j.pub.length === 65;
    if (check) combStart(j.c, j.k); // the stored public point: d*G, compared by akenza-r
    j.k.fill(0);
    if (check) return go(j, CHECKED);
    j.ph = HASH;
  }
  const ph = j.ph;
  const g = j.g as Drbg;
  if (ph === HASH) {
    const h = j.o.hash(j.msg);
    if (h.length !== 32) fail(OPTION_INVALID, 'hash must return 32 bytes');
    fnFromBytes(j.e, h, 0); // bits2int(H(m)) mod n, plain
    fnReduce(j.e, j.e);
    j.ph = SEED;
  } else if (ph === SEED) {
    // int2octets(d) || bits2octets(h1) || k': d's bytes are the key's (d < n)
    const h1 = new Uint8Array(64);
    h1.set(j.d);
    fnToBytes(j.e, h1, 32);
    const parts: Uint8Array[] = [h1];
    const extra = j.o.extraEntropy;
    if (extra) {
      const k1 = extra();
      if (!(k1 instanceof Uint8Array)) fail(OPTION_INVALID, 'extraEntropy must return bytes');
      parts.push(k1);
    }
    j.seed = concatBytes(parts);
    h1.fill(0);
    j.g = drbgInit(j.o.hash, j.seed);
    j.ph = SEED2;
  } else if (ph === SEED2) {
    drbgUpdate(g, 1, j.seed as Uint8Array);
    (j.seed as Uint8Array).fill(0);
    j.seed = null;
    j.ph = NONCE;
  } else if (ph === RETRY) {
    drbgUpdate(g, 0);
    j.ph = NONCE;
  } else if (fnFromBytes(j.k, drbgNext(g), 0) && !zeroMask(j.k)) {
    // NONCE, a candidate in range. The blinding value (an HMAC that leaves the DRBG as it is) is
    // made now, while HMAC is loaded.
    j.bb = drbgBlind(g);
    combStart(j.c, j.k);
    return go(j, BLIND);
  } else j.ph = RETRY;
  return false;
}

/** Hands the job to akenza-comb for its point (j.c); akenza-r goes on at phase ph. */
function go(j: MintJob, ph: number): boolean {
  j.ph = ph;
  j.n = COMB_MOD;
  return true;
}
