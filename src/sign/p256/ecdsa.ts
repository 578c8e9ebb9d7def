// ES256 (ECDSA P-256 + SHA-256) signing core on plain Numbers: RFC 6979 nonces, low-S, JOSE r || s,
// as a resumable job so a slow engine can sign in bounded slices (see ../signer.ts for the contract).
// The core takes its hash and loaded comb table explicitly, so a device bundle carries neither the
// pure-JS SHA-256 nor the table computation (signer.ts adds those defaults).
import type { Signer, SignStep } from '../signer';
import type { Hash } from '../../hash/hash';
import { concatBytes } from '../../bytes';
import { fail, KEY_INVALID, OPTION_INVALID } from '../../errors';
import { P, fpFromBytes, fpMul, fpSqr, fpToMont, fpToPlain } from './fp';
import { HALF_N, N, NPRIME, fnAdd, fnFromBytes, fnFromMont, fnMul, fnReduce, fnToBytes, fnToMont } from './fn';
import { invRun, invStart, newInvJob, type InvJob } from './inv';
import { cmov, condSub, limbsFromBytes, ltMask, newFe, zeroMask, LIMBS } from './limbs';
import type { JPoint } from './point';
import { combPart, combStart, newCombJob, type CombJob, type CombTable } from './comb';
import { privateScalar } from './keypair';
import { drbgBlind, drbgInit, drbgNext, drbgUpdate, type Drbg } from './rfc6979';

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
   * Work per step, in field-multiplication units (a comb part: one table's lookup and addition 18,
   * a column's doubling 8; an inversion batch 3; a SHA-256/HMAC phase is a step of its own).
   * Default 150: at most ~2 ms per step in QuickJS on this machine. Espruino gives its own costs
   * (roughly ms there) and a budget of 20.
   */
  sliceBudget?: number;
  /**
   * The 65-byte public point stored with the key, when there is one: the first signing job checks
   * d*G against it in the same bounded steps (no multi-second check when the signer is made) and
   * fails with KEY_INVALID on a mismatch, as does every later job until one check has passed.
   */
  publicKey?: Uint8Array;
  /** Work units of the parts (default: field multiplications as QuickJS runs them: part 18, double 8, invBatch 3, modn 8). */
  costs?: P256Costs;
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
const CHECK = 10; // before HASH in a job while the stored public key is unchecked
const BLIND2 = 11; // between ZINV and KINV: the mod-n half of BLIND, in two parts (BLIND2, BLIND3)
const BLIND3 = 12;
const FINISH0 = 13; // before FINISH: t = e + r d
/** Work units of a job's parts (sliceBudget counts them); a target whose relative costs differ passes its own. */
export interface P256Costs {
  /** A comb part: one table's lookup and mixed addition (default 18 field multiplications). */
  part: number;
  /** A column's doubling, a part of its own (8). */
  double: number;
  /** One batch of 22 divsteps (inv.ts) (3). */
  invBatch: number;
  /** A part of at most 2 multiplications mod n and reductions, whole in one slice (8). */
  modn: number;
}

export function createP256SignerCore(opts: P256CoreOptions): Signer {
  const dd = new Int32Array(2 * LIMBS); // d and dM: two views on one buffer (see start)
  const d = dd.subarray(0, LIMBS);
  const dM = dd.subarray(LIMBS);
  privateScalar(d, opts.privateKey);
  fnToMont(dM, d); // (the bytes of d for RFC 6979 are made from dM per job: not held between jobs)
  // kept for the stored public key's check (the first job's CHECK phase), then wiped
  let unchecked: Int32Array | null = opts.publicKey ? new Int32Array(d) : null;
  d.fill(0);
  const table = opts.table;
  const hash = opts.hash;
  const budget = opts.sliceBudget && opts.sliceBudget > 0 ? opts.sliceBudget : 150;
  const pub = opts.publicKey; // (not opts: nothing else of it is held)
  const extra = opts.extraEntropy, cost = opts.costs || { part: 18, double: 8, invBatch: 3, modn: 8 }; // (made only when not given)

  function start(message: Uint8Array): SignStep {
    let phase = unchecked ? CHECK : HASH;
    let check: CombJob | null = null;
    let drbg: Drbg | null = null;
    let seed: Uint8Array | null = null;
    // the job's field elements (its comb and inversion jobs' included) are views on one buffer: on
    // Espruino a view is a variable, a separate 11-limb array about five. Those of the comb now,
    // the rest (15) when the comb is done (BLIND): not held beside the comb's kernels (the peak).
    let fe: (() => Int32Array) | null = views(9);
    const e = fe(); // bits2int(H(m)) mod n, plain
    const k = fe();
    const comb = newCombJob(fe);
    fe = null; // (a closure: not held for the job's length)
    let zInv: Int32Array, blindP: Int32Array, invP: InvJob, kInv: Int32Array, blind: Int32Array;
    let invN: InvJob, r: Int32Array, s: Int32Array, t: Int32Array;
    let late = false;
    let bb: Uint8Array | null = null; // the blinding value's bytes, BLIND to BLIND2
    let result: Uint8Array | null = null;

    return function step(): Uint8Array | null {
      let spent = 0;
      while (phase !== DONE && spent < budget) {
        // hash calls are not divisible: they only start a slice, never extend one
        if (spent > 0 && phase <= SEED2) break;
        if (spent > 0 && phase === BLIND) break;
        // the frequent phases first: Espruino reads past every branch before the one that runs
        if (phase === COMB) {
          spent += (comb.j < 0 ? cost.double : cost.part) * (comb.w || 1);
          if (combPart(comb, table)) phase = BLIND;
        } else if (phase === ZINV) {
          spent += cost.invBatch;
          if (invRun(invP, zInv, (budget - spent) / cost.invBatch + 1)) {
            fpToMont(zInv, zInv); // (z b)^-1
            fpMul(zInv, zInv, blindP); // z^-1
            // x = X / Z^2, then r = x mod n (x < p < 2*n, so one conditional subtraction)
            fpSqr(t, zInv);
            fpMul(t, comb.r.x, t);
            fpToPlain(r, t);
            fnReduce(r, r);
            spent += 4;
            if (zeroMask(r)) {
              drbgUpdate(drbg as Drbg, 0);
              phase = NONCE;
            } else phase = BLIND2;
          } else spent = budget;
        } else if (phase === KINV) {
          spent += cost.invBatch;
          if (invRun(invN, kInv, (budget - spent) / cost.invBatch + 1)) {
            fnToMont(kInv, kInv); // (k b)^-1
            fnMul(kInv, kInv, blind); // k^-1 (Montgomery)
            phase = FINISH0;
          } else spent = budget;
        } else if (phase === CHECK) {
          if (!check) {
            check = newCombJob();
            combStart(check, unchecked as Int32Array);
          }
          if (check.col < 0) {
            // d*G is done: the comparison (5 multiplications, 4 conversions) in a slice of its own
            if (spent > 0) break;
            if (!samePoint(check.r, pub as Uint8Array)) fail(KEY_INVALID, 'the public key stored with the EC private key does not match it');
            (unchecked as Int32Array).fill(0);
            unchecked = null;
            check = null;
            phase = HASH;
            spent = budget;
          } else {
            spent += (check.j < 0 ? cost.double : cost.part) * (check.w || 1);
            combPart(check, table);
          }
        } else if (phase === HASH) {
          const h = hash(message);
          if (h.length !== 32) fail(OPTION_INVALID, 'hash must return 32 bytes');
          fnFromBytes(e, h, 0);
          fnReduce(e, e);
          phase = SEED;
          spent = budget; // a hash call is a slice of its own
        } else if (phase === SEED) {
          // int2octets(d) || bits2octets(h1); d from dM into k (unused until NONCE)
          const h1 = new Uint8Array(64);
          fnFromMont(k, dM);
          fnToBytes(k, h1, 0);
          k.fill(0);
          fnToBytes(e, h1, 32);
          const parts: Uint8Array[] = [h1];
          if (extra) {
            const k1 = extra();
            if (!(k1 instanceof Uint8Array)) fail(OPTION_INVALID, 'extraEntropy must return bytes');
            parts.push(k1);
          }
          seed = concatBytes(parts);
          h1.fill(0);
          drbg = drbgInit(hash, seed);
          phase = SEED2;
          spent = budget;
        } else if (phase === SEED2) {
          drbgUpdate(drbg as Drbg, 1, seed as Uint8Array);
          (seed as Uint8Array).fill(0);
          seed = null;
          phase = NONCE;
          spent = budget;
        } else if (phase === NONCE) {
          const cand = drbgNext(drbg as Drbg);
          if (fnFromBytes(k, cand, 0) && !zeroMask(k)) {
            combStart(comb, k);
            phase = COMB;
          } else drbgUpdate(drbg as Drbg, 0);
          spent += 30;
        } else if (phase === BLIND) {
          // Both inversions run a variable-time algorithm (inv.ts) on blinded inputs: z b and k b for
          // a secret pseudo-random b (from the RFC 6979 state, see drbgBlind), then multiply by b
          // again. Their running time depends on z b and k b only, which are independent of z and
          // k. b = 0 mod p or mod n (probability 2^-256) falls back to b = 1.
          if (!late) {
            late = true;
            const f = views(15);
            zInv = f(), blindP = f(), kInv = f(), blind = f(), r = f(), s = f(), t = f();
            invP = newInvJob(P, 1, f); // -p^-1 mod 2^24 = 1
            invN = newInvJob(N, NPRIME, f);
          }
          bb = drbgBlind(drbg as Drbg);
          limbsFromBytes(blindP, bb, 0);
          condSub(blindP, blindP, P);
          blindP[0] |= zeroMask(blindP) & 1;
          fpToMont(blindP, blindP);
          fpMul(t, comb.r.z, blindP); // z b
          fpToPlain(t, t);
          invStart(invP, t);
          phase = ZINV;
          spent = budget; // an HMAC call: a slice of its own
        } else if (phase === BLIND2) {
          if (spent > 0 && spent + cost.modn > budget) break; // whole, in this slice or the next
          spent += cost.modn;
          fnFromBytes(blind, bb as Uint8Array, 0);
          (bb as Uint8Array).fill(0);
          bb = null;
          fnReduce(blind, blind);
          blind[0] |= zeroMask(blind) & 1;
          fnToMont(blind, blind);
          phase = BLIND3;
        } else if (phase === BLIND3) {
          if (spent > 0 && spent + cost.modn > budget) break;
          spent += cost.modn;
          fnToMont(kInv, k);
          fnMul(kInv, kInv, blind); // k b (Montgomery)
          fnFromMont(kInv, kInv);
          invStart(invN, kInv);
          phase = KINV;
        } else if (phase === FINISH0) {
          if (spent > 0 && spent + cost.modn > budget) break;
          spent += cost.modn;
          // s = k^-1 (e + r d) mod n, all in Montgomery form
          fnToMont(t, r);
          fnMul(t, t, dM);
          phase = FINISH;
        } else {
          if (spent > 0 && spent + cost.modn > budget) break;
          fnToMont(s, e);
          fnAdd(t, t, s);
          fnMul(s, kInv, t);
          fnFromMont(s, s);
          spent += cost.modn;
          if (zeroMask(s)) {
            drbgUpdate(drbg as Drbg, 0);
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

/** n field elements as views on one buffer, in turn. */
export function views(n: number): () => Int32Array {
  const a = new Int32Array(n * LIMBS);
  let at = 0;
  return () => a.subarray(at, (at += LIMBS));
}

/** Whether Jacobian p is the 65-byte uncompressed point q: X = qx Z^2 and Y = qy Z^3 (no inversion). */
export function samePoint(p: JPoint, q: Uint8Array): boolean {
  if (q.length !== 65 || q[0] !== 4) return false;
  const x = newFe();
  const y = newFe();
  const z2 = newFe();
  const a = newFe();
  const b = newFe();
  if (!(fpFromBytes(x, q, 1) & fpFromBytes(y, q, 33))) return false;
  fpSqr(z2, p.z);
  fpMul(x, x, z2);
  fpMul(z2, z2, p.z);
  fpMul(y, y, z2);
  let diff = 0;
  fpToPlain(a, x);
  fpToPlain(b, p.x);
  for (let i = 0; i < LIMBS; i++) diff |= a[i] ^ b[i];
  fpToPlain(a, y);
  fpToPlain(b, p.y);
  for (let i = 0; i < LIMBS; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}


