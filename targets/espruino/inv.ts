// Espruino's stand-in for src/sign/p256/inv.ts (targets/espruino/swaps.json): the same batched
// divsteps (variable time, for blinded or public values only), run by "ram" functions that a job
// makes at its first batch and drops when its inverse is out (see p256-ram.ts for why RAM).
import { invStart, newInvJob as newBaseJob, type InvJob as BaseJob } from '../../src/sign/p256/inv';
import { newFe } from '../../src/sign/p256/limbs';

export { invStart };

export interface InvJob extends BaseJob {
  k?: ((job: InvJob, out: Int32Array, batches: number) => boolean) | null;
}

export const newInvJob = newBaseJob as (m: Int32Array, mPrime: number, fe?: () => Int32Array) => InvJob;

/** Runs up to `batches` batches of 22 divsteps; true when done, with x^-1 mod m (in [0, m)) in `out`. */
export function invRun(job: InvJob, out: Int32Array, batches: number): boolean {
  if (!job.k) job.k = ramInv();
  if (!job.k(job, out, batches)) return false;
  job.k = null;
  return true;
}

/** out = x^-1 mod m in one go (variable time: public data or blinded values only). */
export function invVar(out: Int32Array, x: Int32Array, m: Int32Array, mPrime: number): void {
  const job = newInvJob(m, mPrime);
  invStart(job, x);
  while (!invRun(job, out, 100));
}

/** inv.ts's invRun as RAM code. */
function ramInv(): (job: InvJob, out: Int32Array, batches: number) => boolean {
  const F = Math.floor;
  const T1 = newFe();
  const T2 = newFe();
  const IW = 5.9604644775390625e-8; // 2^-24
  const W = 16777216;

  // o = (a x + b y + k add) / 2^22 for signed limb numbers, where the division is exact
  function combine(o: Int32Array, x: Int32Array, y: Int32Array, a: number, b: number, add: Int32Array | null, k: number): void {
    'ram';
    let c = 0, t = 0, i = 0;
    for (i = 0; i < 11; i++) {
      t = a * x[i] + b * y[i] + c; // |t| < 2^48
      if (add) t += k * add[i];
      if (i === 10) break; // the top stays a double: it may exceed 32 bits before the shift
      c = F(t * IW);
      o[i] = t - c * W;
    }
    c = F(t * 2.384185791015625e-7); // top / 2^22
    for (i = 0; i < 9; i++) o[i] = (o[i] >> 22) | ((o[i + 1] & 4194303) << 2);
    o[9] = (o[9] >> 22) | ((t - c * 4194304) << 2);
    o[10] = c;
  }

  // d += s m (s = 1 or -1), limbs 0..9 carried, the top signed
  function addSigned(d: Int32Array, m: Int32Array, s: number): void {
    'ram';
    let c = 0, t = 0;
    for (let i = 0; i < 10; i++) {
      t = d[i] + s * m[i] + c;
      c = t >> 24;
      d[i] = t & 16777215;
    }
    d[10] += s * m[10] + c;
  }

  // brings a signed d with |d| < 2m into [0, m)
  function normalise(d: Int32Array, m: Int32Array): void {
    'ram';
    while (d[10] < 0) addSigned(d, m, 1);
    for (;;) {
      let c = 0;
      for (let i = 0; i < 11; i++) c = (d[i] - m[i] + c) >> 24;
      if (c) return; // d < m
      addSigned(d, m, -1);
    }
  }

  // the k that makes (a x + b y + k m) divisible by 2^22: k = low * (-m^-1) mod 2^22
  function quotient(mPrime: number, x: Int32Array, y: Int32Array, a: number, b: number): number {
    'ram';
    const t = a * x[0] + b * y[0];
    const p = (t - F(t * IW) * W) * mPrime; // < 2^48
    return (p - F(p * IW) * W) & 4194303;
  }

  function run(job: InvJob, out: Int32Array, batches: number): boolean {
    'ram';
    const f = job.f, g = job.g, d = job.d, e = job.e, m = job.m;
    for (let n = 0; n < batches; n++) {
      let z = 0;
      for (let i = 0; i < 11; i++) z |= g[i];
      if (!z) {
        // f = +1 or -1 (the gcd); x^-1 = f d
        out.set(d);
        if (f[10] < 0) {
          out.fill(0);
          addSigned(out, d, -1);
          normalise(out, m);
        }
        return true;
      }
      // 22 divsteps on the low bits: 2^22 [f'; g'] = [u v; q r] [f; g]
      let lf = f[0], lg = g[0], delta = job.delta, u = 1, v = 0, q = 0, r = 1, t = 0;
      for (let i = 0; i < 22; i++) {
        if (lg & 1) {
          if (delta > 0) {
            delta = 1 - delta;
            t = lg;
            lg = (lg - lf) >> 1;
            lf = t;
            t = q;
            q = t - u;
            u = 2 * t;
            t = r;
            r = t - v;
            v = 2 * t;
          } else {
            delta = 1 + delta;
            lg = (lg + lf) >> 1;
            q += u;
            r += v;
            u *= 2;
            v *= 2;
          }
        } else {
          delta = 1 + delta;
          lg >>= 1;
          u *= 2;
          v *= 2;
        }
      }
      job.delta = delta;
      combine(T1, f, g, u, v, null, 0);
      combine(T2, f, g, q, r, null, 0);
      f.set(T1);
      g.set(T2);
      const kd = quotient(job.mPrime, d, e, u, v);
      const ke = quotient(job.mPrime, d, e, q, r);
      combine(T1, d, e, u, v, m, kd);
      combine(T2, d, e, q, r, m, ke);
      normalise(T1, m);
      normalise(T2, m);
      d.set(T1);
      e.set(T2);
    }
    return false;
  }

  return run;
}
