// JWS signature check for the mock cloud: node:crypto over the parsed credential, one imported
// KeyObject per credential (cached), ES256 as raw r||s only (a DER signature is refused, as on the platform).
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { PublicKey } from '../keys';
import type { Alg } from '../sign/signer';

const imported = new WeakMap<PublicKey, KeyObject>();

export function keyObjectFor(key: PublicKey): KeyObject {
  let k = imported.get(key);
  if (!k) {
    k = createPublicKey({ key: Buffer.from(key.spki), format: 'der', type: 'spki' });
    imported.set(key, k);
  }
  return k;
}

/**
 * True when `sig` is a valid `alg` signature of `input` by `key`; false on any mismatch, malformed
 * signature, or key node:crypto cannot use (never throws: it runs on a broker's socket callback).
 */
export function verifyJwsSignature(key: PublicKey, alg: Alg, input: Uint8Array, sig: Uint8Array): boolean {
  if (alg !== key.alg) return false;
  try {
    if (alg === 'ES256') return sig.length === 64 && verify('sha256', input, { key: keyObjectFor(key), dsaEncoding: 'ieee-p1363' }, sig);
    return sig.length === (key.kty === 'RSA' ? key.n.length : 0) && verify('sha256', input, keyObjectFor(key), sig);
  } catch (e) {
    return false;
  }
}

/**
 * verifyJwsSignature on libuv's thread pool (node:crypto's callback form): the same checks, the same
 * answer, but the event loop is free while OpenSSL works. `done` is always called, asynchronously.
 */
export function verifyJwsSignatureAsync(key: PublicKey, alg: Alg, input: Uint8Array, sig: Uint8Array, done: (ok: boolean) => void): void {
  const answer = (ok: boolean) => process.nextTick(done, ok);
  if (alg !== key.alg) return answer(false);
  if (alg === 'ES256' ? sig.length !== 64 : sig.length !== (key.kty === 'RSA' ? key.n.length : 0)) return answer(false);
  try {
    const k = alg === 'ES256' ? { key: keyObjectFor(key), dsaEncoding: 'ieee-p1363' as const } : keyObjectFor(key);
    verify('sha256', input, k, sig, (err, ok) => done(!err && ok === true));
  } catch (e) {
    answer(false);
  }
}
