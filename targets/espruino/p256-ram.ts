// The signer's hot code for Espruino, made in RAM for the length of one signing job.
//
// Espruino interprets source text: code of a module in Storage runs from flash (every 16 bytes read
// anew from the flash file on the Linux build), so a signature spent most of its time reading its
// own code. A function whose body starts with the "ram" directive is copied into RAM when it is
// defined, pretokenised (keywords one byte, no white space): about 2.3x faster here. ramKernels()
// defines them when a job starts; the job drops them when it ends, so an idle device keeps none of
// the ~500 variables they take. Names the kernels use are locals or this factory's (a lookup walks
// the scope chain, and the bundle's own scope is long).
//
// Field elements are ../../src/sign/p256's: 11 limbs of 24 bits, Montgomery form (R = 2^264), values
// kept in [0, 2p); the comb job and table are comb.ts's. Nothing branches on secret values.
import type { CombJob, CombTable } from '../../src/sign/p256/comb'; // (the shared module's types)
import type { JPoint } from '../../src/sign/p256/point';

export interface RamKernels {
  /** o = a b / R mod p (o may alias a or b). */
  mul(o: Int32Array, a: Int32Array, b: Int32Array): void;
  /** One part of a comb job (comb.ts combPart): a doubling, or one table's lookup and addition. */
  part(job: CombJob, table: CombTable): boolean;
  /** p = 2p. */
  dbl(p: JPoint): void;
  /** p = p + (qx, qy), q affine, p not +-q. */
  madd(p: JPoint, qx: Int32Array, qy: Int32Array): void;
}

const P2 = [16777214, 16777215, 16777215, 16777215, 1, 0, 0, 0, 2, 16776704, 131071]; // 2p
const ONE = [256, 0, 0, 0, 16776960, 16777215, 16777215, 16777215, 16776959, 65535, 0]; // R mod p

export function ramKernels(): RamKernels {
  // Column sums of the product come from the native E.convolve (exact: 11 products below 2^48 sum
  // below 2^52 in a double): Q holds b's limbs reversed, then 11 zeros, so convolve(a, Q, 10 - k)
  // is column k's sum of a_i b_(k-i).
  const V = E.convolve;
  const Q = new Int32Array(22);
  const R = new Int32Array(Q.buffer, 0, 11);
  const W = 16777216;
  const IW = 5.9604644775390625e-8; // 2^-24
  const M = 16777215;
  const D = new Int32Array(P2);
  const ONEM = new Int32Array(ONE);
  const t0 = new Int32Array(11), t1 = new Int32Array(11), t2 = new Int32Array(11);
  const t3 = new Int32Array(11), t4 = new Int32Array(11), t5 = new Int32Array(11);
  let t = 0, c = 0, d = 0, i = 0, m0 = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0, m5 = 0, m6 = 0, m7 = 0, m8 = 0, m9 = 0, m10 = 0;

  // Montgomery multiplication with -p^-1 = 1 mod 2^24: m_k is the low limb; p + 1 = 2^96 (2^96 + 2^160
  // - ...) gives the sparse reduction terms (see fp-gen.ts).
  function mul(o: Int32Array, a: Int32Array, b: Int32Array): void {
    'ram';
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

  // Adds 2p back when c = -1 (the value went negative): c is a mask, not a branch.
  function fix(o: Int32Array): void {
    'ram';
    for (i = 0, d = 0; i < 11; i++) {
      t = o[i] + (D[i] & c) + d;
      d = t >> 24;
      o[i] = t & M;
    }
  }
  /** o = a - b mod p, in [0, 2p). */
  function sub(o: Int32Array, a: Int32Array, b: Int32Array): void {
    'ram';
    for (i = 0, c = 0; i < 11; i++) {
      t = a[i] - b[i] + c;
      c = t >> 24;
      o[i] = t & M;
    }
    fix(o);
  }
  /** o = a + b mod p, in [0, 2p): a + b - 2p, plus 2p if that is negative. */
  function add(o: Int32Array, a: Int32Array, b: Int32Array): void {
    'ram';
    for (i = 0, c = 0; i < 11; i++) {
      t = a[i] + b[i] - D[i] + c;
      c = t >> 24;
      o[i] = t & M;
    }
    fix(o);
  }

  /** p = 2p (dbl-2001-b, as point.ts pointDouble). */
  function dbl(p: JPoint): void {
    'ram';
    mul(t0, p.z, p.z); // delta
    mul(t1, p.y, p.y); // gamma
    mul(t2, p.x, t1); // beta
    sub(t4, p.x, t0);
    add(t5, p.x, t0);
    mul(t3, t4, t5);
    add(t4, t3, t3);
    add(t3, t3, t4); // alpha
    add(t4, p.y, p.z);
    mul(t4, t4, t4);
    sub(t4, t4, t1);
    sub(p.z, t4, t0);
    add(t2, t2, t2);
    add(t2, t2, t2); // 4 beta
    mul(t4, t3, t3);
    sub(t4, t4, t2);
    sub(p.x, t4, t2);
    sub(t2, t2, p.x);
    mul(t2, t3, t2);
    mul(t1, t1, t1);
    add(t1, t1, t1);
    add(t1, t1, t1);
    add(t1, t1, t1);
    sub(p.y, t2, t1);
  }

  /** p = p + (qx, qy), q affine (as point.ts pointAddMixed). */
  function madd(p: JPoint, qx: Int32Array, qy: Int32Array): void {
    'ram';
    mul(t0, p.z, p.z);
    mul(t1, t0, p.z);
    mul(t0, t0, qx);
    mul(t1, t1, qy);
    sub(t0, t0, p.x); // E
    sub(t1, t1, p.y); // F
    mul(p.z, p.z, t0);
    mul(t2, t0, t0);
    mul(t3, t2, t0); // H
    mul(t2, p.x, t2); // I
    mul(t4, p.y, t3);
    mul(t5, t1, t1);
    sub(t5, t5, t3);
    sub(t5, t5, t2);
    sub(p.x, t5, t2);
    sub(t2, t2, p.x);
    mul(t2, t1, t2);
    sub(p.y, t2, t4);
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
    qx.fill(0);
    qy.fill(0);
    for (let v = 0; v < 8; v++) {
      const m = ((v ^ low) - 1) >> 31;
      const off = (j * 8 + v) * 22;
      for (i = 0; i < 11; i++) {
        qx[i] |= table[off + i] & m;
        qy[i] |= table[off + 11 + i] & m;
      }
    }
    // qy = neg ? p - qy : qy (2p - qy is in (0, 2p))
    for (i = 0, c = 0; i < 11; i++) {
      t = D[i] - qy[i] + c;
      c = t >> 24;
      qy[i] ^= (qy[i] ^ (t & M)) & neg;
    }
    if (col === 7 && j === 0) {
      r.x.set(qx);
      r.y.set(qy);
      r.z.set(ONEM);
    } else madd(r, qx, qy);
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
