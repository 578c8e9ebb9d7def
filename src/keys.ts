// Key parsing: private keys (PKCS#8, SEC1, PKCS#1, raw P-256 scalar) and public credentials (SPKI,
// X.509 certificate, PKCS#1 public) into plain byte fields, with typed refusals. No math here:
// checks that need big-number arithmetic live in the signers.
import {
  bitString, children, derBitString, derOid, derSequence, derUint, DER_NULL, expectTag, oid, parseDer,
  sequence, smallInt, TAG_OCTET_STRING, TAG_SEQUENCE, tlv, uint, type Der,
} from './asn1';
import { bitLength, fromHex, padStart } from './bytes';
import { fail } from './errors';
import { decodePemBlocks } from './pem';
import type { Alg } from './sign/signer';

export const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
export const OID_P256 = '1.2.840.10045.3.1.7';
export const OID_RSA = '1.2.840.113549.1.1.1';
export const MIN_RSA_BITS = 2048;

const CURVE_NAMES: { [oid: string]: string } = {
  '1.3.132.0.34': 'P-384',
  '1.3.132.0.35': 'P-521',
  '1.3.132.0.10': 'secp256k1',
  '1.2.840.10045.3.1.1': 'P-192',
  '1.3.132.0.33': 'P-224',
  '1.3.36.3.3.2.8.1.1.7': 'brainpoolP256r1',
};
const KEY_NAMES: { [oid: string]: string } = {
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
  '1.3.101.110': 'X25519',
  '1.2.840.10040.4.1': 'DSA',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.10046.2.1': 'Diffie-Hellman',
};

// P-256 group order: a private scalar must lie in [1, n-1].
const P256_N = fromHex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

export interface EcPrivateKey {
  kty: 'EC';
  alg: 'ES256';
  /** 32-byte big-endian scalar. */
  d: Uint8Array;
  /** 65-byte uncompressed point when the file carried it (openssl always writes it). */
  publicKey?: Uint8Array;
}

export interface RsaPrivateKey {
  kty: 'RSA';
  alg: 'RS256';
  bits: number;
  n: Uint8Array;
  e: Uint8Array;
  d: Uint8Array;
  p: Uint8Array;
  q: Uint8Array;
  dp: Uint8Array;
  dq: Uint8Array;
  qi: Uint8Array;
}

export type PrivateKey = EcPrivateKey | RsaPrivateKey;

export type CredentialFormat = 'spki' | 'certificate' | 'pkcs1';

interface PublicKeyBase {
  /** How the credential was given: bare SPKI, an X.509 certificate, or a PKCS#1 RSA public key. */
  format: CredentialFormat;
  /** DER SubjectPublicKeyInfo (built for PKCS#1 input). */
  spki: Uint8Array;
  /** The certificate DER, for certificate credentials. */
  certificate?: Uint8Array;
}

export interface EcPublicKey extends PublicKeyBase {
  kty: 'EC';
  alg: 'ES256';
  /** SEC1 point as given (65-byte uncompressed or 33-byte compressed). */
  point: Uint8Array;
}

export interface RsaPublicKey extends PublicKeyBase {
  kty: 'RSA';
  alg: 'RS256';
  bits: number;
  n: Uint8Array;
  e: Uint8Array;
}

export type PublicKey = EcPublicKey | RsaPublicKey;

// ---- shared pieces ----

function checkAlg(actual: Alg, wanted: Alg | undefined, what: string): void {
  if (wanted !== undefined && wanted !== 'ES256' && wanted !== 'RS256')
    fail('ALG_UNSUPPORTED', 'alg ' + JSON.stringify(wanted) + ' is not supported; use ES256 or RS256');
  if (wanted && wanted !== actual)
    fail('ALG_MISMATCH', what + ' holds ' + (actual === 'ES256' ? 'an EC P-256' : 'an RSA') + ' key (' + actual + '), not ' + wanted);
}

function curveOf(params: Der | undefined, what: string): void {
  if (!params) return;
  if (params.tag === TAG_SEQUENCE) fail('CURVE_UNSUPPORTED', what + ': explicit curve parameters; only the named curve P-256 (prime256v1) is supported');
  const c = oid(params, what + ' curve');
  if (c !== OID_P256) fail('CURVE_UNSUPPORTED', what + ': curve ' + (CURVE_NAMES[c] || c) + '; only P-256 (prime256v1) is supported');
}

