// Wycheproof ECDSA P-256/SHA-256 P1363 vectors through the BigInt-free verify (the copy in
// test/vectors/wycheproof). Every valid accepted, every invalid rejected; the
// "acceptable" ones are counted and asserted.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyP256 } from '../../src/sign/p256/index';
import { fromHex } from '../../src/bytes';
import { VECTORS } from '../helpers';

const PATH = join(VECTORS, 'ecdsa_secp256r1_sha256_p1363_test.json');

interface Vec {
  tcId: number;
  msg: string;
  sig: string;
  result: 'valid' | 'invalid' | 'acceptable';
  flags: string[];
}
interface Group {
  publicKey: { uncompressed: string };
  tests: Vec[];
}

describe('Wycheproof ecdsa_secp256r1_sha256_p1363', () => {
  const data = JSON.parse(readFileSync(PATH, 'utf8')) as { numberOfTests: number; testGroups: Group[] };

  it('verify agrees with every valid/invalid verdict', () => {
    const counts = { valid: 0, invalid: 0, acceptable: 0, acceptableAccepted: 0 };
    const wrong: number[] = [];
    for (const g of data.testGroups) {
      const pub = fromHex(g.publicKey.uncompressed);
      for (const t of g.tests) {
        const ok = verifyP256(fromHex(t.sig), fromHex(t.msg), pub);
        counts[t.result]++;
        if (t.result === 'acceptable') {
          if (ok) counts.acceptableAccepted++;
        } else if (ok !== (t.result === 'valid')) wrong.push(t.tcId);
      }
    }
    expect(wrong).toEqual([]);
    expect(counts.valid + counts.invalid + counts.acceptable).toBe(data.numberOfTests);
    // deviations, asserted: this file has no "acceptable" P1363 cases
    expect(counts.acceptable).toBe(0);
    expect(counts.acceptableAccepted).toBe(0);
    // the file's own totals (262 cases), so a truncated or swapped file fails here
    expect(counts.valid).toBe(173);
    expect(counts.invalid).toBe(89);
  });
});
