// P-256 base field (mod p) around the generated kernels: constants, bytes <-> Montgomery form,
// and inversion by Fermat (constant time).
import { fpMul, fpSqr } from './fp-gen';
import { condSub, limbsFromBytes, limbsToBytes, newFe } from './limbs';
import { PLAIN_ONE } from './fn'; // plain 1: multiplying by it leaves Montgomery form (one array for both fields)

export { fpMul, fpSqr, fpAdd, fpSub } from './fp-gen';

/** p = 2^256 - 2^224 + 2^192 + 2^96 - 1 */
export const P = /* @__PURE__ */ new Int32Array([16777215, 16777215, 16777215, 16777215, 0, 0, 0, 0, 1, 16776960, 65535]);
/** R^2 mod p, R = 2^264: multiplying by it enters Montgomery form. */
const R2 = /* @__PURE__ */ new Int32Array([196608, 0, 0, 16776960, 16515071, 16777215, 16777214, 16777215, 16646143, 16777215, 4]);
/** 1 in Montgomery form (R mod p). */
export const FP_ONE = /* @__PURE__ */ new Int32Array([256, 0, 0, 0, 16776960, 16777215, 16777215, 16777215, 16776959, 65535, 0]);
/** Curve coefficient b in Montgomery form. */
export const FP_B = /* @__PURE__ */ new Int32Array([12443612, 6433220, 14195935, 8663184, 380060, 14068976, 16195886, 10625195, 4731913, 1958023, 12294]);

/** o = 32-byte big-endian value at `off`, in Montgomery form. Returns -1 if the value is < p, else 0. */
export function fpFromBytes(o: Int32Array, b: Uint8Array, off: number): number {
  limbsFromBytes(o, b, off);
  let c = 0; // borrow chain of value - p: ends at -1 exactly when value < p
  for (let i = 0; i < 11; i++) c = (o[i] - P[i] + c) >> 24;
  fpMul(o, o, R2); // value < 2^256 < 16p is a valid kernel input
  return c;
}

/** o = a (plain limbs, value < 16p) in Montgomery form. */
export function fpToMont(o: Int32Array, a: Int32Array): void {
  fpMul(o, a, R2);
}

/** o = a out of Montgomery form, fully reduced into [0, p) (plain limbs). */
export function fpToPlain(o: Int32Array, a: Int32Array): void {
  fpMul(o, a, PLAIN_ONE); // result <= p
  condSub(o, o, P);
}

/** Writes a (Montgomery form) as 32 big-endian bytes at `off`. */
export function fpToBytes(a: Int32Array, out: Uint8Array, off: number): void {
  const t = newFe();
  fpToPlain(t, a);
  limbsToBytes(t, out, off);
}

/** p - 2, the Fermat exponent (public). */
const PM2 = /* @__PURE__ */ new Int32Array([16777213, 16777215, 16777215, 16777215, 0, 0, 0, 0, 1, 16776960, 65535]);

/**
 * o = a^-1 = a^(p-2) (Montgomery form in and out; 0 maps to 0). Constant time: plain
 * square-and-multiply over the public exponent's bits (an addition chain would save ~110
 * multiplications, but this only runs for key derivation and table building; signing uses the
 * blinded inv.ts).
 */
export function fpInv(o: Int32Array, a: Int32Array): void {
  const x = new Int32Array(a);
  const t = newFe();
  t.set(FP_ONE);
  for (let i = 255; i >= 0; i--) {
    fpSqr(t, t);
    if ((PM2[(i / 24) | 0] >> i % 24) & 1) fpMul(t, t, x);
  }
  o.set(t);
}
