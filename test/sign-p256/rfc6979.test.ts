// RFC 6979 appendix A.2.5 (P-256, SHA-256) vectors. Deviation, asserted: we apply low-S (noble v2's
// default), so a vector whose s is above n/2 comes out as n - s; exactly one of the two ("sample") does.
import { describe, expect, it } from 'vitest';
import { createP256Signer, getPublicKey } from '../../src/sign/p256/index';
import { signSync } from '../../src/sign/signer';
import { fromHex, toHex } from '../../src/bytes';
import { utf8Encode } from '../../src/utf8';

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const X = 'c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721';
const UX = '60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6';
const UY = '7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299';
const VECTORS = [
  {
    msg: 'sample',
    k: 'a6e3c57dd01abe90086538398355dd4c3b17aa873382b0f24d6129493d8aad60',
    r: 'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716',
    s: 'f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8',
  },
  {
    msg: 'test',
    k: 'd16b6ae827f17175e040871a1c7ec3500192c4c92677336ec2537acaee0008e0',
    r: 'f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367',
    s: '019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083',
  },
];

describe('RFC 6979 A.2.5 P-256/SHA-256', () => {
  it('derives the public key U', () => {
    expect(toHex(getPublicKey(fromHex(X)))).toBe('04' + UX + UY);
  });

  it('reproduces r and s (s low-S normalised: one asserted flip)', () => {
    const signer = createP256Signer({ privateKey: fromHex(X) });
    let flipped = 0;
    for (const v of VECTORS) {
      const sig = toHex(signSync(signer, utf8Encode(v.msg)));
      expect(sig.slice(0, 64)).toBe(v.r);
      const s = BigInt('0x' + v.s);
      const low = s > N >> 1n ? N - s : s;
      if (low !== s) flipped++;
      expect(sig.slice(64)).toBe(low.toString(16).padStart(64, '0'));
      // the nonce itself: r is the x coordinate of k*G (x < n here)
      expect(toHex(getPublicKey(fromHex(v.k))).slice(2, 66)).toBe(v.r);
    }
    expect(flipped).toBe(1);
  });
});

describe('RFC 6979 retry path (step h.3)', () => {
  it('rejected candidates (k >= n) reseed exactly like noble, through a pluggable hash', async () => {
    const { p256 } = await import('@noble/curves/nist.js');
    const { ecdsa } = await import('@noble/curves/abstract/weierstrass.js');
    const { sha256 } = await import('../../src/hash/sha256');
    const { hmac } = await import('../../src/hash/hmac');
    // A SHA-256 variant whose output starts with ffffffff for a quarter of inputs: every HMAC
    // output (so every nonce candidate) then has a ~1/4 chance of being >= n and rejected.
    let forced = 0;
    const fake = (m: Uint8Array): Uint8Array => {
      const h = sha256(m);
      if ((h[31] & 3) === 0) {
        h[0] = h[1] = h[2] = h[3] = 0xff;
        forced++;
      }
      return h;
    };
    const chash = Object.assign((m: Uint8Array) => fake(m), {
      outputLen: 32,
      blockLen: 64,
      create: () => {
        throw new Error('not used: hmac is supplied');
      },
    });
    const noble = ecdsa(p256.Point, chash as never, { hmac: (k: Uint8Array, m: Uint8Array) => hmac(fake, k, m) });
    let mismatch = 0;
    for (let i = 0; i < 60; i++) {
      const sk = p256.utils.randomSecretKey();
      const msg = utf8Encode('message ' + i);
      const ours = signSync(createP256Signer({ privateKey: sk, hash: fake }), msg);
      if (toHex(ours) !== toHex(noble.sign(msg, sk))) mismatch++;
    }
    expect(mismatch).toBe(0);
    expect(forced).toBeGreaterThan(100); // the rejection path really ran
  });
});
