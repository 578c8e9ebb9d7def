// Fixed-base signed comb for k*G (Lim-Lee layout, signed digits), with its table as data (bytes),
// loaded from a file shipped next to the bundle or computed at start-up.
//
// Recoding: with L = TEETH * TABLES * COLS (= 256) comb positions, B = (k + 2^L - 1) / 2 mod n
// gives k = sum over positions q of (2 * bit(B, q) - 1) * 2^q mod n: every position is a digit
// +1 or -1, never 0. Tooth i of table j at column c is position i*SPAN + j*COLS + c (SPAN =
// COLS * TABLES); table j holds T_j[v] = 2^(j*COLS) (2^((TEETH-1)*SPAN) G + sum over i < TEETH-1 of
// +-2^(i*SPAN) G, sign + where bit i of v is set), v < 2^(TEETH-1). A column's digits select
// T_j[low bits] when the top tooth is +1, else the negation of T_j[low bits flipped]. Then
// k*G = sum_c 2^c sum_j (+-T_j[v]): COLS - 1 doublings and COLS * TABLES mixed additions, and as no
// digit is zero, no lookup ever needs an "add nothing" case and the accumulator is never infinity
// after the first lookup (the exceptional case acc = +-T needs a coincidence of partial sums mod n,
// probability ~2^-200 for a random scalar).
//
// Why 4 teeth x 8 tables, not one 8-bit table of 255 points: every lookup scans its whole table
// with masks (no secret-dependent index); with 255 entries the scan costs more than the
// arithmetic. Signed digits halve each table again: 8 points per lookup; 8 tables of 8 points
// (64 points, 5.5 KB) leave 7 doublings and 64 additions (4 tables: 15 doublings, 2.8 KB;
// 16 tables: 3 doublings, 11 KB, measured ~4% faster than 8 in QuickJS).
//
// Table format (comb-table.bin): TABLES * 2^(TEETH-1) affine points in order (j, v), each as x then
// y, each 11 little-endian int32 limbs of 24 bits in Montgomery form (x * 2^264 mod p, reduced
// below p), so a target can map the file from flash as an Int32Array without copying it.
import { FP_ONE, P, fpFromBytes, fpInv, fpMul, fpSub } from './fp';
import { fnAdd, fnFromMont, fnMul, fnToMont } from './fn';
import { tableSelect } from './fp-gen';
import { pointAdd, pointAddMixed, pointDouble, newPoint, copyPoint, onCurveMask, type JPoint } from './point';
import { cmov, fromHexBytes, ltMask, newFe } from './limbs';
import { fail, KEY_INVALID } from '../../errors';

import { COLS, ENTRY, PER, SPAN, TABLE_BYTES, TABLE_POINTS, TABLES, TEETH } from './comb-shape';

export { COLS, TABLE_BYTES, TABLE_POINTS, TABLES, TEETH };

const GX = '6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296';
const GY = '4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5';

/** The base point G as a Jacobian point (z = 1). */
export function basePoint(): JPoint {
  const g = newPoint();
  fpFromBytes(g.x, fromHexBytes(GX), 0);
  fpFromBytes(g.y, fromHexBytes(GY), 0);
  g.z.set(FP_ONE);
  return g;
}

/** A loaded comb table: TABLE_POINTS * 22 limbs. */
export type CombTable = Int32Array;

const littleEndian = new Uint8Array(new Int32Array([1]).buffer)[0] === 1;

/**
 * Uses table bytes (the comb-table.bin format) without copying when they are 4-byte aligned on a
 * little-endian engine (every target here), else decodes a copy. Validates every point (limb
 * ranges, coordinates below p, every point on the curve) so a corrupt or foreign file fails
 * loudly, not with bad signatures.
 */