/** Algorithm identifier -> key type, refusing what we do not speak. */
function keyTypeOf(algId: Der | undefined, what: string): 'EC' | 'RSA' {
  const parts = sequence(algId, what + ' algorithm');
  const o = oid(parts[0], what + ' algorithm');
  if (o === OID_EC_PUBLIC_KEY) {
    if (!parts[1] || parts[1].tag === 0x05) fail('CURVE_UNSUPPORTED', what + ': EC key without a named curve');
    curveOf(parts[1], what);
    return 'EC';
  }
  if (o === OID_RSA) return 'RSA';
  return fail('KEY_UNSUPPORTED', what + ': ' + (KEY_NAMES[o] || 'algorithm ' + o) + ' keys are not supported; use EC P-256 (ES256) or RSA >= 2048 bits (RS256)');
}

function checkRsaSize(n: Uint8Array, what: string): number {
  const bits = bitLength(n);
  if (bits < MIN_RSA_BITS) fail('RSA_KEY_TOO_SMALL', what + ': RSA key is ' + bits + ' bits; the platform requires at least ' + MIN_RSA_BITS);
  return bits;
}

/** e must be odd, at least 3, and shorter than n: with e = 1 anyone could forge a signature. */
function checkRsaExponent(e: Uint8Array, n: Uint8Array, what: string): Uint8Array {
  if (!(e[e.length - 1] & 1) || bitLength(e) < 2 || e.length >= n.length) fail('KEY_INVALID', what + ': RSA public exponent must be odd, >= 3 and smaller than the modulus');
  return e;
}

function checkScalar(d: Uint8Array, what: string): Uint8Array {
  const k = padStart(d, 32);
  let zero = true;
  let cmp = 0; // compare k with n, big-endian; first difference decides
  for (let i = 0; i < 32; i++) {
    if (k[i]) zero = false;
    if (cmp === 0 && k[i] !== P256_N[i]) cmp = k[i] < P256_N[i] ? -1 : 1;
  }
  if (zero || cmp >= 0) fail('KEY_INVALID', what + ': P-256 private scalar out of range');
  return k;
}

function checkPoint(point: Uint8Array, what: string): Uint8Array {
  const ok = (point.length === 65 && point[0] === 4) || (point.length === 33 && (point[0] === 2 || point[0] === 3));
  if (!ok) fail('KEY_INVALID', what + ': not a P-256 point encoding (' + point.length + ' bytes)');
  return point;
}

// ---- private keys ----

function rsaPrivateFromPkcs1(der: Uint8Array, what: string): RsaPrivateKey {
  const f = sequence(parseDer(der, what), what);
  const version = smallInt(f[0], what + ' version');
  if (version !== 0) fail('KEY_UNSUPPORTED', what + ': multi-prime RSA keys are not supported');
  if (f.length !== 9) fail('DER_INVALID', what + ': expected 9 fields, got ' + f.length);
  const n = uint(f[1], what + ' modulus');
  const bits = checkRsaSize(n, what);
  return {
    kty: 'RSA', alg: 'RS256', bits, n,
    e: checkRsaExponent(uint(f[2], what + ' publicExponent'), n, what), d: uint(f[3], what + ' privateExponent'),
    p: uint(f[4], what + ' prime1'), q: uint(f[5], what + ' prime2'),
    dp: uint(f[6], what + ' exponent1'), dq: uint(f[7], what + ' exponent2'), qi: uint(f[8], what + ' coefficient'),
  };
}

/**
 * SEC1 ECPrivateKey; parameters and public key are optional, as RFC 5915 allows. Without
 * parameters the curve is taken to be P-256: the key is 32 bytes and P-256 is all we speak.
 */
function ecPrivateFromSec1(der: Uint8Array, what: string): EcPrivateKey {
  const f = sequence(parseDer(der, what), what);
  if (smallInt(f[0], what + ' version') !== 1) fail('DER_INVALID', what + ': ECPrivateKey version must be 1');
  let publicKey: Uint8Array | undefined;
  // Curve first: a P-384 key should be called a P-384 key, not an out-of-range P-256 scalar.
  for (let i = 2; i < f.length; i++) {
    if (f[i].tag === 0xa0) curveOf(children(f[i], what + ' parameters')[0], what);
    else if (f[i].tag === 0xa1) publicKey = checkPoint(bitString(children(f[i], what + ' publicKey')[0], what + ' publicKey'), what);
    else fail('DER_INVALID', what + ': unexpected field tag 0x' + f[i].tag.toString(16));
  }
  const d = checkScalar(expectTag(f[1], TAG_OCTET_STRING, what + ' privateKey').value, what);
  const key: EcPrivateKey = { kty: 'EC', alg: 'ES256', d };
  if (publicKey) key.publicKey = publicKey;
  return key;
}

