// Cross-checks the BigInt-free ES256 signer against noble v2 (signatures, public keys) and
// node:crypto (verification via the SPKI encoding). FULL=1 runs the 10,000-case version.
import { describe, expect, it } from 'vitest';
import { createPublicKey, randomBytes, verify as nodeVerify } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { createP256Signer, generateKeyPair, getPublicKey, publicKeyToSpki, verifyP256 } from '../../src/sign/p256/index';
import { signSliced, signSync } from '../../src/sign/signer';
import { sha256 } from '../../src/hash/sha256';
import { AkenzaError } from '../../src/errors';
import { toHex } from '../../src/bytes';

const COUNT = process.env.FULL ? 10000 : 500;

function nodeVerifies(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
  const key = createPublicKey({ key: Buffer.from(publicKeyToSpki(pub)), format: 'der', type: 'spki' });
  return nodeVerify('sha256', msg, { key, dsaEncoding: 'ieee-p1363' }, sig);
}

describe('P-256 signer vs noble and node:crypto', () => {
  it(`${COUNT} random keys and messages: identical signatures, public keys; node:crypto verifies`, () => {
    let sigMismatch = 0;
    let pubMismatch = 0;
    let nodeRejects = 0;
    for (let i = 0; i < COUNT; i++) {
      const sk = p256.utils.randomSecretKey();
      const msg = randomBytes(i % 300);
      const sig = signSync(createP256Signer({ privateKey: sk }), msg);
      if (toHex(sig) !== toHex(p256.sign(msg, sk))) sigMismatch++;
      const pub = getPublicKey(sk);
      if (toHex(pub) !== toHex(p256.getPublicKey(sk, false))) pubMismatch++;
      if (!nodeVerifies(sig, msg, pub)) nodeRejects++;
    }
    expect({ sigMismatch, pubMismatch, nodeRejects }).toEqual({ sigMismatch: 0, pubMismatch: 0, nodeRejects: 0 });
  });

  it('extra entropy (RFC 6979 3.6) matches noble extraEntropy, and changes the signature', () => {
    let mismatch = 0;
    for (let i = 0; i < 100; i++) {
      const sk = p256.utils.randomSecretKey();
      const msg = randomBytes(64);
      const ee = randomBytes(i % 2 ? 32 : 17);
      const sig = signSync(createP256Signer({ privateKey: sk, extraEntropy: () => ee }), msg);
      if (toHex(sig) !== toHex(p256.sign(msg, sk, { extraEntropy: ee }))) mismatch++;
      expect(toHex(sig)).not.toBe(toHex(p256.sign(msg, sk)));
    }
    expect(mismatch).toBe(0);
  });

  it('signatures are low-S and verify with our verify', () => {
    const half = p256.Point.CURVE().n >> 1n;
    for (let i = 0; i < 50; i++) {
      const sk = p256.utils.randomSecretKey();
      const msg = randomBytes(40);
      const sig = signSync(createP256Signer({ privateKey: sk }), msg);
      expect(BigInt('0x' + toHex(sig.subarray(32))) <= half).toBe(true);
      expect(verifyP256(sig, msg, getPublicKey(sk))).toBe(true);
      const bad = new Uint8Array(sig);
      bad[5] ^= 1;
      expect(verifyP256(bad, msg, getPublicKey(sk))).toBe(false);
    }
  });

  it('sliced mode gives the same signature, in many bounded steps, never from inside the call', async () => {
    const sk = p256.utils.randomSecretKey();
    const msg = randomBytes(400);
    const signer = createP256Signer({ privateKey: sk, sliceBudget: 40 });
    let steps = 0;
    const step = signer.start(msg);
    let sig: Uint8Array | null = null;
    while (!(sig = step())) steps++;
    expect(steps).toBeGreaterThan(10);
    expect(toHex(sig)).toBe(toHex(p256.sign(msg, sk)));
    let sync = true;
    const viaDriver = await new Promise<Uint8Array>((resolve, reject) => {
      signSliced(signer, msg, (fn) => setTimeout(fn, 0), (err, s) => {
        expect(sync).toBe(false);
        if (err) reject(err);
        else resolve(s as Uint8Array);
      });
      sync = false;
    });
    expect(toHex(viaDriver)).toBe(toHex(sig));
    // a signer is reusable and jobs are independent
    expect(toHex(signSync(signer, msg))).toBe(toHex(sig));
    // extreme budgets: one unit per step (every phase still advances) and unbounded (few steps)
    const stepsFor = (budget: number): [string, number] => {
      const st = createP256Signer({ privateKey: sk, sliceBudget: budget }).start(msg);
      let n = 1;
      let out: Uint8Array | null;
      while (!(out = st())) n++;
      return [toHex(out), n];
    };
    const [tiny, tinySteps] = stepsFor(1);
    const [huge, hugeSteps] = stepsFor(1e9);
    expect(tiny).toBe(toHex(sig));
    expect(huge).toBe(toHex(sig));
    expect(tinySteps).toBeGreaterThan(60); // 22+ inversion batches each, 8 comb columns, hashes
    expect(hugeSteps).toBeLessThanOrEqual(6); // the hash/HMAC phases always end a step
    // interleaved jobs on one signer do not share state
    const a = signer.start(msg);
    const b = signer.start(new Uint8Array([9]));
    let ra: Uint8Array | null = null;
    let rb: Uint8Array | null = null;
    while (!ra || !rb) {
      if (!ra) ra = a();
      if (!rb) rb = b();
    }
    expect(toHex(ra)).toBe(toHex(sig));
    expect(toHex(rb)).toBe(toHex(p256.sign(new Uint8Array([9]), sk)));
  });

  it('takes a pluggable hash (here node:crypto SHA-256 standing in for a native one)', async () => {
    const { createHash } = await import('node:crypto');
    let calls = 0;
    const nativeSha = (m: Uint8Array): Uint8Array => {
      calls++;
      return new Uint8Array(createHash('sha256').update(m).digest());
    };
    const sk = p256.utils.randomSecretKey();
    const msg = randomBytes(100);
    const sig = signSync(createP256Signer({ privateKey: sk, hash: nativeSha }), msg);
    expect(toHex(sig)).toBe(toHex(p256.sign(msg, sk)));
    expect(calls).toBeGreaterThan(5);
    expect(toHex(sha256(msg))).toBe(toHex(nativeSha(msg)));
  });

  it('generateKeyPair uses the given RNG and rejects out-of-range candidates', () => {
    const n = p256.Point.CURVE().n;
    const nBytes = Buffer.from(n.toString(16), 'hex');
    const queue = [new Uint8Array(32), new Uint8Array(nBytes), new Uint8Array(32).fill(255), new Uint8Array(randomBytes(32))];
    const expected = queue[3];
    let asked = 0;
    const kp = generateKeyPair((len) => {
      expect(len).toBe(32);
      return queue[asked++];
    });
    expect(asked).toBe(4);
    expect(toHex(kp.privateKey)).toBe(toHex(expected));
    expect(toHex(kp.publicKey)).toBe(toHex(p256.getPublicKey(expected, false)));
    const spki = publicKeyToSpki(kp.publicKey);
    expect(spki.length).toBe(91);
    const exported = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'der', type: 'spki' });
    expect(toHex(new Uint8Array(exported))).toBe(toHex(spki));
  });

  it('rejects zero, n, >= n and wrong-length private keys with KEY_INVALID', () => {
    const n = p256.Point.CURVE().n;
    const bad = [
      new Uint8Array(32),
      new Uint8Array(Buffer.from(n.toString(16), 'hex')),
      new Uint8Array(Buffer.from((n + 1n).toString(16), 'hex')),
      new Uint8Array(32).fill(255),
      new Uint8Array(31).fill(1),
      new Uint8Array(33).fill(1),
    ];
    for (const k of bad) {
      for (const f of [() => createP256Signer({ privateKey: k }), () => getPublicKey(k)]) {
        let err: unknown;
        try {
          f();
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(AkenzaError);
        expect((err as AkenzaError).code).toBe('KEY_INVALID');
      }
    }
    // the extremes that are valid: 1 and n - 1
    for (const v of [1n, n - 1n]) {
      const k = new Uint8Array(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));
      expect(toHex(getPublicKey(k))).toBe(toHex(p256.getPublicKey(k, false)));
      const sig = signSync(createP256Signer({ privateKey: k }), new Uint8Array([1, 2, 3]));
      expect(toHex(sig)).toBe(toHex(p256.sign(new Uint8Array([1, 2, 3]), k)));
    }
  });
});
