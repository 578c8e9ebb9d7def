// Keys: the one entry to key parsing, encodings, fingerprints and new key pairs. Private keys
// (PKCS#8, SEC1, PKCS#1, raw P-256 scalar) and public credentials (SPKI, X.509 certificate,
// PKCS#1 public) become plain byte fields, with typed refusals. No math here: checks that need
// big-number arithmetic live in the signers. The internals: parse.ts (formats), ec.ts (P-256),
// rsa.ts and cert.ts (reached through extras.ts, which the Espruino build swaps out),
// fingerprint.ts (the `kid`), pair.ts (PEM forms of a generated pair).
export { parsePrivateKey, parsePublicKey, publicKeyOf, noRsa } from './parse';
export type { PrivateKey, PublicKey, EcPublicKey, RsaPublicKey, CredentialFormat, PrivateKeyInput, PublicKeyInput } from './parse';
export { OID_EC_PUBLIC_KEY, OID_P256, ecSpki, ecPrivateKeyPkcs8, type EcPrivateKey } from './ec';
export { OID_RSA, MIN_RSA_BITS, rsaSpki, type RsaPrivateKey } from './rsa';
export { fingerprint } from './fingerprint';
export { keyPairPems, type GeneratedKeyPair } from './pair';
