// The signer's hot code for Espruino, made in RAM for the length of one signing job.
//
// Espruino interprets source text: code of a module in Storage runs from flash (every 16 bytes read
// anew from the flash file on the Linux build), so a signature spent most of its time reading its
// own code. A function whose body starts with the "ram" directive is copied into RAM when it is
// defined, pretokenised (keywords one byte, no white space): about 2.3x faster here. ramKernels()
// defines them when a k*G starts (comb.ts stand-in); the job drops them when it ends, so an idle
// device keeps none of the ~330 variables (328 measured) they take. Names the kernels use are locals or this
// factory's (a lookup walks the scope chain, and the bundle's own scope is long). The build also
// makes a flash copy of this file (p256-flash.ts: the same text without the directives), which
// comb.ts and inv.ts run instead when the RAM copy would leave too little memory free.
//
// Field elements are ../../src/sign/p256's: 11 limbs of 24 bits, Montgomery form (R = 2^264); the
// linear kernels leave values below 16p instead of 2p (bounds at each use), which the shared code
// downstream takes (fpMul accepts inputs below 16p). The comb job is comb.ts's; the table is in the
// Espruino order (scripts/p256/espruino-table.mjs). Nothing branches on secret values.
import type { CombJob, CombTable } from '../../src/sign/p256/comb'; // (the shared module's types)
import { FP_ONE, P } from '../../src/sign/p256/fp';
import type { JPoint } from '../../src/sign/p256/point';
import type { InvJob } from '../../src/sign/p256/inv';
import { newFe } from '../../src/sign/p256/limbs';

export interface RamKernels {
  /** o = a b / R mod p (o may alias a or b). */
  mul(o: Int32Array, a: Int32Array, b: Int32Array): void;
  /** One part of a comb job (comb.ts combPart): a doubling, or one table's lookup and addition. */
  part(job: CombJob, table: CombTable): boolean;
  /** p = 2p. */
  dbl(p: JPoint): void;
  /** p = p + (qx, s qy) (s = 1 or -1), q affine, p not +-q. */
  madd(p: JPoint, qx: Int32Array, qy: Int32Array, s: number): void;
}


