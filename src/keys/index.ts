// Key parsing: private keys (PKCS#8, SEC1, PKCS#1, raw P-256 scalar) and public credentials (SPKI,
// X.509 certificate, PKCS#1 public) into plain byte fields, with typed refusals. No math here:
// checks that need big-number arithmetic live in the signers. The parts: key-parse.ts (formats),
// key-ec.ts (P-256), key-rsa.ts (RSA, left out of the Espruino bundle via key-extras.ts).
export { parsePrivateKey, parsePublicKey, publicKeyOf } from './key-parse';
export type { PrivateKey, PublicKey, EcPublicKey, RsaPublicKey, CredentialFormat, PrivateKeyInput, PublicKeyInput } from './key-parse';
export { OID_EC_PUBLIC_KEY, OID_P256, ecSpki, ecPrivateKeyPkcs8, type EcPrivateKey } from './key-ec';
export { OID_RSA, MIN_RSA_BITS, rsaSpki, type RsaPrivateKey } from './key-rsa';
