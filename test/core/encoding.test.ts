// bytes, base64/base64url and UTF-8 helpers against Node's own implementations on random input.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64Decode, base64Encode, base64urlDecode, base64urlEncode } from '../../src/base64';
import { bitLength, concatBytes, equalBytes, fromHex, padStart, toHex } from '../../src/bytes';
import { utf8Decode, utf8Encode } from '../../src/utf8';

describe('base64 and base64url', () => {
  it('match Buffer on 2,000 random inputs of every small length', () => {
    for (let i = 0; i < 2000; i++) {
      const b = randomBytes(i % 97);
      expect(base64urlEncode(b)).toBe(b.toString('base64url'));
      expect(base64Encode(b)).toBe(b.toString('base64'));
      expect(Buffer.from(base64urlDecode(b.toString('base64url'))).equals(b)).toBe(true);
      expect(Buffer.from(base64Decode(b.toString('base64'))).equals(b)).toBe(true);
    }
  });
  it.each([
    ['padding in base64url', 'QQ==', base64urlDecode],
    ['standard alphabet in base64url', 'a+b/', base64urlDecode],
    ['impossible length', 'QUJDR', base64urlDecode],
    ['non-canonical trailing bits', 'QR', base64urlDecode],
    ['whitespace', 'QU JD', base64urlDecode],
    ['bad padding', 'QUJD=', base64Decode],
    ['three padding chars', 'Q===', base64Decode],
  ])('refuse %s', (_name, s, fn) => {
    expect(() => fn(s)).toThrowError(expect.objectContaining({ code: 'PEM_INVALID' }));
  });
});

describe('utf8', () => {
  it('matches TextEncoder/TextDecoder on random strings, including astral and lone surrogates', () => {
    const te = new TextEncoder();
    for (let i = 0; i < 2000; i++) {
      let s = '';
      for (let k = 0; k < (i % 40); k++) {
        const r = Math.random();
        s += r < 0.4 ? String.fromCharCode(32 + Math.floor(Math.random() * 95)) : r < 0.7 ? String.fromCharCode(Math.floor(Math.random() * 0xd7ff)) : r < 0.95 ? String.fromCodePoint(0x10000 + Math.floor(Math.random() * 0xfffff)) : String.fromCharCode(0xd800 + Math.floor(Math.random() * 0x800));
      }
      const ours = utf8Encode(s);
      expect(Buffer.from(ours).equals(Buffer.from(te.encode(s)))).toBe(true);
      expect(utf8Decode(ours)).toBe(new TextDecoder().decode(ours));
    }
  });
  it.each([
    ['overlong', [0xc0, 0x80]],
    ['truncated', [0xe2, 0x82]],
    ['surrogate', [0xed, 0xa0, 0x80]],
    ['bad continuation', [0xc3, 0x28]],
    ['beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['stray continuation', [0x80]],
  ])('decoder refuses %s', (_n, bytes) => {
    expect(() => utf8Decode(new Uint8Array(bytes))).toThrow(/invalid|truncated/);
  });
});

describe('bytes', () => {
  it('hex round-trips and rejects non-hex', () => {
    const b = randomBytes(33);
    expect(toHex(b)).toBe(b.toString('hex'));
    expect(Buffer.from(fromHex(b.toString('hex').toUpperCase())).equals(b)).toBe(true);
    expect(() => fromHex('abc')).toThrow(/hex/);
    expect(() => fromHex('zz')).toThrow(/hex/);
  });
  it('concat, compare, pad, bit length', () => {
    expect(toHex(concatBytes([new Uint8Array([1]), new Uint8Array(0), new Uint8Array([2, 3])]))).toBe('010203');
    expect(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(equalBytes(new Uint8Array([1]), new Uint8Array([1, 0]))).toBe(false);
    expect(toHex(padStart(new Uint8Array([0, 0, 5]), 4))).toBe('00000005');
    expect(() => padStart(new Uint8Array([1, 2, 3]), 2)).toThrow(/longer/);
    expect(bitLength(new Uint8Array([0, 0x01, 0]))).toBe(9);
    expect(bitLength(new Uint8Array([0x80, 0]))).toBe(16);
    expect(bitLength(new Uint8Array([0]))).toBe(0);
  });
});
