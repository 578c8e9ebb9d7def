// Espruino's stand-in for src/sign/p256/fp-gen.ts (targets/espruino/swaps.json): the linear kernels
// of fp-small.ts and a short Montgomery multiplication whose column sums come from the native
// E.convolve. Its 21 columns are a loop of two native calls each: 0.3 KB of source instead of the
// generated 4 KB, as fast from flash (1.2 ms a multiplication here). The signer's hot path uses the
// unrolled RAM copy in p256-ram.ts; this one serves key parsing, conversions and the inversions.
export { fpAdd, fpSub, tableSelect } from '../../src/sign/p256/fp-small';

// Q: b's limbs reversed, then 11 zeros, so convolve(a, Q, 10 - k) = sum of a_i b_(k-i) (column k of
// a b). QP: the same for (p + 1) / 2^96 = 2^0 + 2^96 + 2^120 (2^24 - 2^8) + 2^144 (2^16 - 1) in
// limbs 4, 8, 9, 10 shifted to 0, 4, 5, 6..., so convolve(MQ, QP, 10 - k) is column k's reduction
// terms from the quotient limbs m_j in MQ (those not yet made meet QP's zeros). Sums stay below
// 2^53: exact in a double.
// (Q, R and MQ are fn.ts's scratch too: the two multiplications never overlap.) Marked pure: a
// Storage module that uses none of this (akenza-comb) does not make them at load.
const S = /* @__PURE__ */ new Int32Array(33);
export const Q = /* @__PURE__ */ S.subarray(0, 22);
export const R = /* @__PURE__ */ S.subarray(0, 11);
export const MQ = /* @__PURE__ */ S.subarray(22);
const QP = /* @__PURE__ */ new Int32Array([65535, 16776960, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

/** o = a b / 2^264 mod p (inputs < 2p, output < 2p; o may alias a or b): fp-gen.ts's contract. Without
 *  b, a^2: fp-gen.ts's fpSqr, which is this function under another name (~7 variables fewer). */
export function fpMul(o: Int32Array, a: Int32Array, b?: Int32Array): void {
  R.set(b || a);
  R.reverse();
  let c = 0;
  for (let k = 0; k < 21; k++) {
    let t = c + E.convolve(a, Q, 10 - k) + E.convolve(MQ, QP, 10 - k);
    c = (t * 5.9604644775390625e-8) | 0;
    t -= c * 16777216;
    if (k < 11) MQ[k] = t; // m_k: -p^-1 = 1 mod 2^24
    else o[k - 11] = t;
  }
  o[10] = c;
}

export { fpMul as fpSqr };
