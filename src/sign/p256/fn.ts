// P-256 scalars (mod the group order n): general Montgomery multiplication (R = 2^264) as a loop,
// bytes conversion; inversion is inv.ts (variable time, so callers blind it, see ecdsa.ts).
// The scalar field is used a dozen times per signature plus one inversion, so compact loops win
// over unrolled code here (code size matters on Espruino; speed is in the base field).
import { condSub, limbsFromBytes, limbsToBytes, ltMask, newFe } from './limbs';
import { invVar } from './inv';

/** n, the order of the base point. */
export const N = /* @__PURE__ */ new Int32Array([6497617, 13288188, 8713145, 10950558, 15137453, 16777148, 16777215, 16777215, 0, 16776960, 65535]);
/** floor(n / 2): the low-S bound. */
export const HALF_N = /* @__PURE__ */ new Int32Array([3248808, 15032702, 4356572, 13863887, 7568726, 16777182, 16777215, 8388607, 0, 16777088, 32767]);
/** 2*n, the bound of the redundant [0, 2*n) range. */
const N2 = /* @__PURE__ */ new Int32Array([12995234, 9799160, 649075, 5123901, 13497691, 16777081, 16777215, 16777215, 1, 16776704, 131071]);
/** R^2 mod n, R = 2^264. */
export const R2N = /* @__PURE__ */ new Int32Array([10481103, 14191258, 3018624, 2800439, 12109450, 6393962, 7072857, 11680043, 2081124, 5945942, 11669]);
export const PLAIN_ONE = /* @__PURE__ */ new Int32Array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
/** -n^-1 mod 2^24 (scripts/p256/gen-field.ts prints it). */
export const NPRIME = 48207;
let MS: Int32Array; // Montgomery quotient digits m_i (made at first use: a preloaded module-level array is read-only in Moddable)

/**
 * o = a * b / 2^264 mod n, inputs < 2*n, output < 2*n; o may alias a or b (o[i - 11] is written only
 * after the last read of a[i - 11] and b[i - 11]). Column sums stay below 22 * 2^48 < 2^53: exact.
 */
export function fnMul(o: Int32Array, a: Int32Array, b: Int32Array): void {
  if (!MS) MS = newFe();
  let c = 0;
  for (let i = 0; i < 21; i++) {
    let t = c;
    const lo = i < 11 ? 0 : i - 10;
    const hi = i < 11 ? i : 10;
    for (let j = lo; j <= hi; j++) t += a[j] * b[i - j];
    for (let j = lo; j < hi || (i > 10 && j === hi); j++) t += MS[j] * N[i - j];
    c = (t * 5.9604644775390625e-8) | 0;
    if (i < 11) {
      // m_i = (t mod 2^24) * n' mod 2^24 (product < 2^48: exact), then t + m_i * n_0 = 0 mod 2^24
      let u = (t - c * 16777216) * NPRIME;
      u = u - ((u * 5.9604644775390625e-8) | 0) * 16777216;
      MS[i] = u;
      c = ((t + u * N[0]) * 5.9604644775390625e-8) | 0;
    } else o[i - 11] = t - c * 16777216;
  }
  o[10] = c;
}

/** o = plain integer from 32 big-endian bytes; returns -1 if it is < n, else 0. */
export function fnFromBytes(o: Int32Array, b: Uint8Array, off: number): number {
  limbsFromBytes(o, b, off);
  return ltMask(o, N);
}

/** o = a mod n for a plain a < 2*n (e.g. any 256-bit value: bits2int_modN of RFC 6979). */
export function fnReduce(o: Int32Array, a: Int32Array): void {
  condSub(o, a, N);
}

/** o = a + b mod n (inputs < 2*n, output < 2*n). */
export function fnAdd(o: Int32Array, a: Int32Array, b: Int32Array): void {
  let c = 0;
  for (let i = 0; i < 10; i++) {
    const t = a[i] + b[i] + c;
    o[i] = t & 16777215;
    c = t >> 24;
  }
  o[10] = a[10] + b[10] + c;
  condSub(o, o, N2);
}

export function fnToMont(o: Int32Array, a: Int32Array): void {
  fnMul(o, a, R2N);
}

/** o = a out of Montgomery form, fully reduced into [0, n). */
export function fnFromMont(o: Int32Array, a: Int32Array): void {
  fnMul(o, a, PLAIN_ONE);
  condSub(o, o, N);
}

export function fnToBytes(a: Int32Array, out: Uint8Array, off: number): void {
  limbsToBytes(a, out, off);
}

/** o = a^-1 mod n for a plain 0 < a < n (variable time: public data or blinded values only). */
export function fnInvVar(o: Int32Array, a: Int32Array): void {
  invVar(o, a, N, NPRIME);
}
