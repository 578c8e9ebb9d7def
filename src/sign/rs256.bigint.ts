// RS256 signer with BigInt (RFC 8017 RSASSA-PKCS1-v1_5 + SHA-256) using the CRT; deterministic, so it
// matches any correct implementation byte for byte. The exponentiations run in bounded steps.
import { concatBytes, toHex } from '../bytes';
import { fail } from '../errors';
import type { Hash } from '../hash/hash';
import { sha256 } from '../hash/sha256';
import type { RsaPrivateKey } from '../keys';
import type { Signer, SignStep } from './signer';

// DER DigestInfo prefix for SHA-256 (RFC 8017 section 9.2, note 1).
const DIGEST_INFO_SHA256 = [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

const big = (b: Uint8Array): bigint => BigInt('0x' + (toHex(b) || '0'));

function toBytes(x: bigint, len: number): Uint8Array {
  const hex = x.toString(16).padStart(len * 2, '0');
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

/** EMSA-PKCS1-v1_5 encoding of SHA-256(message) into `len` bytes. */
export function emsaPkcs1Sha256(message: Uint8Array, len: number, hash: Hash): Uint8Array {
  const t = concatBytes([new Uint8Array(DIGEST_INFO_SHA256), hash(message)]);
  if (len < t.length + 11) fail('KEY_INVALID', 'RSA modulus too short for SHA-256 DigestInfo');
  const em = new Uint8Array(len);
  em[1] = 1;
  em.fill(0xff, 2, len - t.length - 1);
  em.set(t, len - t.length);
  return em;
}

/**
 * base^exp mod m as a job: a 4-bit fixed window, `bitsPerStep` exponent bits per call. Returns
 * the result once done, else null.
 */
function modPowJob(base: bigint, exp: bigint, m: bigint, bitsPerStep: number): () => bigint | null {
  const table: bigint[] = [1n % m, base % m];
  for (let i = 2; i < 16; i++) table.push((table[i - 1] * table[1]) % m);
  const nibbles = exp.toString(16);
  let acc = 1n % m;
  let i = 0;
  return () => {
    const stop = Math.min(nibbles.length, i + Math.max(1, bitsPerStep >> 2));
    for (; i < stop; i++) {
      acc = (acc * acc) % m;
      acc = (acc * acc) % m;
      acc = (acc * acc) % m;
      acc = (acc * acc) % m;
      acc = (acc * table[parseInt(nibbles[i], 16)]) % m;
    }
    return i === nibbles.length ? acc : null;
  };
}

/** Options of createBigIntRs256Signer. @inline */
export interface BigIntRs256Options {
  /** SHA-256 implementation (a native one where the target has it). */
  hash?: Hash;
  /** Exponent bits per step; 0 = the whole signature in one step. */
  bitsPerStep?: number;
}

/** RS256 on BigInt with the CRT; signatures are byte-identical to node:crypto. */
export function createBigIntRs256Signer(key: RsaPrivateKey, opts?: BigIntRs256Options): Signer {
  const n = big(key.n), e = big(key.e), p = big(key.p), q = big(key.q);
  const dp = big(key.dp), dq = big(key.dq), qi = big(key.qi);
  // CRT with inconsistent parts yields garbage signatures (and a faulty CRT result leaks a factor).
  if (p * q !== n || (qi * q) % p !== 1n % p || dp >= p || dq >= q)
    fail('KEY_INVALID', 'RSA private key parts are inconsistent (p*q != n or bad CRT values)');
  const len = key.n.length;
  const hash = (opts && opts.hash) || sha256;
  const per = opts && opts.bitsPerStep ? opts.bitsPerStep : 1 << 20;
  return {
    alg: 'RS256',
    start(message): SignStep {
      const m = big(emsaPkcs1Sha256(message, len, hash));
      const jp = modPowJob(m % p, dp, p, per);
      const jq = modPowJob(m % q, dq, q, per);
      let sp: bigint | null = null;
      let sq: bigint | null = null;
      return () => {
        if (sp === null) sp = jp();
        else if (sq === null) sq = jq();
        if (sp === null || sq === null) return null;
        const h = (qi * (((sp - sq) % p) + p)) % p;
        const s = sq + h * q;
        // Check before release: a fault in either half would otherwise reveal p or q (Bellcore).
        if (modPowJob(s, e, n, 1 << 20)() !== m) fail('KEY_INVALID', 'RSA signature failed its self-check');
        return toBytes(s, len);
      };
    },
  };
}