export function loadCombTable(bytes: Uint8Array): CombTable {
  if (bytes.length !== TABLE_BYTES) fail(KEY_INVALID, 'comb table must be ' + TABLE_BYTES + ' bytes');
  let t: Int32Array;
  if (littleEndian && bytes.byteOffset % 4 === 0) t = new Int32Array(bytes.buffer, bytes.byteOffset, TABLE_BYTES / 4);
  else {
    t = new Int32Array(TABLE_BYTES / 4);
    for (let i = 0; i < t.length; i++) {
      const o = i * 4;
      t[i] = bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24);
    }
  }
  const x = newFe();
  const y = newFe();
  let ok = -1;
  for (let e = 0; e < TABLE_POINTS; e++) {
    for (let l = 0; l < 11; l++) {
      x[l] = t[e * ENTRY + l];
      y[l] = t[e * ENTRY + 11 + l];
      ok &= ((x[l] >>> 24) - 1) >> 31;
      ok &= ((y[l] >>> 24) - 1) >> 31;
    }
    if (!ok) break;
    ok &= ltMask(x, P) & ltMask(y, P) & onCurveMask(x, y); // canonical (< p) and on the curve
  }
  if (!ok) fail(KEY_INVALID, 'comb table is corrupt');
  return t;
}

/** Computes the table bytes (comb-table.bin format): ~270 point doublings, one inversion. */
export function computeCombTableBytes(): Uint8Array {
  const jac: JPoint[] = [];
  // base points B_i = 2^(i*SPAN) G, and their negations
  const bases: JPoint[] = [];
  const negs: JPoint[] = [];
  const b = basePoint();
  for (let i = 0; i < TEETH; i++) {
    const c = newPoint();
    copyPoint(c, b);
    bases.push(c);
    const m = newPoint();
    copyPoint(m, b);
    fpSub(m.y, newFe(), b.y);
    negs.push(m);
    for (let d = 0; d < SPAN; d++) pointDouble(b, b);
  }
  // T_0[v] = B_top + sum_i (bit i of v ? B_i : -B_i)
  for (let v = 0; v < PER; v++) {
    const p = newPoint();
    copyPoint(p, bases[TEETH - 1]);
    for (let i = 0; i < TEETH - 1; i++) pointAdd(p, p, (v >> i) & 1 ? bases[i] : negs[i]);
    jac.push(p);
  }
  // T_j[v] = 2^(j*COLS) T_0[v]
  for (let j = 1; j < TABLES; j++) {
    for (let u = 0; u < PER; u++) {
      const p = newPoint();
      copyPoint(p, jac[(j - 1) * PER + u]);
      for (let d = 0; d < COLS; d++) pointDouble(p, p);
      jac.push(p);
    }
  }
  // batch affine conversion (Montgomery's trick): one inversion for all points
  const prefix: Int32Array[] = [];
  const acc = newFe();
  acc.set(FP_ONE);
  for (let e = 0; e < jac.length; e++) {
    prefix.push(new Int32Array(acc));
    fpMul(acc, acc, jac[e].z);
  }
  fpInv(acc, acc);
  const t = new Int32Array(TABLE_BYTES / 4);
  const zinv = newFe();
  const z2 = newFe();
  const v = newFe();
  for (let e = jac.length - 1; e >= 0; e--) {
    fpMul(zinv, acc, prefix[e]); // 1 / z_e
    fpMul(acc, acc, jac[e].z); // now 1 / (z_0 ... z_(e-1))
    fpMul(z2, zinv, zinv);
    fpMul(v, jac[e].x, z2);
    reduceInto(t, e * ENTRY, v);
    fpMul(z2, z2, zinv);
    fpMul(v, jac[e].y, z2);
    reduceInto(t, e * ENTRY + 11, v);
  }
  const out = new Uint8Array(TABLE_BYTES);
  for (let i = 0; i < t.length; i++) {
    out[i * 4] = t[i] & 255;
    out[i * 4 + 1] = (t[i] >> 8) & 255;
    out[i * 4 + 2] = (t[i] >> 16) & 255;
    out[i * 4 + 3] = (t[i] >> 24) & 255;
  }
  return out;
}

// Stores a Montgomery-form value reduced into [0, p), so table entries are canonical bytes.
function reduceInto(t: Int32Array, off: number, v: Int32Array): void {
  let c = 0;
  const d = newFe();
  for (let i = 0; i < 11; i++) {
    const s = v[i] - P[i] + c;
    c = s >> 24;
    d[i] = s & 16777215;
  }
  for (let i = 0; i < 11; i++) t[off + i] = c ? v[i] : d[i]; // public data: branch is fine
}

