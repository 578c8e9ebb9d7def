// The key parsers behind parsePrivateKey/parsePublicKey. RSA support, certificates and OID names
// come from extras.ts; the Espruino build swaps in a module where they are null/empty, and the
// paths behind `RSA ? ... : noRsa()` and `CERT ? ...` then drop out of that bundle.
import { bitString, type Der, derFail, expectTag, oid, parseDer, sequence, smallInt, TAG_OCTET_STRING, TAG_SEQUENCE } from '../asn1';
import { fromHex } from '../bytes';
import { fail, CURVE_UNSUPPORTED, KEY_ENCRYPTED, OPTION_INVALID, PEM_UNSUPPORTED } from '../errors';
import { checkPoint, checkScalar, curveOf, ecPrivateFromSec1, ecSpki, OID_EC_PUBLIC_KEY } from './ec';
import { CERT, OID_NAMES, RSA } from './extras';
import { OID_RSA } from './rsa'; // OID_RSA even without RSA support: RSA keys are refused by name
import { decodePemBlocks, DECRYPT } from '../pem';
import { checkAlg, type Alg } from '../sign/signer';
import type { CredentialFormat, PrivateKey, PrivateKeyInput, PublicKey, PublicKeyInput } from './types';

/** The refusal of RSA keys where RS256 cannot run (no big integers); shared with the signer binding. */
export const noRsa = (): never => fail('ALG_UNSUPPORTED', 'RSA keys (RS256) need native big integers, which this engine lacks: use an ES256 (P-256) key');

/** Algorithm identifier -> key type, refusing what we do not speak. */
function keyTypeOf(algId: Der | undefined, what: string): 'EC' | 'RSA' {
  const parts = sequence(algId, what + ' algorithm');
  const o = oid(parts[0], what + ' algorithm');
  if (o === OID_EC_PUBLIC_KEY) {
    if (!parts[1] || parts[1].tag === 0x05) fail(CURVE_UNSUPPORTED, what + ': EC key without a named curve');
    curveOf(parts[1], what, OID_NAMES);
    return 'EC';
  }
  if (o === OID_RSA) return 'RSA';
  return fail('KEY_UNSUPPORTED', what + ': ' + (OID_NAMES[o] || 'algorithm ' + o) + ' keys are not supported; use EC P-256 (ES256)' + (RSA ? ' or RSA >= 2048 bits (RS256)' : ''));
}

const sec1 = (der: Uint8Array) => ecPrivateFromSec1(der, 'SEC1 EC private key', OID_NAMES);
const pkcs1 = (der: Uint8Array, what: string): PrivateKey => (RSA ? RSA.privateFromPkcs1(der, what) : noRsa());

function privateFromPkcs8(der: Uint8Array): PrivateKey {
  const what = 'PKCS#8 private key';
  const f = sequence(parseDer(der, what), what);
  if (f[0] && f[0].tag === TAG_SEQUENCE) fail(KEY_ENCRYPTED, what + ': encrypted PKCS#8' + DECRYPT);
  const version = smallInt(f[0], what + ' version');
  if (version > 1) derFail(what, 'unknown PKCS#8 version ' + version);
  const kty = keyTypeOf(f[1], what);
  const inner = expectTag(f[2], TAG_OCTET_STRING, what + ' privateKey').value;
  return kty === 'EC' ? ecPrivateFromSec1(inner, what, OID_NAMES) : pkcs1(inner, what);
}

/** Guesses the DER structure: PKCS#8 has an AlgorithmIdentifier second, SEC1 an OCTET STRING, PKCS#1 nine INTEGERs. */
function privateFromDer(der: Uint8Array): PrivateKey {
  const f = sequence(parseDer(der, 'private key'), 'private key');
  if ((f[0] && f[0].tag === TAG_SEQUENCE) || (f[1] && f[1].tag === TAG_SEQUENCE)) return privateFromPkcs8(der);
  if (f[1] && f[1].tag === TAG_OCTET_STRING) return sec1(der);
  return pkcs1(der, 'PKCS#1 RSA private key');
}

function privateFromPem(text: string): PrivateKey {
  const blocks = decodePemBlocks(text);
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i];
    if (b.label === 'PRIVATE KEY') return privateFromPkcs8(b.der);
    if (b.label === 'EC PRIVATE KEY') return sec1(b.der);
    if (b.label === 'RSA PRIVATE KEY') return pkcs1(b.der, 'PKCS#1 RSA private key');
    if (b.label === 'ENCRYPTED PRIVATE KEY') fail(KEY_ENCRYPTED, 'encrypted PKCS#8 private key' + DECRYPT);
  }
  const labels = blocks.map((b) => b.label).join(', ');
  if (/PUBLIC KEY|CERTIFICATE/.test(labels)) return fail(PEM_UNSUPPORTED, 'found ' + labels + ': that is a public credential, not a private key');
  return fail(PEM_UNSUPPORTED, 'no supported private key block (found ' + labels + ')');
}

