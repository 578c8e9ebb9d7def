// Smaller P-256 field kernels for the Espruino bundle, which scripts/build.mjs swaps in for
// fp-gen.ts there: the multiply stays unrolled (the hot kernel), squaring reuses it, and the
// linear kernels loop. Same contracts and results as fp-gen.ts (test/sign-p256/fp-small.test.ts),
// about 2.6 KB less code for some speed. Other engines keep fp-gen.ts.
import { fpMul } from './fp-gen';

export { fpMul };

/** o = a^2 / 2^264 mod p (inputs < 2p, output < 2p; o may alias a). */
export function fpSqr(o: Int32Array, a: Int32Array): void {
  fpMul(o, a, a);
}

// 2p in limbs: what fpSub adds so limbs stay non-negative on the whole, and what fpNorm takes off.
const P2 = [16777214, 16777215, 16777215, 16777215, 1, 0, 0, 0, 2, 16776704, 131071];
const S = new Int32Array(11);

/** Carries raw limbs (each within +-2^26, value in [0, 4p)) and reduces the value into [0, 2p). */
function fpNorm(o: Int32Array): void {
  let c = 0;
  let t = 0;
  for (let i = 0; i < 11; i++) {
    t = o[i] + c;
    S[i] = t & 16777215;
    c = t >> 24;
  }
  S[10] += c * 16777216; // the top limb keeps its overflow (value < 4p < 2^264)
  c = 0;
  for (let i = 0; i < 11; i++) {
    t = S[i] - P2[i] + c;
    o[i] = t & 16777215;
    c = t >> 24;
  }
  // c is -1 when s < 2p: put s back (o holds s - 2p otherwise)
  for (let i = 0; i < 11; i++) o[i] ^= (o[i] ^ S[i]) & c;
}

/** o = a + b mod p (inputs < 2p, output < 2p; o may alias a or b). */
export function fpAdd(o: Int32Array, a: Int32Array, b: Int32Array): void {
  for (let i = 0; i < 11; i++) o[i] = a[i] + b[i];
  fpNorm(o);
}

/** o = a - b mod p (inputs < 2p, output < 2p; o may alias a or b). */
export function fpSub(o: Int32Array, a: Int32Array, b: Int32Array): void {
  for (let i = 0; i < 11; i++) o[i] = a[i] - b[i] + P2[i];
  fpNorm(o);
}

/** qx, qy = entry idx of the `count` 22-limb entries at `off`, touching every entry. */
export function tableSelect(qx: Int32Array, qy: Int32Array, t: Int32Array, off: number, count: number, idx: number): void {
  qx.fill(0);
  qy.fill(0);
  for (let v = 0; v < count; v++) {
    const m = ((v ^ idx) - 1) >> 31; // -1 iff v == idx (both small non-negative ints)
    const o = off + v * 22;
    for (let i = 0; i < 11; i++) {
      qx[i] |= t[o + i] & m;
      qy[i] |= t[o + 11 + i] & m;
    }
  }
}
