// Keys: the one entry to key parsing, encodings, fingerprints and new key pairs. Private keys
// (PKCS#8, SEC1, PKCS#1, raw P-256 scalar) and public credentials (SPKI, X.509 certificate,
// PKCS#1 public) become plain byte fields, with typed refusals. No math here: checks that need
// big-number arithmetic live in the signers. Inside, each file imports only those listed before it:
//   types.ts      the key types (imports nothing)
//   ec.ts         P-256 checks, SEC1, the fixed-layout SPKI/PKCS#8 encodings
//   rsa.ts        RSA (PKCS#1) keys; cert.ts: X.509 certificate credentials
//   extras.ts     RSA, certificates and OID names, which the Espruino build swaps out
//   parse.ts      the formats: parsePrivateKey, parsePublicKey, publicKeyOf
//   fingerprint.ts  the `kid`; pair.ts: the PEM forms of a generated pair
// Code outside src/keys imports this file only, except platform.ts (types.ts, a leaf), the
// Espruino stand-in for extras.ts, and the tests of an internal.
export type { PrivateKey, EcPrivateKey, RsaPrivateKey, PublicKey, EcPublicKey, RsaPublicKey, CredentialFormat, PrivateKeyInput, PublicKeyInput, RsaSupport } from './types';
export { parsePrivateKey, parsePublicKey, publicKeyOf, noRsa } from './parse';
export { OID_EC_PUBLIC_KEY, OID_P256, ecSpki, ecPrivateKeyPkcs8 } from './ec';
export { OID_RSA, MIN_RSA_BITS, rsaSpki } from './rsa';
export { fingerprint } from './fingerprint';
export { keyPairPems, type GeneratedKeyPair } from './pair';
