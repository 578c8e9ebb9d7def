// Espruino's staged mint (targets/espruino/mint.ts, r.ts, s.ts) on Node, its stages driven by module
// name as the core's lazy-signer.ts does (the k*G here by the shared comb: akenza-comb's loop is
// comb-module.ts, run by the real interpreter in test/real-engines/espruino.test.ts): the same RFC
// 6979 signatures as the shared signer (ecdsa.ts), the stored public key checked by a first job.
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { p256Binding, type P256BindingOptions } from '../../src/sign/p256-binding';
import { combPart } from '../../src/sign/p256/comb';
import { combTable, getPublicKey } from '../../src/sign/p256/index';
import { signSync } from '../../src/sign/signer';
import { sha256 } from '../../src/hash/sha256';
import { toHex } from '../../src/bytes';
import { COMB_MOD, NONCE_MOD, R_MOD, S_MOD, mint, type MintJob } from '../../targets/espruino/mint';
import { stageR } from '../../targets/espruino/r';
import { stageS } from '../../targets/espruino/s';

const o: P256BindingOptions = { table: () => combTable(), hash: sha256 };

/** Runs a job to its signature, counting the turns of each stage's module and the loads. */
function run(d: Uint8Array, msg: Uint8Array, pub?: Uint8Array) {
  const j = { n: NONCE_MOD, msg, d, pub, o, ph: 0 } as MintJob;
  const stages: string[] = [];
  const mods: { [n: string]: (j: MintJob) => boolean } = {
    [NONCE_MOD]: mint,
    [COMB_MOD]: (j) => {
      while (!combPart(j.c, o.table()));
      j.n = R_MOD;
      return true;
    },
    [R_MOD]: stageR,
    [S_MOD]: stageS,
  };
  for (let turns = 0; !j.sig; turns++) {
    if (turns > 500) throw new Error('no signature');
    const name = j.n;
    stages.push(name);
    while (!mods[name](j));
  }
  return { sig: toHex(j.sig as Uint8Array), stages };
}

describe('Espruino staged mint (mint.ts, r.ts, s.ts)', () => {
  const shared = p256Binding(o);
  it('signs as the shared signer does (RFC 6979), through akenza-nonce, akenza-comb, akenza-r, akenza-s', () => {
    for (let i = 0; i < 6; i++) {
      const d = new Uint8Array(randomBytes(32));
      d[0] &= 0x7f;
      const msg = new Uint8Array(randomBytes(40 + i));
      const a = run(d, msg);
      expect(a.sig).toBe(toHex(signSync(shared.createSigner({ kty: 'EC', alg: 'ES256', d }), msg)));
      expect(a.stages).toEqual([NONCE_MOD, COMB_MOD, R_MOD, S_MOD]);
      expect(p256.verify(Buffer.from(a.sig, 'hex'), sha256(msg), getPublicKey(d), { prehash: false })).toBe(true);
    }
  });

  it('a stored public key: d*G (akenza-comb) compared by akenza-r first; a wrong one fails KEY_INVALID', () => {
    const d = new Uint8Array(randomBytes(32));
    d[0] &= 0x7f;
    const msg = new Uint8Array([1, 2, 3]);
    const a = run(d, msg, getPublicKey(d));
    expect(a.stages).toEqual([NONCE_MOD, COMB_MOD, R_MOD, NONCE_MOD, COMB_MOD, R_MOD, S_MOD]);
    expect(a.sig).toBe(run(d, msg).sig);
    expect(() => run(d, msg, getPublicKey(new Uint8Array(32).fill(7)))).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => run(new Uint8Array(32), msg)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });
});