function privateFromPkcs8(der: Uint8Array, what: string): PrivateKey {
  const f = sequence(parseDer(der, what), what);
  if (f[0] && f[0].tag === TAG_SEQUENCE)
    fail('KEY_ENCRYPTED', what + ': encrypted PKCS#8; decrypt it first, e.g. openssl pkey -in key.pem -out plain.pem');
  const version = smallInt(f[0], what + ' version');
  if (version > 1) fail('DER_INVALID', what + ': unknown PKCS#8 version ' + version);
  const kty = keyTypeOf(f[1], what);
  const inner = expectTag(f[2], TAG_OCTET_STRING, what + ' privateKey').value;
  return kty === 'EC' ? ecPrivateFromSec1(inner, what) : rsaPrivateFromPkcs1(inner, what);
}

/** Guesses the DER structure: PKCS#8 has an AlgorithmIdentifier second, SEC1 an OCTET STRING, PKCS#1 nine INTEGERs. */
function privateFromDer(der: Uint8Array): PrivateKey {
  const f = sequence(parseDer(der, 'private key'), 'private key');
  if (f[0] && f[0].tag === TAG_SEQUENCE) return privateFromPkcs8(der, 'PKCS#8 private key');
  if (f[1] && f[1].tag === TAG_SEQUENCE) return privateFromPkcs8(der, 'PKCS#8 private key');
  if (f[1] && f[1].tag === TAG_OCTET_STRING) return ecPrivateFromSec1(der, 'SEC1 EC private key');
  return rsaPrivateFromPkcs1(der, 'PKCS#1 RSA private key');
}

export type PrivateKeyInput = string | Uint8Array | PrivateKey;

/**
 * Parses a private key: PEM (PKCS#8, SEC1 with or without parameters/public key, PKCS#1), DER
 * bytes of the same, a raw 32-byte P-256 scalar, or 64 hex characters of one. `alg`, when given,
 * must match the key.
 */
export function parsePrivateKey(input: PrivateKeyInput, alg?: Alg): PrivateKey {
  let key: PrivateKey;
  if (typeof input === 'string') {
    const text = input.trim();
    if (/^[0-9a-fA-F]{64}$/.test(text)) key = { kty: 'EC', alg: 'ES256', d: checkScalar(fromHex(text), 'raw P-256 scalar') };
    else key = privateFromPem(text);
  } else if (input instanceof Uint8Array) {
    if (input.length === 32) key = { kty: 'EC', alg: 'ES256', d: checkScalar(input, 'raw P-256 scalar') };
    else key = privateFromDer(input);
  } else if (input && (input.kty === 'EC' || input.kty === 'RSA')) key = input;
  else return fail('OPTION_INVALID', 'privateKey must be a PEM string, DER or raw bytes, or a parsed key');
  checkAlg(key.alg, alg, 'the private key');
  return key;
}

function privateFromPem(text: string): PrivateKey {
  const blocks = decodePemBlocks(text);
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i];
    if (b.label === 'PRIVATE KEY') return privateFromPkcs8(b.der, 'PKCS#8 private key');
    if (b.label === 'EC PRIVATE KEY') return ecPrivateFromSec1(b.der, 'SEC1 EC private key');
    if (b.label === 'RSA PRIVATE KEY') return rsaPrivateFromPkcs1(b.der, 'PKCS#1 RSA private key');
    if (b.label === 'ENCRYPTED PRIVATE KEY')
      fail('KEY_ENCRYPTED', 'encrypted PKCS#8 private key; decrypt it first, e.g. openssl pkey -in key.pem -out plain.pem');
  }
  const labels = blocks.map((b) => b.label).join(', ');
  if (/PUBLIC KEY|CERTIFICATE/.test(labels)) return fail('PEM_UNSUPPORTED', 'found ' + labels + ': that is a public credential, not a private key');
  return fail('PEM_UNSUPPORTED', 'no supported private key block (found ' + labels + ')');
}

// ---- public credentials ----

export function ecSpki(point: Uint8Array): Uint8Array {
  return derSequence([derSequence([derOid(OID_EC_PUBLIC_KEY), derOid(OID_P256)]), derBitString(point)]);
}

export function rsaSpki(n: Uint8Array, e: Uint8Array): Uint8Array {
  return derSequence([derSequence([derOid(OID_RSA), DER_NULL]), derBitString(derSequence([derUint(n), derUint(e)]))]);
}

function rsaPublicFromPkcs1(der: Uint8Array, what: string): { n: Uint8Array; e: Uint8Array; bits: number } {
  const f = sequence(parseDer(der, what), what);
  if (f.length !== 2) fail('DER_INVALID', what + ': RSAPublicKey must have 2 fields');
  const n = uint(f[0], what + ' modulus');
  const bits = checkRsaSize(n, what);
  return { n, e: checkRsaExponent(uint(f[1], what + ' exponent'), n, what), bits };
}

