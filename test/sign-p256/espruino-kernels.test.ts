// The Espruino signer code (targets/espruino/fp-gen.ts, p256-ram.ts, comb.ts) on Node, with E.convolve
// written out in JS as Espruino documents it: the multiplications give fp-gen.ts's limbs, the comb
// gives comb.ts's k*G (same point mod p), and a RAM-kernel job drops its kernels when done. The real
// interpreter runs them in test/real-engines/espruino.test.ts (tokens node:crypto verifies).
import { beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as gen from '../../src/sign/p256/fp-gen';
import * as shared from '../../src/sign/p256/comb';
import * as sharedInv from '../../src/sign/p256/inv';
import * as espInv from '../../targets/espruino/inv';
import { P } from '../../src/sign/p256/fp';
import { N, NPRIME } from '../../src/sign/p256/fn';
import { fpToPlain } from '../../src/sign/p256/fp';
import { fnMul, fnReduce } from '../../src/sign/p256/fn';
import { limbsFromBytes, newFe } from '../../src/sign/p256/limbs';
import { fe, p, sample } from './field-samples';
import { newPoint, type JPoint } from '../../src/sign/p256/point';
import { espruinoTableBytes } from '../../scripts/p256/espruino-table.mjs';

type Mul = (o: Int32Array, a: Int32Array, b: Int32Array) => void;
let espMul: Mul;
let ramMul: Mul;
let esp: typeof import('../../targets/espruino/comb');
let espFnMul: Mul;

beforeAll(async () => {
  // E.convolve: v = 0; for (i in arr1) v += arr1[i] * arr2[(i + offset) % arr2.length] (offset may be negative)
  (globalThis as any).E = {
    convolve(a: ArrayLike<number>, b: ArrayLike<number>, offset: number): number {
      let v = 0;
      const l = b.length;
      const o = ((offset % l) + l) % l;
      for (let i = 0; i < a.length; i++) v += a[i] * b[(i + o) % l];
      return v;
    },
  };
  espMul = (await import('../../targets/espruino/fp-gen')).fpMul;
  ramMul = (await import('../../targets/espruino/p256-ram')).ramKernels().mul;
  esp = await import('../../targets/espruino/comb');
  espFnMul = (await import('../../targets/espruino/fn')).fnMul;
});


/** x and y of a point's coordinates, out of Montgomery form and reduced: comparable limbs. */
function plainXY(q: JPoint): number[] {
  const x = newFe();
  const y = newFe();
  fpToPlain(x, q.x);
  fpToPlain(y, q.y);
  return Array.from(x).concat(Array.from(y));
}

describe('Espruino field and comb code (E.convolve in JS)', () => {
  it('the flash and RAM multiplications match fp-gen.ts limb for limb, aliasing included', () => {
    const o1 = newFe();
    const o2 = newFe();
    const o3 = newFe();
    for (let i = 0; i < 3000; i++) {
      const a = sample(i);
      const b = sample(2999 - i);
      gen.fpMul(o1, a, b);
      espMul(o2, a, b);
      ramMul(o3, a, b);
      expect(Array.from(o2)).toEqual(Array.from(o1));
      expect(Array.from(o3)).toEqual(Array.from(o1));
      // o aliasing a, then b
      const a2 = new Int32Array(a);
      espMul(a2, a2, b);
      expect(Array.from(a2)).toEqual(Array.from(o1));
      const b3 = new Int32Array(b);
      ramMul(b3, a, b3);
      expect(Array.from(b3)).toEqual(Array.from(o1));
    }
  });

  it('k*G by the RAM-kernel comb equals comb.ts (to affine), and the job drops its kernels at the end', () => {
    const bytes = new Uint8Array(readFileSync(new URL('../../src/sign/p256/comb-table.bin', import.meta.url)));
    const table = shared.loadCombTable(bytes);
    const espTable = new Int32Array(espruinoTableBytes(bytes).buffer); // the layout the bundle ships
    expect(espTable.length).toBe(table.length);
    for (let i = 0; i < 12; i++) {
      const k = newFe();
      limbsFromBytes(k, new Uint8Array(randomBytes(32)), 0);
      fnReduce(k, k);
      if (i === 0) k.set([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      const want = newPoint();
      shared.combMul(want, k, table);
      const job = esp.newCombJob();
      esp.combStart(job, k);
      let parts = 0;
      while (!esp.combPart(job, espTable)) {
        parts++;
        expect(job.k).toBeTruthy();
      }
      expect(parts + 1).toBe(8 * 8 + 7); // 64 lookups and additions, 7 doublings
      expect(job.k).toBeNull();
      // same point: X1 Z2^2 = X2 Z1^2 and Y1 Z2^3 = Y2 Z1^3
      const l = newPoint();
      const r = newPoint();
      const z1 = newFe(), z2 = newFe();
      gen.fpMul(z1, job.r.z, job.r.z);
      gen.fpMul(z2, want.z, want.z);
      gen.fpMul(l.x, job.r.x, z2);
      gen.fpMul(r.x, want.x, z1);
      gen.fpMul(z1, z1, job.r.z);
      gen.fpMul(z2, z2, want.z);
      gen.fpMul(l.y, job.r.y, z2);
      gen.fpMul(r.y, want.y, z1);
      expect(plainXY(l)).toEqual(plainXY(r));
      const out = newPoint();
      esp.combMul(out, k, espTable);
      expect(plainXY(out)).toEqual(plainXY(job.r));
    }
  });

  it('the RAM inversion gives inv.ts\'s inverses mod p and mod n, and drops its code when done', () => {
    for (let i = 0; i < 200; i++) {
      for (const [m, mp] of [[P, 1], [N, NPRIME]] as [Int32Array, number][]) {
        const x = newFe();
        limbsFromBytes(x, new Uint8Array(randomBytes(32)), 0);
        if (i === 0) x.set([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        if (i === 1) x.set(m), (x[0] -= 1); // m - 1
        let c = 0; // x mod m (x < 2^256 < 2m)
        const y = newFe();
        for (let j = 0; j < 11; j++) {
          const t = x[j] - m[j] + c;
          c = t >> 24;
          y[j] = t & 16777215;
        }
        if (c === 0) x.set(y);
        if (x.every((l) => l === 0)) continue;
        const want = newFe();
        const got = newFe();
        sharedInv.invVar(want, x, m, mp);
        const job = espInv.newInvJob(m, mp);
        espInv.invStart(job, x);
        let batches = 0;
        while (!espInv.invRun(job, got, 3)) batches++;
        expect(job.k).toBeNull();
        expect(batches).toBeGreaterThan(3);
        expect(Array.from(got)).toEqual(Array.from(want));
      }
    }
  });

  it('the multiplication mod n matches fn.ts limb for limb, aliasing included', () => {
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const o1 = newFe();
    const o2 = newFe();
    for (let i = 0; i < 2000; i++) {
      const s = (j: number) => {
        const e = [0n, 1n, n - 1n, n, 2n * n - 1n];
        if (j < e.length) return fe(e[j]);
        let v = BigInt('0x' + randomBytes(32).toString('hex'));
        while (v >= 2n * n) v -= n;
        return fe(v);
      };
      const a = s(i);
      const b = s(1999 - i);
      fnMul(o1, a, b);
      espFnMul(o2, a, b);
      expect(Array.from(o2)).toEqual(Array.from(o1));
      espFnMul(a, a, b);
      expect(Array.from(a)).toEqual(Array.from(o1));
    }
  });
});
