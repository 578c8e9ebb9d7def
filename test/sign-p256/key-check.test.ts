// The stored public key checked inside the first signing job (p256Binding checkKeyInJob, used on
// Espruino so no whole scalar multiplication runs when a signer is made), and the comb in parts.
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { p256Binding } from '../../src/sign/p256-binding';
import { combPart, combStart, combStep, newCombJob, TABLES, COLS } from '../../src/sign/p256/comb';
import { combTable, getPublicKey } from '../../src/sign/p256/index';
import { signSync } from '../../src/sign/signer';
import { sha256 } from '../../src/hash/sha256';
import { toHex } from '../../src/bytes';
import { fnFromBytes } from '../../src/sign/p256/fn';
import { newFe } from '../../src/sign/p256/limbs';

const table = () => combTable();
const msg = new Uint8Array([1, 2, 3]);

describe('P-256 key check in the first signing job', () => {
  const sk = new Uint8Array(randomBytes(32));
  sk[0] &= 0x7f; // below n
  const pub = getPublicKey(sk);
  const other = getPublicKey(new Uint8Array(32).fill(7));
  const deferred = p256Binding({ table, hash: sha256, checkKeyInJob: true, sliceBudget: 8 });
  const eager = p256Binding({ table, hash: sha256 });

  it('a matching stored key signs exactly as without the check, in more steps', () => {
    const key = { kty: 'EC' as const, alg: 'ES256' as const, d: sk, publicKey: pub };
    const steps = (s: ReturnType<typeof deferred.createSigner>) => {
      const st = s.start(msg);
      let n = 1;
      let out: Uint8Array | null;
      while (!(out = st())) n++;
      return { sig: toHex(out), n };
    };
    const a = steps(deferred.createSigner(key));
    const b = steps(p256Binding({ table, hash: sha256, sliceBudget: 8 }).createSigner({ ...key, publicKey: undefined }));
    expect(a.sig).toBe(b.sig);
    expect(p256.verify(Buffer.from(a.sig, 'hex'), sha256(msg), pub, { prehash: false })).toBe(true);
    expect(a.n - b.n).toBeGreaterThanOrEqual(TABLES * COLS); // d*G ran as steps of the first job
    // checked once: the second job has no extra steps
    const s = deferred.createSigner(key);
    const first = steps(s);
    expect(steps(s).n).toBeLessThan(first.n);
  });

  it('a mismatched stored key: createSigner returns, the first job fails with KEY_INVALID (eager: createSigner throws)', () => {
    const key = { kty: 'EC' as const, alg: 'ES256' as const, d: sk, publicKey: other };
    const signer = deferred.createSigner(key);
    expect(() => signSync(signer, msg)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => signSync(signer, msg)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' })); // still unchecked
    expect(() => eager.createSigner(key)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });

  it('combPart: a doubling or one table per call; combStep still a column', () => {
    const k = newFe();
    fnFromBytes(k, sk, 0);
    const t = combTable();
    const a = newCombJob();
    combStart(a, k);
    let parts = 1;
    while (!combPart(a, t)) parts++;
    expect(parts).toBe(TABLES * COLS + COLS - 1); // every table of every column, and a doubling per column after the first
    const b = newCombJob();
    combStart(b, k);
    let cols = 1;
    while (!combStep(b, t)) cols++;
    expect(cols).toBe(COLS);
    expect(toHex(new Uint8Array(a.r.x.buffer))).toBe(toHex(new Uint8Array(b.r.x.buffer)));
  });
});
