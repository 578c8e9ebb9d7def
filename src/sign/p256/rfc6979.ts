// RFC 6979 section 3.2 deterministic nonces: HMAC-DRBG over HMAC-SHA-256 built on a pluggable Hash
// (Espruino passes its native crypto.SHA256), with the optional extra input k' of section 3.6.
import type { Hash } from '../../hash/hash';
import { hmac } from '../../hash/hmac';
import { concatBytes } from '../../bytes';

export interface Drbg {
  hash: Hash;
  k: Uint8Array;
  v: Uint8Array;
}

/**
 * Steps b-e: K = 0, V = 1, K = HMAC_K(V || 0x00 || seed), V = HMAC_K(V), with seed = x || h1 || k'.
 * Steps f-g are drbgUpdate(d, 1, seed) after it: the seeding is split in two so a slice never runs
 * more than two HMACs.
 */
export function drbgInit(hash: Hash, seed: Uint8Array): Drbg {
  const d: Drbg = { hash: hash, k: new Uint8Array(32), v: new Uint8Array(32) };
  d.v.fill(1);
  drbgUpdate(d, 0, seed);
  return d;
}

/**
 * K = HMAC_K(V || b || seed), V = HMAC_K(V): steps f-g (b = 1 with the seed) and, after a rejected
 * candidate (k = 0, k >= n, or r or s = 0), step h.3 (b = 0, no seed). One function for the three
 * updates, and the byte made when used: on Espruino each function and constant array held costs
 * variables while the signer is loaded.
 */
export function drbgUpdate(d: Drbg, b: number, seed?: Uint8Array): void {
  const vb = [d.v, new Uint8Array([b])];
  if (seed) vb.push(seed);
  d.k = hmac(d.hash, d.k, concatBytes(vb));
  d.v = hmac(d.hash, d.k, d.v);
}

/** Step h.2: the next candidate T (qlen = hlen = 256, so one HMAC block is the whole candidate). */
export function drbgNext(d: Drbg): Uint8Array {
  d.v = hmac(d.hash, d.k, d.v);
  return d.v;
}

/**
 * A secret pseudo-random value for blinding the nonce inversion: HMAC_K(V || 0x02). It leaves the
 * DRBG state untouched, so any later nonce candidates stay exactly those of RFC 6979.
 */
export function drbgBlind(d: Drbg): Uint8Array {
  return hmac(d.hash, d.k, concatBytes([d.v, new Uint8Array([2])]));
}
