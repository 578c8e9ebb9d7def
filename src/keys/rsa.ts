// RSA key material for RS256 (engines with big integers): PKCS#1 private/public parsing with the
// platform's size and exponent rules, and the SPKI encoding. Kept apart so ES256-only bundles drop it.
import { DER_NULL, derBitString, derFail, derOid, derSequence, derUint, parseDer, sequence, smallInt, uint } from '../asn1';
import { bitLength } from '../bytes';
import { fail, KEY_INVALID } from '../errors';
import type { CredentialFormat, RsaPrivateKey, RsaPublicKey } from './types';

export const OID_RSA = '1.2.840.113549.1.1.1';
export const MIN_RSA_BITS = 2048;
/** Largest accepted modulus: signing cost grows with the cube of the size (a 131072-bit key takes minutes, a 1 Mbit one never ends). */
export const MAX_RSA_BITS = 4096;

function checkRsaSize(n: Uint8Array, what: string): number {
  const bits = bitLength(n);
  if (bits < MIN_RSA_BITS) fail('RSA_KEY_TOO_SMALL', what + ': RSA key is ' + bits + ' bits; the platform requires at least ' + MIN_RSA_BITS);
  if (bits > MAX_RSA_BITS) fail('RSA_KEY_TOO_LARGE', what + ': RSA key is ' + bits + ' bits; at most ' + MAX_RSA_BITS + ' are accepted');
  return bits;
}

/** e must be odd, at least 3, and shorter than n: with e = 1 anyone could forge a signature. */
function checkRsaExponent(e: Uint8Array, n: Uint8Array, what: string): Uint8Array {
  if (!(e[e.length - 1] & 1) || bitLength(e) < 2 || e.length >= n.length) fail(KEY_INVALID, what + ': RSA public exponent must be odd, >= 3 and smaller than the modulus');
  return e;
}

export function rsaPrivateFromPkcs1(der: Uint8Array, what: string): RsaPrivateKey {
  const f = sequence(parseDer(der, what), what);
  const version = smallInt(f[0], what + ' version');
  if (version !== 0) fail('KEY_UNSUPPORTED', what + ': multi-prime RSA keys are not supported');
  if (f.length !== 9) derFail(what, 'expected 9 fields, got ' + f.length);
  const n = uint(f[1], what + ' modulus');
  const bits = checkRsaSize(n, what);
  return {
    kty: 'RSA', alg: 'RS256', bits, n,
    e: checkRsaExponent(uint(f[2], what + ' publicExponent'), n, what), d: uint(f[3], what + ' privateExponent'),
    p: uint(f[4], what + ' prime1'), q: uint(f[5], what + ' prime2'),
    dp: uint(f[6], what + ' exponent1'), dq: uint(f[7], what + ' exponent2'), qi: uint(f[8], what + ' coefficient'),
  };
}

/** A PKCS#1 RSAPublicKey (alone, or inside an SPKI whose DER is `spki`) as a parsed credential. */
export function rsaPublicKey(der: Uint8Array, what: string, format: CredentialFormat, spki: Uint8Array | null): RsaPublicKey {
  const f = sequence(parseDer(der, what), what);
  if (f.length !== 2) derFail(what, 'RSAPublicKey must have 2 fields');
  const n = uint(f[0], what + ' modulus');
  const bits = checkRsaSize(n, what);
  const e = checkRsaExponent(uint(f[1], what + ' exponent'), n, what);
  return { kty: 'RSA', alg: 'RS256', format, spki: spki || rsaSpki(n, e), bits, n, e };
}

export function rsaSpki(n: Uint8Array, e: Uint8Array): Uint8Array {
  return derSequence([derSequence([derOid(OID_RSA), DER_NULL]), derBitString(derSequence([derUint(n), derUint(e)]))]);
}
