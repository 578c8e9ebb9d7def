// Wycheproof vectors (the copy in test/vectors/wycheproof): RS256 signature generation through
// the BigInt signer, ES256 P1363 verification through the mock's verify path. Deviations are counted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { fromHex, toHex } from '../../src/bytes';
import { parsePrivateKey, parsePublicKey, type RsaPrivateKey } from '../../src/keys';
import { verifyJwsSignature } from '../../src/mock/jws-verify';
import { createBigIntRs256Signer } from '../../src/sign/rs256.bigint';
import { createNobleEs256Signer } from '../../src/sign/es256.noble';
import { signSync } from '../../src/sign/signer';
import { VECTORS } from '../helpers';

const load = (f: string) => JSON.parse(readFileSync(join(VECTORS, f), 'utf8'));

describe('Wycheproof RSASSA-PKCS1-v1_5 signature generation', () => {
  const data = load('rsa_pkcs1_2048_sig_gen_test.json');
  it('reproduces every SHA-256 signature byte for byte; the other hashes do not apply to RS256', () => {
    let reproduced = 0;
    let otherHash = 0;
    for (const g of data.testGroups) {
      if (g.sha !== 'SHA-256') {
        otherHash += g.tests.length;
        continue;
      }
      const signer = createBigIntRs256Signer(parsePrivateKey(g.privateKeyPem) as RsaPrivateKey);
      for (const t of g.tests) {
        expect(toHex(signSync(signer, fromHex(t.msg))), 'tcId ' + t.tcId).toBe(t.sig);
        reproduced++;
      }
    }
    // Asserted deviation: the file's SHA-1/224/384/512 groups (33 vectors) are not RS256.
    expect({ reproduced, otherHash }).toEqual({ reproduced: 10, otherHash: 33 });
    expect(reproduced + otherHash).toBe(data.numberOfTests);
  });
});

/** Runs a Wycheproof verify file through the mock's verify path; returns the verdict counts. */
function verifyFile(file: string, alg: 'ES256' | 'RS256') {
  const data = load(file);
  const counts = { valid: 0, invalid: 0, acceptable: 0, wrong: [] as number[], total: data.numberOfTests };
  for (const g of data.testGroups) {
    const key = parsePublicKey(new Uint8Array(fromHex(g.publicKeyDer)), alg);
    for (const t of g.tests) {
      const ok = verifyJwsSignature(key, alg, fromHex(t.msg), fromHex(t.sig));
      if (t.result === 'acceptable') counts.acceptable++;
      else if ((t.result === 'valid') !== ok) counts.wrong.push(t.tcId);
      else counts[t.result as 'valid' | 'invalid']++;
    }
  }
  return counts;
}

describe('Wycheproof verification through the mock verify path', () => {
  it('ECDSA P-256 SHA-256 P1363: every valid signature accepted, every invalid one rejected', () => {
    const c = verifyFile('ecdsa_secp256r1_sha256_p1363_test.json', 'ES256');
    expect(c.wrong).toEqual([]);
    expect(c.valid + c.invalid + c.acceptable).toBe(c.total);
    expect(c.acceptable).toBe(0);
    // the file's own totals, so a truncated or swapped copy fails here
    expect({ valid: c.valid, invalid: c.invalid, total: c.total }).toEqual({ valid: 173, invalid: 89, total: 262 });
  });
  it('RSASSA-PKCS1-v1_5 2048 SHA-256: every valid signature accepted, every invalid one rejected', () => {
    const c = verifyFile('rsa_signature_2048_sha256_test.json', 'RS256');
    expect(c.wrong).toEqual([]);
    expect(c.valid + c.invalid + c.acceptable).toBe(c.total);
    // asserted deviation: 1 "acceptable" vector, counted and not judged
    expect({ valid: c.valid, invalid: c.invalid, acceptable: c.acceptable, total: c.total }).toEqual({ valid: 9, invalid: 249, acceptable: 1, total: 259 });
  });
});

describe('RFC 6979 A.2.5 (P-256, SHA-256)', () => {
  // Deterministic ECDSA: the RFC's (r, s) for messages "sample" and "test".
  const x = 'c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721';
  const vectors = [
    ['sample', 'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716', 'f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8'],
    ['test', 'f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367', '019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083'],
  ];
  it('reproduces r exactly and s up to the low-S normalisation (asserted: 1 of 2 flipped)', () => {
    const signer = createNobleEs256Signer(parsePrivateKey(x) as any);
    const n = p256.Point.Fn.ORDER;
    let flipped = 0;
    for (const [msg, r, s] of vectors) {
      const sig = toHex(signSync(signer, new TextEncoder().encode(msg)));
      expect(sig.slice(0, 64)).toBe(r);
      const sBig = BigInt('0x' + s);
      const lowS = sBig > n / 2n ? n - sBig : sBig;
      if (lowS !== sBig) flipped++;
      expect(sig.slice(64)).toBe(lowS.toString(16).padStart(64, '0'));
    }
    expect(flipped).toBe(1);
  });
});
