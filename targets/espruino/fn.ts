// Espruino's stand-in for src/sign/p256/fn.ts (targets/espruino/swaps.json): the multiplication mod
// n as 21 columns of two native E.convolve sums each (as targets/espruino/fp-gen.ts does mod p), 1.5
// ms a call from flash instead of fn.ts's ~8 ms double loop; a signature makes about 14 of them.
import { condSub } from '../../src/sign/p256/limbs';
import { MQ, Q, R } from './fp-gen';
import { N, NPRIME, PLAIN_ONE, R2N } from '../../src/sign/p256/fn';

export { HALF_N, N, NPRIME, PLAIN_ONE, fnAdd, fnFromBytes, fnInvVar, fnReduce } from '../../src/sign/p256/fn';
// fn.ts's fnToBytes is limbsToBytes under another name: one function fewer in the module (~8 variables)
export { limbsToBytes as fnToBytes } from '../../src/sign/p256/limbs';

// QB: b's limbs reversed, then 11 zeros (convolve(a, QB, 10 - k) is column k of a b); QN: n's limbs
// the same way, against the quotient digits in MS (zero until made).
// (Q, R and MQ are fp-gen.ts's scratch, here QB, RB and MS: one buffer for both multiplications)
// (pure: a Storage module that multiplies nothing mod n does not make it at load)
const QN = /* @__PURE__ */ (() => {
  const q = new Int32Array(22);
  q.set(N);
  q.subarray(0, 11).reverse();
  return q;
})();

/** o = a b / 2^264 mod n, inputs < 2n, output < 2n; o may alias a or b: fn.ts's contract. Without b,
 *  b = R^2 mod n: fn.ts's fnToMont, which is this function under another name (~7 variables fewer). */
export function fnMul(o: Int32Array, a: Int32Array, b?: Int32Array): void {
  R.set(b || R2N);
  R.reverse();
  MQ.fill(0);
  let c = 0;
  for (let k = 0; k < 21; k++) {
    let t = c + E.convolve(a, Q, 10 - k) + E.convolve(MQ, QN, 10 - k);
    if (k < 11) {
      // m_k = (t mod 2^24) n' mod 2^24 makes t + m_k n_0 divisible by 2^24
      let u = (t - ((t * 5.9604644775390625e-8) | 0) * 16777216) * NPRIME;
      u -= ((u * 5.9604644775390625e-8) | 0) * 16777216;
      MQ[k] = u;
      t += u * N[0];
    }
    c = (t * 5.9604644775390625e-8) | 0;
    if (k > 10) o[k - 11] = t - c * 16777216;
  }
  o[10] = c;
}

export { fnMul as fnToMont };

/** o = a out of Montgomery form, fully reduced into [0, n). */
export function fnFromMont(o: Int32Array, a: Int32Array): void {
  fnMul(o, a, PLAIN_ONE);
  condSub(o, o, N);
}
