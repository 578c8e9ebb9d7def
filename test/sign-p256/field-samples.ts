// Field elements for the P-256 limb tests: p as a BigInt, a value as 11 limbs, and inputs in [0, 2p)
// (the edges first, then random values below 2^256 folded under 2p), as the kernels accept them.
import { randomBytes } from 'node:crypto';
import { limbsFromBytes, newFe } from '../../src/sign/p256/limbs';

export const p = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;

export const fe = (v: bigint): Int32Array => {
  const o = newFe();
  limbsFromBytes(o, new Uint8Array(Buffer.from(v.toString(16).padStart(64, '0'), 'hex')), 0);
  return o;
};

const EDGE = [0n, 1n, p - 1n, p, p + 1n, 2n * p - 1n, (1n << 256n) - 1n - p, 1n << 255n];

/** Sample i: one of the edges while i is below their count, else a random value under 2p. */
export function sample(i: number): Int32Array {
  if (i < EDGE.length) return fe(EDGE[i]);
  let v = BigInt('0x' + randomBytes(32).toString('hex'));
  while (v >= 2n * p) v -= p;
  return fe(v);
}