// (2^256 - 1) mod n and 1/2 mod n, both in Montgomery form (for the recoding B = (k + 2^L - 1) / 2).
const C1M = /* @__PURE__ */ new Int32Array([9639098, 9374285, 8241680, 4302082, 7104704, 5840444, 2845676, 4567609, 5644482, 9722329, 57645]);
const INV2M = /* @__PURE__ */ new Int32Array([7165824, 10387918, 8790810, 7614653, 8562988, 8588, 0, 0, 16777088, 32767, 0]);
// (these constants assume TEETH * TABLES * COLS = 256 positions; table.test.ts checks the layout)

/** State of one k*G computation, advanced a table (combPart) or a column (combStep) at a time. */
export interface CombJob {
  b: Int32Array; // the recoded scalar B, plain limbs (secret)
  r: JPoint; // accumulator
  qx: Int32Array;
  qy: Int32Array;
  ny: Int32Array;
  col: number; // next column, counting down; -1 when done
  j: number; // next table within the column; -1: the column's doubling is next
  w?: number; // its parts' cost factor in a signing job's slices (slower kernels: targets/espruino/comb.ts), default 1
}

/** A job's 7 field elements come from `fe` (a signing job passes views on its one buffer). */
export function newCombJob(fe?: () => Int32Array): CombJob {
  fe = fe || newFe;
  return { b: fe(), r: { x: fe(), y: fe(), z: fe() }, qx: fe(), qy: fe(), ny: fe(), col: -1, j: 0 };
}

/** Starts k*G for a plain scalar 0 < k < n (recodes it; constant time). */
export function combStart(job: CombJob, k: Int32Array): void {
  const b = job.b;
  fnToMont(b, k);
  fnAdd(b, b, C1M);
  fnMul(b, b, INV2M);
  fnFromMont(b, b);
  job.col = COLS - 1;
  job.j = 0;
}

const ZERO = newFe();

/**
 * Processes one part of the current column: its doubling (every column but the first starts with
 * one), or one table's constant-time lookup and mixed addition, so a slow engine (Espruino: 25-40
 * ms a part when the code runs from flash) can yield between parts. Returns true when k*G is in job.r. Secret scalar bits only ever feed masks:
 * bit positions, loop bounds and table offsets are public. What JS cannot promise: the engine may
 * still branch on values internally (small-int vs double representation, division and conversion
 * timing, GC pauses, JIT tiers, cache effects of the interpreter itself), so this is "no
 * secret-dependent control flow or addresses in our code", not a hardware-level guarantee.
 */
export function combPart(job: CombJob, table: CombTable): boolean {
  const c = job.col;
  if (c < 0) return true;
  const j = job.j;
  const r = job.r;
  if (j < 0) {
    pointDouble(r, r);
    job.j = 0;
    return false;
  }
  const k = job.b;
  const qx = job.qx;
  const qy = job.qy;
  // the digits from the scalar's bits (positions are public, values secret)
  let low = 0;
  for (let i = 0; i < TEETH - 1; i++) {
    const pos = i * SPAN + j * COLS + c;
    low |= ((k[(pos / 24) | 0] >> pos % 24) & 1) << i;
  }
  const top = (TEETH - 1) * SPAN + j * COLS + c;
  const neg = ((k[(top / 24) | 0] >> top % 24) & 1) - 1; // -1 when the top digit is -1
  tableSelect(qx, qy, table, j * PER * ENTRY, PER, low ^ (neg & (PER - 1)));
  fpSub(job.ny, ZERO, qy);
  cmov(qy, job.ny, neg);
  if (c === COLS - 1 && j === 0) {
    // first lookup: the accumulator becomes the point itself (a public position, not a secret)
    r.x.set(qx);
    r.y.set(qy);
    r.z.set(FP_ONE);
  } else pointAddMixed(r, r, qx, qy);
  if (j + 1 < TABLES) job.j = j + 1;
  else {
    job.j = -1;
    job.col = c - 1;
  }
  return job.col < 0;
}

/** Processes the rest of the current column (its doubling, TABLES lookups and additions). */
export function combStep(job: CombJob, table: CombTable): boolean {
  const c = job.col;
  while (!combPart(job, table) && job.col === c);
  return job.col < 0;
}

/** k*G in one go (Jacobian), for a plain scalar 0 < k < n. */
export function combMul(out: JPoint, k: Int32Array, table: CombTable): void {
  const job = newCombJob();
  combStart(job, k);
  while (!combStep(job, table));
  copyPoint(out, job.r);
}