function publicFromSpki(spki: Der, what: string, format: CredentialFormat): PublicKey {
  const f = sequence(spki, what);
  if (f.length !== 2) fail('DER_INVALID', what + ': SubjectPublicKeyInfo must have 2 fields');
  const kty = keyTypeOf(f[0], what);
  const bits = bitString(f[1], what + ' subjectPublicKey');
  if (kty === 'EC') return { kty, alg: 'ES256', format, spki: spki.raw, point: checkPoint(bits, what) };
  const r = rsaPublicFromPkcs1(bits, what);
  return { kty, alg: 'RS256', format, spki: spki.raw, bits: r.bits, n: r.n, e: r.e };
}

function publicFromCertificate(der: Uint8Array): PublicKey {
  const what = 'X.509 certificate';
  const cert = sequence(parseDer(der, what), what);
  if (cert.length !== 3) fail('DER_INVALID', what + ': expected tbsCertificate, signatureAlgorithm, signature');
  const tbs = sequence(cert[0], what + ' tbsCertificate');
  const i = tbs[0] && tbs[0].tag === 0xa0 ? 6 : 5; // [0] version is optional (v1 certificates)
  const key = publicFromSpki(expectTag(tbs[i], TAG_SEQUENCE, what + ' subjectPublicKeyInfo'), what, 'certificate');
  key.certificate = der;
  return key;
}

export type PublicKeyInput = string | Uint8Array | PublicKey;

/**
 * Parses a public credential in the platform's upload formats: SPKI PEM (`PUBLIC KEY`), X.509
 * certificate PEM (`CERTIFICATE`), or PKCS#1 `RSA PUBLIC KEY`; DER bytes of an SPKI or certificate.
 */
export function parsePublicKey(input: PublicKeyInput, alg?: Alg): PublicKey {
  let key: PublicKey;
  if (typeof input === 'string') key = publicFromPem(input);
  else if (input instanceof Uint8Array) {
    const top = sequence(parseDer(input, 'public key'), 'public key');
    key = top[0] && top[0].tag === TAG_SEQUENCE && top.length === 3 ? publicFromCertificate(input) : publicFromSpki(parseDer(input, 'SPKI'), 'SPKI public key', 'spki');
  } else if (input && (input.kty === 'EC' || input.kty === 'RSA')) key = input;
  else return fail('OPTION_INVALID', 'public key must be a PEM string, DER bytes, or a parsed key');
  checkAlg(key.alg, alg, key.format === 'certificate' ? 'the certificate' : 'the public key');
  return key;
}

function publicFromPem(text: string): PublicKey {
  const blocks = decodePemBlocks(text);
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i];
    if (b.label === 'PUBLIC KEY') return publicFromSpki(parseDer(b.der, 'SPKI public key'), 'SPKI public key', 'spki');
    if (b.label === 'CERTIFICATE') return publicFromCertificate(b.der);
    if (b.label === 'RSA PUBLIC KEY') {
      const r = rsaPublicFromPkcs1(b.der, 'PKCS#1 RSA public key');
      return { kty: 'RSA', alg: 'RS256', format: 'pkcs1', spki: rsaSpki(r.n, r.e), bits: r.bits, n: r.n, e: r.e };
    }
  }
  const labels = blocks.map((b) => b.label).join(', ');
  if (/PRIVATE KEY/.test(labels)) return fail('PEM_UNSUPPORTED', 'found ' + labels + ': upload the public key, never the private key');
  return fail('PEM_UNSUPPORTED', 'no supported public key block (found ' + labels + ')');
}

/** The public credential of a private key, when it can be had without curve arithmetic. */
export function publicKeyOf(key: PrivateKey): PublicKey | null {
  if (key.kty === 'RSA') return { kty: 'RSA', alg: 'RS256', format: 'spki', spki: rsaSpki(key.n, key.e), bits: key.bits, n: key.n, e: key.e };
  if (!key.publicKey) return null;
  return { kty: 'EC', alg: 'ES256', format: 'spki', spki: ecSpki(key.publicKey), point: key.publicKey };
}

/** PKCS#8 DER of a P-256 key (what `openssl genpkey` writes), with its public key inside. */
export function ecPrivateKeyPkcs8(d: Uint8Array, point: Uint8Array): Uint8Array {
  const sec1 = derSequence([derUint(new Uint8Array([1])), tlv(TAG_OCTET_STRING, padStart(d, 32)), tlv(0xa1, derBitString(point))]);
  return derSequence([derUint(new Uint8Array([0])), derSequence([derOid(OID_EC_PUBLIC_KEY), derOid(OID_P256)]), tlv(TAG_OCTET_STRING, sec1)]);
}
