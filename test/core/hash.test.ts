// SHA-256, SHA-1 and HMAC-SHA-256 against node:crypto on random inputs around the block boundaries.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes';
import { hmac } from '../../src/hash/hmac';
import { sha1 } from '../../src/hash/sha1';
import { sha256 } from '../../src/hash/sha256';

const lengths = [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4097];

describe('hashes', () => {
  it('sha256 and sha1 match node:crypto at every padding boundary and on random lengths', () => {
    const all = lengths.concat(Array.from({ length: 200 }, (_, i) => (i * 37) % 300));
    for (const n of all) {
      const m = randomBytes(n);
      expect(toHex(sha256(m))).toBe(createHash('sha256').update(m).digest('hex'));
      expect(toHex(sha1(m))).toBe(createHash('sha1').update(m).digest('hex'));
    }
  });
  it('known answers (FIPS 180 "abc")', () => {
    const abc = new Uint8Array([0x61, 0x62, 0x63]);
    expect(toHex(sha256(abc))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(sha1(abc))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  });
  it('hmac-sha256 matches node:crypto for short, block-sized and long keys', () => {
    for (const kl of [0, 1, 32, 63, 64, 65, 200]) {
      const k = randomBytes(kl);
      const m = randomBytes(kl * 3 + 1);
      expect(toHex(hmac(sha256, k, m))).toBe(createHmac('sha256', k).update(m).digest('hex'));
    }
  });
});
