// The key types: parsed private keys and public credentials, the RS256 support a bundle may leave
// out, and the OID name table's shape. A leaf: it imports nothing, so every key module (and
// platform.ts) can name these without an import circle.

/** A parsed P-256 private key. @inline */
export interface EcPrivateKey {
  kty: 'EC';
  alg: 'ES256';
  /** 32-byte big-endian scalar. */
  d: Uint8Array;
  /** 65-byte uncompressed point when the file carried it (openssl always writes it). */
  publicKey?: Uint8Array;
}

/** A parsed RSA private key (big-endian integers, CRT parts included). @inline */
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

/** A parsed private key, as parsePrivateKey returns it. */
export type PrivateKey = EcPrivateKey | RsaPrivateKey;

/** How a public credential was given. @inline */
export type CredentialFormat = 'spki' | 'certificate' | 'pkcs1';

interface PublicKeyBase {
  /** How the credential was given: bare SPKI, an X.509 certificate, or a PKCS#1 RSA public key. */
  format: CredentialFormat;
  /** DER SubjectPublicKeyInfo (built for PKCS#1 input). */
  spki: Uint8Array;
  /** The certificate DER, for certificate credentials. */
  certificate?: Uint8Array;
}

/** A parsed P-256 public credential. @inline */
export interface EcPublicKey extends PublicKeyBase {
  kty: 'EC';
  alg: 'ES256';
  /** SEC1 point as given (65-byte uncompressed or 33-byte compressed). */
  point: Uint8Array;
}

/** A parsed RSA public credential. @inline */
export interface RsaPublicKey extends PublicKeyBase {
  kty: 'RSA';
  alg: 'RS256';
  bits: number;
  n: Uint8Array;
  e: Uint8Array;
}

/** A parsed public credential, as parsePublicKey returns it. */
export type PublicKey = EcPublicKey | RsaPublicKey;
/** PEM text, DER bytes, a raw 32-byte P-256 scalar (bytes or 64 hex characters), or a parsed key. @inline */
export type PrivateKeyInput = string | Uint8Array | PrivateKey;
/** PEM text (SPKI, X.509 certificate, PKCS#1), DER bytes, or a parsed key. @inline */
export type PublicKeyInput = string | Uint8Array | PublicKey;

/** RS256 support: PKCS#1 parsing and SPKI encoding (rsa.ts). */
export interface RsaSupport {
  privateFromPkcs1(der: Uint8Array, what: string): RsaPrivateKey;
  /** A PKCS#1 RSAPublicKey as a parsed credential; `spki` null: built from it. */
  publicKey(der: Uint8Array, what: string, format: CredentialFormat, spki: Uint8Array | null): RsaPublicKey;
  spki(n: Uint8Array, e: Uint8Array): Uint8Array;
}

/** Friendly names of foreign OIDs for error messages (the full parser fills them in). */
export type OidNames = { [oid: string]: string };
