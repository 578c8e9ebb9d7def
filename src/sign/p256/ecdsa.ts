// ES256 (ECDSA P-256 + SHA-256) signing core on plain Numbers: RFC 6979 nonces, low-S, JOSE r || s,
// as a resumable job so a slow engine can sign in bounded slices (see ../signer.ts for the contract).
// The core takes its hash and loaded comb table explicitly, so a device bundle carries neither the
// pure-JS SHA-256 nor the table computation (signer.ts adds those defaults).
import type { Signer, SignStep } from '../signer';
import type { Hash } from '../../hash/hash';
import { concatBytes } from '../../bytes';
import { fail, OPTION_INVALID } from '../../errors';
import { P, fpMul, fpSqr, fpToMont, fpToPlain } from './fp';
import { HALF_N, N, NPRIME, fnAdd, fnFromBytes, fnFromMont, fnMul, fnReduce, fnToBytes, fnToMont } from './fn';
import { invRun, invStart, newInvJob } from './inv';
import { cmov, condSub, limbsFromBytes, ltMask, newFe, zeroMask, LIMBS } from './limbs';
import { TABLES, combStart, combStep, newCombJob, type CombTable } from './comb';
import { privateScalar } from './keypair';
import { drbgBlind, drbgInit, drbgInit2, drbgNext, drbgReseed, type Drbg } from './rfc6979';

export interface P256CoreOptions {
  /** 32-byte private scalar, 1 <= d < n. */
  privateKey: Uint8Array;
  /** The loaded comb table (loadCombTable). */
  table: CombTable;
  /** SHA-256 for the message hash and HMAC (a target's native one, or src/hash/sha256). */
  hash: Hash;
  /** RFC 6979 section 3.6 extra input k', called once per signature (e.g. 32 hardware-random bytes). */
  extraEntropy?: () => Uint8Array;
  /**
   * Work per step, in field-multiplication units (a comb column is ~150, an inversion batch 3; a
   * SHA-256/HMAC phase is a step of its own). Default 150: at most ~2 ms per step in QuickJS on
   * this machine, 12 steps per signature (see BENCHMARKS-p256.md).
   */
  sliceBudget?: number;
}

// Job phases, in order; a rejected nonce (k out of range, r = 0 or s = 0) goes back to NONCE.
const HASH = 0;
const SEED = 1;
const SEED2 = 2;
const NONCE = 3;
const COMB = 4;
const BLIND = 5;
const ZINV = 6;
const KINV = 7;
const FINISH = 8;
const DONE = 9;

const COMB_COLUMN_COST = 8 + TABLES * 18; // a doubling + per table: mixed add, scan, selects
const INV_BATCH_COST = 3; // one batch of 22 divsteps (inv.ts), in field multiplications