export function ramKernels(): RamKernels {
  // Column sums of the product come from the native E.convolve (exact: 11 products below 2^48 sum
  // below 2^52 in a double): Q holds b's limbs reversed, then 11 zeros, so convolve(a, Q, 10 - k)
  // is column k's sum of a_i b_(k-i).
  const V = E.convolve;
  // every array is a view on one buffer: fewer variables than separate arrays
  const S = new Int32Array(22 + 88 + 8 + 6 * 11);
  let at = 22; // (no helper function: it would live as long as the kernels)
  const Q = S.subarray(0, 22);
  const R = Q.subarray(0, 11);
  const ROW = S.subarray(at, (at += 88)); // half of the table being looked up (its x or y limbs), copied from flash in one native call
  const H = S.subarray(at, (at += 8));
  const t0 = S.subarray(at, (at += 11)), t1 = S.subarray(at, (at += 11)), t2 = S.subarray(at, (at += 11));
  const t3 = S.subarray(at, (at += 11)), t4 = S.subarray(at, (at += 11)), t5 = S.subarray(at, (at += 11));
  const W = 16777216;
  const IW = 5.9604644775390625e-8; // 2^-24
  const M = 16777215;
  const PL = P; // (a local: found without walking the bundle's scope)
  let t = 0, c = 0, i = 0;

  // Montgomery multiplication with -p^-1 = 1 mod 2^24: m_k is the low limb; p + 1 = 2^96 (2^96 + 2^160
  // - ...) gives the sparse reduction terms (see fp-gen.ts).
  function mul(o: Int32Array, a: Int32Array, b: Int32Array): void {
    'ram';
    // locals: they exist only during the call (fewer variables held while the kernels live)
    let t = 0, c = 0, m0 = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0, m5 = 0, m6 = 0, m7 = 0, m8 = 0, m9 = 0, m10 = 0;
    R.set(b);
    R.reverse();
    t = V(a, Q, 10); c = (t * IW) | 0; m0 = t - c * W;
    t = c + V(a, Q, 9); c = (t * IW) | 0; m1 = t - c * W;
    t = c + V(a, Q, 8); c = (t * IW) | 0; m2 = t - c * W;
    t = c + V(a, Q, 7); c = (t * IW) | 0; m3 = t - c * W;
    t = c + V(a, Q, 6) + m0; c = (t * IW) | 0; m4 = t - c * W;
    t = c + V(a, Q, 5) + m1; c = (t * IW) | 0; m5 = t - c * W;
    t = c + V(a, Q, 4) + m2; c = (t * IW) | 0; m6 = t - c * W;
    t = c + V(a, Q, 3) + m3; c = (t * IW) | 0; m7 = t - c * W;
    t = c + V(a, Q, 2) + m4 + m0; c = (t * IW) | 0; m8 = t - c * W;
    t = c + V(a, Q, 1) + m5 + m1 + 16776960 * m0; c = (t * IW) | 0; m9 = t - c * W;
    t = c + V(a, Q, 0) + m6 + m2 + 16776960 * m1 + 65535 * m0; c = (t * IW) | 0; m10 = t - c * W;
    t = c + V(a, Q, 21) + m7 + m3 + 16776960 * m2 + 65535 * m1; c = (t * IW) | 0; o[0] = t - c * W;
    t = c + V(a, Q, 20) + m8 + m4 + 16776960 * m3 + 65535 * m2; c = (t * IW) | 0; o[1] = t - c * W;
    t = c + V(a, Q, 19) + m9 + m5 + 16776960 * m4 + 65535 * m3; c = (t * IW) | 0; o[2] = t - c * W;
    t = c + V(a, Q, 18) + m10 + m6 + 16776960 * m5 + 65535 * m4; c = (t * IW) | 0; o[3] = t - c * W;
    t = c + V(a, Q, 17) + m7 + 16776960 * m6 + 65535 * m5; c = (t * IW) | 0; o[4] = t - c * W;
    t = c + V(a, Q, 16) + m8 + 16776960 * m7 + 65535 * m6; c = (t * IW) | 0; o[5] = t - c * W;
    t = c + V(a, Q, 15) + m9 + 16776960 * m8 + 65535 * m7; c = (t * IW) | 0; o[6] = t - c * W;
    t = c + V(a, Q, 14) + m10 + 16776960 * m9 + 65535 * m8; c = (t * IW) | 0; o[7] = t - c * W;
    t = c + V(a, Q, 13) + 16776960 * m10 + 65535 * m9; c = (t * IW) | 0; o[8] = t - c * W;
    t = c + V(a, Q, 12) + 65535 * m10; c = (t * IW) | 0; o[9] = t - c * W;
    o[10] = c;
  }

  // The linear kernels make one carry pass and never reduce: each subtraction adds a multiple of p
  // (k p) above what it subtracts, so values stay positive and below 16p, which the multiplication
  // takes (a b < 256 p^2 < p R, so its output is below 2p). Bounds are noted at each use. (k p made
  // per limb, not held as arrays of 2p..8p: fewer variables while the kernels live.)
  /** o = a - b + v d + k p (v = 1, -1 or -2; 0 for a - b + k p, d then any array: one function less). */
  function sub2(o: Int32Array, a: Int32Array, b: Int32Array, d: Int32Array, v: number, k: number): void {
    'ram';
    for (i = 0, c = 0; i < 11; i++) {
      t = a[i] - b[i] + v * d[i] + k * PL[i] + c;
      c = t >> 24;
      o[i] = t & M;
    }
  }
  /** o = a + b. */
  function add(o: Int32Array, a: Int32Array, b: Int32Array): void {
    'ram';
    for (i = 0, c = 0; i < 11; i++) {
      t = a[i] + b[i] + c;
      c = t >> 24;
      o[i] = t & M;
    }
  }

  /** p = 2p (dbl-2001-b, a = -3) for x < 8p, y, z < 6p; out x, y, z < 6p. */
  function dbl(p: JPoint): void {
    'ram';
    const X = p.x, Y = p.y, Z = p.z;
    mul(t0, Z, Z); // delta
    mul(t1, Y, Y); // gamma
    add(t4, Y, Z); // < 12p
    mul(t4, t4, t4);
    sub2(Z, t4, t1, t0, -1, 4); // z3 = (y + z)^2 - gamma - delta, < 6p
    add(t1, t1, t1); // 2 gamma, < 4p
    add(t2, t1, t1); // 4 gamma, < 8p
    mul(t2, X, t2); // beta4 = 4 x gamma
    mul(t1, t1, t1); // s = 4 gamma^2
    sub2(t4, X, t0, t0, 0, 2); // x - delta, < 10p
    add(t5, X, t0); // x + delta, < 10p
    mul(t3, t4, t5);
    add(t4, t3, t3);
    add(t3, t3, t4); // alpha = 3 (x - delta)(x + delta), < 6p
    mul(t4, t3, t3);
    sub2(X, t4, t2, t2, -1, 4); // x3 = alpha^2 - 2 beta4, < 6p
    sub2(t2, t2, X, X, 0, 6); // beta4 - x3, < 8p
    mul(t2, t3, t2);
    sub2(Y, t2, t1, t1, -1, 4); // y3 = alpha (beta4 - x3) - 2 s, < 6p
  }

  /** p = p + (qx, s qy) (s = 1 or -1), q affine below 2p, for x < 8p, y, z < 6p; out x < 8p, y < 4p, z < 2p. */
  function madd(p: JPoint, qx: Int32Array, qy: Int32Array, s: number): void {
    'ram';
    const X = p.x, Y = p.y, Z = p.z;
    mul(t0, Z, Z);
    mul(t1, t0, Z);
    mul(t0, t0, qx);
    mul(t1, t1, qy);
    sub2(t0, t0, X, X, 0, 8); // E = x2 z1^2 - x1, < 10p
    sub2(t1, t1, Y, t1, s - 1, 8); // F = s y2 z1^3 - y1 (t1 + (s - 1) t1, + 8p), < 10p
    mul(Z, Z, t0);
    mul(t2, t0, t0);
    mul(t3, t2, t0); // H = E^3
    mul(t2, X, t2); // I = x1 E^2
    mul(t4, Y, t3);
    mul(t5, t1, t1);
    sub2(X, t5, t3, t2, -2, 6); // x3 = F^2 - H - 2 I, < 8p
    sub2(t2, t2, X, X, 0, 8); // I - x3, < 10p
    mul(t2, t1, t2);
    sub2(Y, t2, t4, t4, 0, 2); // y3 = F (I - x3) - y1 H, < 4p
  }

  // The comb part (comb.ts combPart, TEETH 4, TABLES 8, COLS 8, SPAN 64): the three low teeth's
  // bits pick one of a table's 8 points, the top tooth its sign; every point of the table is read.
  function part(job: CombJob, table: CombTable): boolean {
    'ram';
    const col = job.col;
    const j = job.j;
    const r = job.r;
    if (col < 0) return true;
    if (j < 0) {
      dbl(r);
      job.j = 0;
      return false;
    }
    const k = job.b, qx = job.qx, qy = job.qy;
    let low = 0;
    for (i = 0; i < 3; i++) {
      t = i * 64 + j * 8 + col;
      low |= ((k[(t / 24) | 0] >> t % 24) & 1) << i;
    }
    t = 192 + j * 8 + col;
    const neg = ((k[(t / 24) | 0] >> t % 24) & 1) - 1; // -1 when the top digit is -1
    low ^= neg & 7;
    // every point is read: the table is limb-major (limb l of point v at 8 l + v, see
    // scripts/p256/espruino-table.mjs), so limb l of the chosen point is the native sum over v of
    // H[v] ROW[8 l + v], with H[v] = 1 for the chosen v and 0 for the others
    for (i = 0; i < 8; i++) H[i] = ((i ^ low) - 1) >>> 31;
    // (a flash read per element costs more than the scan: each half is copied first)
    t = j * 176;
    ROW.set(table.subarray(t, t + 88));
    for (i = 0; i < 11; i++) qx[i] = V(H, ROW, i * 8);
    ROW.set(table.subarray(t + 88, t + 176));
    for (i = 0; i < 11; i++) qy[i] = V(H, ROW, i * 8);
    if (col === 7 && j === 0) {
      // the first lookup (a public position) is the accumulator: y = neg ? 2p - qy : qy, in (0, 2p)
      for (i = 0, c = 0; i < 11; i++) {
        t = 2 * PL[i] - qy[i] + c;
        c = t >> 24;
        qy[i] ^= (qy[i] ^ (t & M)) & neg;
      }
      r.x.set(qx);
      r.y.set(qy);
      r.z.set(FP_ONE);
    } else madd(r, qx, qy, 1 + 2 * neg); // the sign goes into madd's F
    if (j < 7) job.j = j + 1;
    else {
      job.j = -1;
      job.col = col - 1;
    }
    return job.col < 0;
  }

  // dbl and madd are named here too, so the minifier keeps them functions of their own instead
  // of inlining them into part() (an inlined "ram" function would be made anew at every call)
  return { mul: mul, part: part, dbl: dbl, madd: madd };
}

/** inv.ts's invRun as RAM code (targets/espruino/inv.ts). */
export function ramInv(): (job: InvJob, out: Int32Array, batches: number) => boolean {
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
