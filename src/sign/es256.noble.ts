// ES256 signer on @noble/curves (engines with BigInt): RFC 6979 deterministic nonces, low-S, JOSE r||s.
import { p256 } from '@noble/curves/nist.js';
import { equalBytes } from '../bytes';
import { fail } from '../errors';
import type { EcPrivateKey } from '../keys';
import type { Signer } from './signer';

/** Options of createNobleEs256Signer. @inline */
export interface NobleEs256Options {
  /**
   * Extra entropy mixed into the RFC 6979 nonce (section 3.6), e.g. from a hardware RNG. The nonce
   * stays deterministic in the key and message, so a weak RNG can never leak the key.
   */
  extraEntropy?: () => Uint8Array;
}

export function noblePublicKey(d: Uint8Array): Uint8Array {
  return p256.getPublicKey(d, false);
}

/** ES256 on @noble/curves: RFC 6979 deterministic nonces, low-S, the 64-byte JOSE r||s form. */
export function createNobleEs256Signer(key: EcPrivateKey, opts?: NobleEs256Options): Signer {
  // A file whose public key does not belong to its private key would mint tokens that never verify.
  if (key.publicKey && key.publicKey.length === 65 && !equalBytes(noblePublicKey(key.d), key.publicKey))
    fail('KEY_INVALID', 'the public key stored with the EC private key does not match it');
  const entropy = opts && opts.extraEntropy;
  return {
    alg: 'ES256',
    start(message) {
      return () => p256.sign(message, key.d, { prehash: true, lowS: true, extraEntropy: entropy ? entropy() : false });
    },
  };
}
