// The comb table as data: the shipped comb-table.bin equals what the code computes, every entry is
// the point the comb layout says (checked with noble's BigInt arithmetic), loading validates, and
// signing with a loaded table equals signing with a computed one.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { p256 } from '@noble/curves/nist.js';
import { computeCombTableBytes, loadCombTable, TABLE_BYTES, createP256Signer } from '../../src/sign/p256/index';
import { COLS, TABLES, TEETH } from '../../src/sign/p256/comb';
import { signSync } from '../../src/sign/signer';
import { toHex } from '../../src/bytes';
import { AkenzaError } from '../../src/errors';

const FILE = new URL('../../src/sign/p256/comb-table.bin', import.meta.url);
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const RINV = (() => {
  // (2^264)^-1 mod p by Fermat
  let r = 1n;
  let b = (1n << 264n) % P;
  let e = P - 2n;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return r;
})();

function limbValue(t: Uint8Array, off: number): bigint {
  const dv = new DataView(t.buffer, t.byteOffset, t.byteLength);
  let v = 0n;
  for (let i = 10; i >= 0; i--) v = (v << 24n) | BigInt(dv.getInt32(off + i * 4, true));
  return v;
}

describe('comb table', () => {
  const file = new Uint8Array(readFileSync(FILE));

  it('the shipped file equals the computed table', () => {
    // the signed-digit recoding constants in comb.ts assume exactly 256 comb positions
    expect(TEETH * TABLES * COLS).toBe(256);
    expect(file.length).toBe(TABLE_BYTES);
    expect(toHex(computeCombTableBytes())).toBe(toHex(file));
  });

  it('every entry is 2^(j*COLS) (2^((TEETH-1)*SPAN) G + sum +-2^(i*SPAN) G), in Montgomery form', () => {
    const G = p256.Point.BASE;
    const SPAN = COLS * TABLES;
    const per = 1 << (TEETH - 1);
    let wrong = 0;
    for (let j = 0; j < TABLES; j++) {
      for (let v = 0; v < per; v++) {
        let k = 1n << BigInt((TEETH - 1) * SPAN);
        for (let i = 0; i < TEETH - 1; i++) k += ((v >> i) & 1 ? 1n : -1n) << BigInt(i * SPAN);
        k <<= BigInt(j * COLS);
        const n = p256.Point.CURVE().n;
        const pt = G.multiply(((k % n) + n) % n).toAffine();
        const off = (j * per + v) * 88;
        const x = (limbValue(file, off) * RINV) % P;
        const y = (limbValue(file, off + 44) * RINV) % P;
        if (x !== pt.x || y !== pt.y) wrong++;
      }
    }
    expect(wrong).toBe(0);
  });

  it('loading validates: wrong length and a corrupted point fail with KEY_INVALID', () => {
    const codes: string[] = [];
    const tryLoad = (b: Uint8Array) => {
      try {
        loadCombTable(b);
        codes.push('ok');
      } catch (e) {
        codes.push((e as AkenzaError).code);
      }
    };
    tryLoad(file.subarray(0, file.length - 4));
    const bad = new Uint8Array(file);
    bad[100] ^= 1;
    tryLoad(bad);
    const big = new Uint8Array(file);
    big[3] = 1; // limb 0 of entry 0 >= 2^24
    tryLoad(big);
    tryLoad(new Uint8Array(file));
    expect(codes).toEqual(['KEY_INVALID', 'KEY_INVALID', 'KEY_INVALID', 'ok']);
  });

  it('an unaligned copy (decoded, not viewed) works; loaded and computed tables sign the same', () => {
    const buf = new Uint8Array(file.length + 1);
    buf.set(file, 1);
    const unaligned = buf.subarray(1);
    const sk = p256.utils.randomSecretKey();
    const msg = new Uint8Array([1, 2, 3, 4]);
    const a = signSync(createP256Signer({ privateKey: sk, table: unaligned }), msg);
    const b = signSync(createP256Signer({ privateKey: sk, table: file }), msg);
    const c = signSync(createP256Signer({ privateKey: sk }), msg);
    expect(toHex(a)).toBe(toHex(c));
    expect(toHex(b)).toBe(toHex(c));
    expect(toHex(c)).toBe(toHex(p256.sign(msg, sk)));
  });
});