export function createP256SignerCore(opts: P256CoreOptions): Signer {
  const d = newFe();
  privateScalar(d, opts.privateKey);
  const dBytes = new Uint8Array(32);
  fnToBytes(d, dBytes, 0);
  const dM = newFe();
  fnToMont(dM, d);
  d.fill(0);
  const table = opts.table;
  const hash = opts.hash;
  const budget = opts.sliceBudget && opts.sliceBudget > 0 ? opts.sliceBudget : 150;
  const extra = opts.extraEntropy;

  function start(message: Uint8Array): SignStep {
    let phase = HASH;
    let drbg: Drbg | null = null;
    let seed: Uint8Array | null = null;
    const e = newFe(); // bits2int(H(m)) mod n, plain
    const k = newFe();
    const comb = newCombJob();
    const zInv = newFe();
    const blindP = newFe();
    const invP = newInvJob(P, 1); // -p^-1 mod 2^24 = 1
    const kInv = newFe();
    const blind = newFe();
    const invN = newInvJob(N, NPRIME);
    const r = newFe();
    const s = newFe();
    const t = newFe();
    let result: Uint8Array | null = null;

    return function step(): Uint8Array | null {
      let spent = 0;
      while (phase !== DONE && spent < budget) {
        // hash calls are not divisible: they only start a slice, never extend one
        if (spent > 0 && phase <= SEED2) break;
        if (spent > 0 && phase === BLIND) break;
        if (phase === HASH) {
          const h = hash(message);
          if (h.length !== 32) fail(OPTION_INVALID, 'hash must return 32 bytes');
          fnFromBytes(e, h, 0);
          fnReduce(e, e);
          phase = SEED;
          spent = budget; // a hash call is a slice of its own
        } else if (phase === SEED) {
          const h1 = new Uint8Array(32);
          fnToBytes(e, h1, 0);
          const parts: Uint8Array[] = [dBytes, h1];
          if (extra) {
            const k1 = extra();
            if (!(k1 instanceof Uint8Array)) fail(OPTION_INVALID, 'extraEntropy must return bytes');
            parts.push(k1);
          }
          seed = concatBytes(parts);
          drbg = drbgInit(hash, seed);
          phase = SEED2;
          spent = budget;
        } else if (phase === SEED2) {
          drbgInit2(drbg as Drbg, seed as Uint8Array);
          (seed as Uint8Array).fill(0);
          seed = null;
          phase = NONCE;
          spent = budget;
        } else if (phase === NONCE) {
          const cand = drbgNext(drbg as Drbg);
          if (fnFromBytes(k, cand, 0) && !zeroMask(k)) {
            combStart(comb, k);
            phase = COMB;
          } else drbgReseed(drbg as Drbg);
          spent += 30;
        } else if (phase === COMB) {
          if (combStep(comb, table)) phase = BLIND;
          spent += COMB_COLUMN_COST;
        } else if (phase === BLIND) {
          // Both inversions run a variable-time algorithm (inv.ts) on blinded inputs: z b and k b for
          // a secret pseudo-random b (from the RFC 6979 state, see drbgBlind), then multiply by b
          // again. Their running time depends on z b and k b only, which are independent of z and
          // k. b = 0 mod p or mod n (probability 2^-256) falls back to b = 1.
          const bb = drbgBlind(drbg as Drbg);
          limbsFromBytes(blindP, bb, 0);
          condSub(blindP, blindP, P);
          blindP[0] |= zeroMask(blindP) & 1;
          fpToMont(blindP, blindP);
          fpMul(t, comb.r.z, blindP); // z b
          fpToPlain(t, t);
          invStart(invP, t);
          fnFromBytes(blind, bb, 0);
          fnReduce(blind, blind);
          blind[0] |= zeroMask(blind) & 1;
          fnToMont(blind, blind);
          fnToMont(kInv, k);
          fnMul(kInv, kInv, blind); // k b (Montgomery)
          fnFromMont(kInv, kInv);
          invStart(invN, kInv);
          phase = ZINV;
          spent = budget; // an HMAC call: a slice of its own
        } else if (phase === ZINV) {
          spent += INV_BATCH_COST;
          if (invRun(invP, zInv, (budget - spent) / INV_BATCH_COST + 1)) {
            fpToMont(zInv, zInv); // (z b)^-1
            fpMul(zInv, zInv, blindP); // z^-1
            // x = X / Z^2, then r = x mod n (x < p < 2*n, so one conditional subtraction)
            fpSqr(t, zInv);
            fpMul(t, comb.r.x, t);
            fpToPlain(r, t);
            fnReduce(r, r);
            spent += 4;
            if (zeroMask(r)) {
              drbgReseed(drbg as Drbg);
              phase = NONCE;
            } else phase = KINV;
          } else spent = budget;
        } else if (phase === KINV) {
          spent += INV_BATCH_COST;
          if (invRun(invN, kInv, (budget - spent) / INV_BATCH_COST + 1)) {
            fnToMont(kInv, kInv); // (k b)^-1
            fnMul(kInv, kInv, blind); // k^-1 (Montgomery)
            phase = FINISH;
          } else spent = budget;
        } else {
          // s = k^-1 (e + r d) mod n, all in Montgomery form
          fnToMont(t, r);
          fnMul(t, t, dM);
          fnToMont(s, e);
          fnAdd(t, t, s);
          fnMul(s, kInv, t);
          fnFromMont(s, s);
          spent += 6;
          if (zeroMask(s)) {
            drbgReseed(drbg as Drbg);
            phase = NONCE;
            continue;
          }
          // low-S: s > n/2 -> n - s (mask select, no branch)
          const high = ltMask(HALF_N, s);
          let c = 0;
          for (let i = 0; i < LIMBS; i++) {
            const v = N[i] - s[i] + c;
            c = v >> 24;
            t[i] = v & 16777215;
          }
          cmov(s, t, high);
          result = new Uint8Array(64);
          fnToBytes(r, result, 0);
          fnToBytes(s, result, 32);
          k.fill(0);
          comb.b.fill(0);
          kInv.fill(0);
          blind.fill(0);
          invN.d.fill(0);
          invN.e.fill(0);
          invN.f.fill(0);
          invN.g.fill(0);
          phase = DONE;
        }
      }
      return result;
    };
  }

  return { alg: 'ES256', start: start };
}


