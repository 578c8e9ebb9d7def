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

const B0 = new Uint8Array([0]);
const B1 = new Uint8Array([1]);

/**
 * Steps b-e: K = 0, V = 1, K = HMAC_K(V || 0x00 || seed), V = HMAC_K(V), with seed = x || h1 || k'.
 * Steps f-g are drbgInit2: the seeding is split in two so a slice never runs more than two HMACs.
 */
export function drbgInit(hash: Hash, seed: Uint8Array): Drbg {
  const d: Drbg = { hash: hash, k: new Uint8Array(32), v: new Uint8Array(32) };
  d.v.fill(1);
  d.k = hmac(hash, d.k, concatBytes([d.v, B0, seed]));
  d.v = hmac(hash, d.k, d.v);
  return d;
}

/** Steps f-g: K = HMAC_K(V || 0x01 || seed), V = HMAC_K(V). */
export function drbgInit2(d: Drbg, seed: Uint8Array): void {
  d.k = hmac(d.hash, d.k, concatBytes([d.v, B1, seed]));
  d.v = hmac(d.hash, d.k, d.v);
}

/** Step h.2: the next candidate T (qlen = hlen = 256, so one HMAC block is the whole candidate). */
export function drbgNext(d: Drbg): Uint8Array {
  d.v = hmac(d.hash, d.k, d.v);
  return d.v;
}

/** Step h.3, after a rejected candidate (k = 0, k >= n, or r or s = 0): K = HMAC(V || 0x00), V = HMAC(V). */
export function drbgReseed(d: Drbg): void {
  d.k = hmac(d.hash, d.k, concatBytes([d.v, B0]));
  d.v = hmac(d.hash, d.k, d.v);
}

const B2 = new Uint8Array([2]);

/**
 * A secret pseudo-random value for blinding the nonce inversion: HMAC_K(V || 0x02). It leaves the
 * DRBG state untouched, so any later nonce candidates stay exactly those of RFC 6979.
 */
export function drbgBlind(d: Drbg): Uint8Array {
  return hmac(d.hash, d.k, concatBytes([d.v, B2]));
}
