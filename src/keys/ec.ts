// EC P-256 key material: scalar/point checks, SEC1 parsing, and the fixed-layout
// SPKI and PKCS#8 encodings (P-256 only, so a byte prefix replaces a general DER writer on device).
import { bitString, children, type Der, derFail, expectTag, oid, parseDer, sequence, smallInt, TAG_OCTET_STRING, TAG_SEQUENCE } from '../asn1';
import { concatBytes, fromHex, padStart } from '../bytes';
import { fail, CURVE_UNSUPPORTED, KEY_INVALID } from '../errors';
import type { EcPrivateKey, OidNames } from './types';

export const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
export const OID_P256 = '1.2.840.10045.3.1.7';

// P-256 group order: a private scalar must lie in [1, n-1].
const P256_N = fromHex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

export function curveOf(params: Der | undefined, what: string, names: OidNames): void {
  if (!params) return;
  if (params.tag === TAG_SEQUENCE) fail(CURVE_UNSUPPORTED, what + ': explicit curve parameters; only the named curve P-256 (prime256v1) is supported');
  const c = oid(params, what + ' curve');
  if (c !== OID_P256) fail(CURVE_UNSUPPORTED, what + ': curve ' + (names[c] || c) + '; only P-256 (prime256v1) is supported');
}

export function checkScalar(d: Uint8Array, what: string): Uint8Array {
  const k = padStart(d, 32);
  let zero = true;
  let cmp = 0; // compare k with n, big-endian; first difference decides
  for (let i = 0; i < 32; i++) {
    if (k[i]) zero = false;
    if (cmp === 0 && k[i] !== P256_N[i]) cmp = k[i] < P256_N[i] ? -1 : 1;
  }
  if (zero || cmp >= 0) fail(KEY_INVALID, what + ': P-256 private scalar out of range');
  return k;
}

export function checkPoint(point: Uint8Array, what: string): Uint8Array {
  const ok = (point.length === 65 && point[0] === 4) || (point.length === 33 && (point[0] === 2 || point[0] === 3));
  if (!ok) fail(KEY_INVALID, what + ': not a P-256 point encoding (' + point.length + ' bytes)');
  return point;
}

/**
 * SEC1 ECPrivateKey; parameters and public key are optional, as RFC 5915 allows. Without
 * parameters the curve is taken to be P-256: the key is 32 bytes and P-256 is all we speak.
 */
export function ecPrivateFromSec1(der: Uint8Array, what: string, names: OidNames): EcPrivateKey {
  const f = sequence(parseDer(der, what), what);
  if (smallInt(f[0], what + ' version') !== 1) derFail(what, 'ECPrivateKey version must be 1');
  let publicKey: Uint8Array | undefined;
  // Curve first: a P-384 key should be called a P-384 key, not an out-of-range P-256 scalar.
  for (let i = 2; i < f.length; i++) {
    if (f[i].tag === 0xa0) curveOf(children(f[i], what + ' parameters')[0], what, names);
    else if (f[i].tag === 0xa1) publicKey = checkPoint(bitString(children(f[i], what + ' publicKey')[0], what + ' publicKey'), what);
    else derFail(what, 'unexpected field tag 0x' + f[i].tag.toString(16));
  }
  const d = checkScalar(expectTag(f[1], TAG_OCTET_STRING, what + ' privateKey').value, what);
  const key: EcPrivateKey = { kty: 'EC', alg: 'ES256', d };
  if (publicKey) key.publicKey = publicKey;
  return key;
}

// AlgorithmIdentifier { id-ecPublicKey, prime256v1 }, the same bytes in every P-256 SPKI and PKCS#8.
const EC_ALG_ID = fromHex('301306072a8648ce3d020106082a8648ce3d030107');

/** DER SubjectPublicKeyInfo of a P-256 point (65 or 33 bytes, so every length fits one byte). */
export function ecSpki(point: Uint8Array): Uint8Array {
  return concatBytes([new Uint8Array([0x30, point.length + 24]), EC_ALG_ID, new Uint8Array([3, point.length + 1, 0]), point]);
}

/** PKCS#8 DER of a P-256 key (what `openssl genpkey` writes), with its 65-byte public key inside. */
export function ecPrivateKeyPkcs8(d: Uint8Array, point: Uint8Array): Uint8Array {
  if (point.length !== 65) fail(KEY_INVALID, 'expected a 65-byte uncompressed P-256 point');
  return concatBytes([
    fromHex('308187020100'), EC_ALG_ID, fromHex('046d306b0201010420'), padStart(d, 32), fromHex('a144034200'), point,
  ]);
}
