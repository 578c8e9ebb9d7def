// Field, scalar and inversion arithmetic against BigInt on random and edge-case values (the tests
// may use BigInt; the code under test does not): Montgomery kernels, add/sub, bytes, Fermat and
// the batched divstep inversion for both moduli, the redundant [0, 2m) ranges.
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { P, fpAdd, fpFromBytes, fpInv, fpMul, fpSqr, fpSub, fpToBytes } from '../../src/sign/p256/fp';
import { N, fnAdd, fnFromBytes, fnFromMont, fnInvVar, fnMul, fnReduce, fnToBytes, fnToMont } from '../../src/sign/p256/fn';
import { invVar } from '../../src/sign/p256/inv';
import { limbsFromBytes, limbsToBytes, newFe } from '../../src/sign/p256/limbs';

const p = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const COUNT = process.env.FULL ? 100000 : 3000;
// inversions are checked against a BigInt modpow each, so fewer of them (keeps FULL=1 under the timeout)
const INV_COUNT = process.env.FULL ? 20000 : 3000;
const big = (b: Uint8Array) => BigInt('0x' + Buffer.from(b).toString('hex'));
const bytes = (v: bigint) => new Uint8Array(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));
const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;
function modpow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  for (; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
  }
  return r;
}
// random 256-bit values, with the extremes mixed in
const EDGE = [0n, 1n, 2n, p - 1n, p, p + 1n, n - 1n, n, n + 1n, (1n << 256n) - 1n, 1n << 255n, (1n << 224n) - 1n];
function sample(i: number): bigint {
  if (i < EDGE.length) return EDGE[i];
  return big(randomBytes(32));
}

describe('P-256 arithmetic on Numbers', () => {
  it('field: mul, sqr, add, sub, bytes round trip, Fermat inverse', () => {
    let bad = 0;
    const a = newFe();
    const b = newFe();
    const o = newFe();
    const out = new Uint8Array(32);
    const check = (want: bigint) => {
      fpToBytes(o, out, 0);
      if (big(out) !== mod(want, p)) bad++;
    };
    for (let i = 0; i < COUNT; i++) {
      const A = sample(i % 40 < EDGE.length ? i % 40 : 99);
      const B = sample((i * 7) % 40 < EDGE.length ? (i * 7) % 40 : 99);
      expect(fpFromBytes(a, bytes(A), 0)).toBe(A < p ? -1 : 0);
      fpFromBytes(b, bytes(B), 0);
      fpMul(o, a, b);
      check(A * B);
      fpSqr(o, a);
      check(A * A);
      fpAdd(o, a, b);
      check(A + B);
      fpSub(o, a, b);
      check(A - B);
      // chained: results stay valid inputs
      fpMul(o, o, a);
      fpAdd(o, o, o);
      fpSub(o, b, o);
      check(B - 2n * (A - B) * A);
      if (i % 20 === 0 && mod(A, p) !== 0n) {
        fpInv(o, a);
        check(modpow(A, p - 2n, p));
      }
    }
    expect(bad).toBe(0);
  });

  it('scalars: Montgomery mul, add, reduce, from/to Montgomery', () => {
    let bad = 0;
    const out = new Uint8Array(32);
    for (let i = 0; i < COUNT; i++) {
      const A = sample(i % 40 < EDGE.length ? i % 40 : 99);
      const B = sample((i * 5) % 40 < EDGE.length ? (i * 5) % 40 : 99);
      const a = newFe();
      const b = newFe();
      expect(fnFromBytes(a, bytes(A), 0)).toBe(A < n ? -1 : 0);
      fnReduce(a, a);
      fnFromBytes(b, bytes(B), 0);
      fnReduce(b, b);
      fnToMont(a, a);
      fnToMont(b, b);
      const o = newFe();
      fnMul(o, a, b);
      fnAdd(o, o, a);
      fnMul(o, o, o);
      fnFromMont(o, o);
      fnToBytes(o, out, 0);
      if (big(out) !== mod((A * B + A) ** 2n, n)) bad++;
    }
    expect(bad).toBe(0);
  });

  it('batched divstep inversion mod p and mod n; zero is refused', () => {
    let bad = 0;
    const out = new Uint8Array(32);
    for (const [m, ml, mp] of [
      [p, P, 1],
      [n, N, 48207],
    ] as const) {
      for (let i = 0; i < INV_COUNT; i++) {
        let A = mod(sample(i % 30 < EDGE.length ? i % 30 : 99), m);
        if (A === 0n) A = m - 1n;
        const x = newFe();
        const o = newFe();
        limbsFromBytes(x, bytes(A), 0);
        invVar(o, x, ml, mp);
        limbsToBytes(o, out, 0);
        if (big(out) !== modpow(A, m - 2n, m)) bad++;
      }
    }
    expect(bad).toBe(0);
    const z = newFe();
    expect(() => fnInvVar(newFe(), z)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });
});