/**
 * Parses a private key: PEM (PKCS#8, SEC1 with or without parameters/public key, PKCS#1), DER
 * bytes of the same, a raw 32-byte P-256 scalar, or 64 hex characters of one. `alg`, when given,
 * must match the key.
 */
export function parsePrivateKey(input: PrivateKeyInput, alg?: Alg): PrivateKey {
  let key: PrivateKey;
  const raw = 'raw P-256 scalar';
  if (typeof input === 'string') {
    const text = input.trim();
    key = text.length === 64 && /^[0-9a-fA-F]*$/.test(text) ? { kty: 'EC', alg: 'ES256', d: checkScalar(fromHex(text), raw) } : privateFromPem(text);
  } else if (input instanceof Uint8Array) {
    key = input.length === 32 ? { kty: 'EC', alg: 'ES256', d: checkScalar(input, raw) } : privateFromDer(input);
  } else if (input && (input.kty === 'EC' || (input.kty === 'RSA' && (RSA || noRsa())))) key = input;
  else return fail(OPTION_INVALID, 'privateKey must be a PEM string, DER or raw bytes, or a parsed key');
  checkAlg(key.alg, alg, 'the private key');
  return key;
}

function publicFromSpki(spki: Der, what: string, format: CredentialFormat): PublicKey {
  const f = sequence(spki, what);
  if (f.length !== 2) derFail(what, 'SubjectPublicKeyInfo must have 2 fields');
  const kty = keyTypeOf(f[0], what);
  const bits = bitString(f[1], what + ' subjectPublicKey');
  if (kty === 'EC') return { kty, alg: 'ES256', format, spki: spki.raw, point: checkPoint(bits, what) };
  return RSA ? RSA.publicKey(bits, what, format, spki.raw) : noRsa();
}

const publicFromCertificate = (der: Uint8Array): PublicKey =>
  CERT ? CERT(der, publicFromSpki) : fail(PEM_UNSUPPORTED, 'X.509 certificates are not parsed on this target; use the SPKI public key (PUBLIC KEY)');

const spkiFrom = (der: Uint8Array) => publicFromSpki(parseDer(der, 'SPKI'), 'SPKI public key', 'spki');

function publicFromPem(text: string): PublicKey {
  const blocks = decodePemBlocks(text);
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i];
    if (b.label === 'PUBLIC KEY') return spkiFrom(b.der);
    if (b.label === 'CERTIFICATE') return publicFromCertificate(b.der);
    if (b.label === 'RSA PUBLIC KEY') return RSA ? RSA.publicKey(b.der, 'PKCS#1 RSA public key', 'pkcs1', null) : noRsa();
  }
  const labels = blocks.map((b) => b.label).join(', ');
  if (/PRIVATE KEY/.test(labels)) return fail(PEM_UNSUPPORTED, 'found ' + labels + ': upload the public key, never the private key');
  return fail(PEM_UNSUPPORTED, 'no supported public key block (found ' + labels + ')');
}

/**
 * Parses a public credential in the platform's upload formats: SPKI PEM (`PUBLIC KEY`), X.509
 * certificate PEM (`CERTIFICATE`), or PKCS#1 `RSA PUBLIC KEY`; DER bytes of an SPKI or certificate.
 */
export function parsePublicKey(input: PublicKeyInput, alg?: Alg): PublicKey {
  let key: PublicKey;
  if (typeof input === 'string') key = publicFromPem(input);
  else if (input instanceof Uint8Array) {
    const top = sequence(parseDer(input, 'public key'), 'public key');
    key = top[0] && top[0].tag === TAG_SEQUENCE && top.length === 3 ? publicFromCertificate(input) : spkiFrom(input);
  } else if (input && (input.kty === 'EC' || (input.kty === 'RSA' && (RSA || noRsa())))) key = input;
  else return fail(OPTION_INVALID, 'public key must be a PEM string, DER bytes, or a parsed key');
  checkAlg(key.alg, alg, key.format === 'certificate' ? 'the certificate' : 'the public key');
  return key;
}

/** The public credential of a private key, when it can be had without curve arithmetic. */
export function publicKeyOf(key: PrivateKey): PublicKey | null {
  if (key.kty === 'RSA') return RSA ? { kty: 'RSA', alg: 'RS256', format: 'spki', spki: RSA.spki(key.n, key.e), bits: key.bits, n: key.n, e: key.e } : noRsa();
  if (!key.publicKey) return null;
  return { kty: 'EC', alg: 'ES256', format: 'spki', spki: ecSpki(key.publicKey), point: key.publicKey };
}

