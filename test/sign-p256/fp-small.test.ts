// fp-small.ts (the Espruino bundle's field kernels) against fp-gen.ts and BigInt: the same limbs
// out for the same limbs in, over random values and the edges of the [0, 2p) input range,
// including raw (non-normalised) results fed back in, as point arithmetic does.
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import * as gen from '../../src/sign/p256/fp-gen';
import * as small from '../../src/sign/p256/fp-small';
import { newFe } from '../../src/sign/p256/limbs';
import { p, sample } from './field-samples';

const R = 1n << 264n;
const big = (a: Int32Array) => a.reduceRight((acc, l) => acc * (1n << 24n) + BigInt(l), 0n);
const mod = (a: bigint) => ((a % p) + p) % p;
const COUNT = 4000;

describe('fp-small kernels', () => {
  it('match fp-gen limb for limb (mul, sqr, add, sub), and the math mod p', () => {
    let checked = 0;
    const o1 = newFe();
    const o2 = newFe();
    for (let i = 0; i < COUNT; i++) {
      const a = sample(i);
      const b = sample(COUNT - 1 - i);
      gen.fpSqr(o1, a);
      small.fpSqr(o2, a);
      expect(Array.from(o2)).toEqual(Array.from(o1));
      expect(mod(big(o2) * R)).toBe(mod(big(a) * big(a)));
      gen.fpAdd(o1, a, b);
      small.fpAdd(o2, a, b);
      expect(Array.from(o2)).toEqual(Array.from(o1));
      expect(big(o2) < 2n * p && mod(big(o2)) === mod(big(a) + big(b))).toBe(true);
      gen.fpSub(o1, a, b);
      small.fpSub(o2, a, b);
      expect(Array.from(o2)).toEqual(Array.from(o1));
      expect(big(o2) < 2n * p && mod(big(o2)) === mod(big(a) - big(b))).toBe(true);
      // aliasing, chained as point formulas do: o = o - a, then o = o + o
      small.fpSub(o2, o2, a);
      gen.fpSub(o1, o1, a);
      small.fpAdd(o2, o2, o2);
      gen.fpAdd(o1, o1, o1);
      expect(Array.from(o2)).toEqual(Array.from(o1));
      checked++;
    }
    expect(checked).toBe(COUNT);
  });

  it('tableSelect picks the same entry as fp-gen for every index', () => {
    const count = 8;
    const t = new Int32Array(5 * 22 + count * 22);
    for (let i = 0; i < t.length; i++) t[i] = randomBytes(3).readUIntBE(0, 3);
    const x1 = newFe();
    const y1 = newFe();
    const x2 = newFe().fill(-1);
    const y2 = newFe().fill(-1);
    for (let idx = 0; idx < count; idx++) {
      gen.tableSelect(x1, y1, t, 5 * 22, count, idx);
      small.tableSelect(x2, y2, t, 5 * 22, count, idx);
      expect(Array.from(x2)).toEqual(Array.from(t.subarray(5 * 22 + idx * 22, 5 * 22 + idx * 22 + 11)));
      expect(Array.from(y2)).toEqual(Array.from(t.subarray(5 * 22 + idx * 22 + 11, 5 * 22 + idx * 22 + 22)));
      expect(Array.from(x2)).toEqual(Array.from(x1));
      expect(Array.from(y2)).toEqual(Array.from(y1));
    }
  });
});
